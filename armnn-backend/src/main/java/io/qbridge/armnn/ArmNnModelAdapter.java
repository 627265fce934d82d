package io.qbridge.armnn;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Graph;
import io.qbridge.graph.Operator;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.List;

/**
 * Fills in what Arm NN 20.08 needs from a model but TFLite does not, before the model is written
 * for Arm NN's parser.
 *
 * <p>Per-channel int8 convolutions: TFLite derives each bias scale as input scale x weight scale
 * and never reads the bias tensor's own scales, so models may leave them out (qbridge's converter
 * does, to save 4 bytes a channel). Arm NN instead asks the bias for its one scale and asserts
 * ("!HasMultipleQuantizationScales()", SIGABRT, seen on the demo's int8 model); given the
 * per-channel scales TFLite implies, it runs the layer.
 */
final class ArmNnModelAdapter {
    private ArmNnModelAdapter() {
    }

    static Graph adapt(Graph graph) {
        List<TensorSpec> tensors = new ArrayList<>(graph.tensors());
        boolean changed = false;
        for (Operator op : graph.operators()) {
            int code = op.builtinCode();
            if ((code != BuiltinOperator.CONV_2D && code != BuiltinOperator.DEPTHWISE_CONV_2D)
                    || op.inputCount() < 3 || op.input(0) < 0 || op.input(1) < 0 || op.input(2) < 0) {
                continue;
            }
            TensorSpec input = tensors.get(op.input(0));
            TensorSpec weights = tensors.get(op.input(1));
            TensorSpec bias = tensors.get(op.input(2));
            QuantParams w = weights.quant();
            if (bias.type() != DataType.INT32 || (bias.quant() != null && bias.quant().isQuantized())
                    || w == null || !w.isPerChannel() || input.quant() == null || !input.quant().isQuantized()
                    || bias.rank() != 1 || bias.dim(0) != w.channelCount()) {
                continue;
            }
            float inputScale = input.quant().scale();
            float[] scales = new float[w.channelCount()];
            for (int c = 0; c < scales.length; c++) {
                scales[c] = (float) ((double) inputScale * w.scale(c));
            }
            tensors.set(bias.index(), bias.withQuant(QuantParams.perChannel(scales, new int[scales.length], 0)));
            changed = true;
        }
        return changed ? new Graph(tensors, graph.operators(), graph.inputs(), graph.outputs(), graph.description(),
                graph.metadata()) : graph;
    }
}
