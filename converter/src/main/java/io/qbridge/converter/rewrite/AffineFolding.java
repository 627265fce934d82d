package io.qbridge.converter.rewrite;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.converter.graph.Constants;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.graph.Activation;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.List;

/**
 * Folds a per-channel MUL, ADD or SUB by a constant that follows CONV_2D, DEPTHWISE_CONV_2D or
 * FULLY_CONNECTED (an unfolded batch normalization) into that op's weights and bias:
 * {@code (W x + b) * m + a = (m W) x + (m b + a)}. The folded op takes over the MUL/ADD's fused
 * activation; one op less to quantize, and no extra rounding step in the quantized model.
 */
public final class AffineFolding {
    private AffineFolding() {
    }

    /** @return number of MUL/ADD/SUB ops folded */
    public static int apply(EditableGraph e) {
        int folded = 0;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (EditableGraph.Op conv : List.copyOf(e.ops())) {
                if (WeightLayout.isConvLike(conv.code) && tryFold(e, conv)) {
                    folded++;
                    changed = true;
                }
            }
        }
        return folded;
    }

    private static boolean tryFold(EditableGraph e, EditableGraph.Op conv) {
        if (Activations.of(conv.options) != Activation.NONE || conv.outputs.length != 1) {
            return false;
        }
        int x = conv.output(0);
        if (e.isGraphOutput(x) || e.consumers(x).size() != 1) {
            return false;
        }
        EditableGraph.Op next = e.consumers(x).get(0);
        if (next.code != BuiltinOperator.MUL && next.code != BuiltinOperator.ADD && next.code != BuiltinOperator.SUB) {
            return false;
        }
        if (next.inputs.length != 2) {
            return false;
        }
        int constIndex = next.input(0) == x ? 1 : 0;
        if (next.input(1 - constIndex) != x || (next.code == BuiltinOperator.SUB && constIndex == 0)) {
            return false;   // x op x, or c - x
        }
        TensorSpec c = e.tensor(next.input(constIndex));
        TensorSpec w = e.tensor(conv.input(1));
        if (!c.isConstant() || c.type() != DataType.FLOAT32 || !w.isConstant() || w.type() != DataType.FLOAT32) {
            return false;
        }
        int channels = WeightLayout.outputChannels(conv.code, w);
        float[] perChannel = perChannel(c, channels);
        TensorSpec out = e.tensor(next.output(0));
        if (perChannel == null || !java.util.Arrays.equals(out.shape(), e.tensor(x).shape())) {
            return false;   // broadcasting that changes the shape, or not per output channel
        }
        float[] bias = conv.input(2) >= 0 ? Constants.floats(e.tensor(conv.input(2))) : new float[channels];
        if (next.code == BuiltinOperator.MUL) {
            float[] weights = Constants.floats(w);
            WeightLayout.scaleOutputChannels(weights, w.shape(), WeightLayout.outputAxis(conv.code), perChannel);
            conv.inputs[1] = e.addTensor(w.name(), DataType.FLOAT32, w.shape(), QuantParams.NONE,
                    Constants.of(weights));
            for (int i = 0; i < channels; i++) {
                bias[i] *= perChannel[i];
            }
        } else {
            float sign = next.code == BuiltinOperator.SUB ? -1f : 1f;
            for (int i = 0; i < channels; i++) {
                bias[i] += sign * perChannel[i];
            }
        }
        String biasName = conv.input(2) >= 0 ? e.tensor(conv.input(2)).name() : out.name() + "/bias";
        int newBias = e.addTensor(biasName, DataType.FLOAT32, new int[] {channels}, QuantParams.NONE,
                Constants.of(bias));
        if (conv.inputs.length < 3) {
            conv.inputs = java.util.Arrays.copyOf(conv.inputs, 3);
        }
        conv.inputs[2] = newBias;
        Activation fused = Activations.of(next.options);
        conv.options = Activations.with(conv.options, fused == null ? Activation.NONE : fused);
        conv.outputs = new int[] {next.output(0)};
        e.ops().remove(next);
        return true;
    }

    /** The constant as one value per output channel, or null when it varies along other dimensions. */
    private static float[] perChannel(TensorSpec c, int channels) {
        float[] v = Constants.floats(c);
        int[] shape = c.shape();
        for (int d = 0; d < shape.length - 1; d++) {
            if (shape[d] != 1) {
                return null;
            }
        }
        if (v.length == 1) {
            float[] r = new float[channels];
            java.util.Arrays.fill(r, v[0]);
            return r;
        }
        return v.length == channels ? v : null;
    }
}
