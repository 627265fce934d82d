package io.qbridge.converter.quantize;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.converter.graph.Constants;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.graph.Graph;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The int32 biases of the quantized CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED layers: scale
 * input_scale * weight_scale[c], corrected for the weights' rounding ({@link BiasCorrection}) when
 * asked. A missing bias becomes zeros (Arm NN needs one); a bias shared by layers with different
 * scales gets a tensor per layer.
 */
final class LayerBiases {
    private final Graph g;
    private final ActivationParams activations;
    private final Map<Integer, ChannelMoments> moments;
    private final boolean correct;
    /** Bias tensors of g already rewritten (by a layer that shares them). */
    private final Set<Integer> done = new HashSet<>();
    private int corrected;

    /**
     * @param moments input channel moments by tensor (E[x] for the correction)
     * @param correct whether to correct biases where the moments fit the layer
     */
    LayerBiases(Graph g, ActivationParams activations, Map<Integer, ChannelMoments> moments, boolean correct) {
        this.g = g;
        this.activations = activations;
        this.moments = moments;
        this.correct = correct;
    }

    /** The index of the bias among a rule's inputs, or -1. */
    static int biasInput(OpRule rule) {
        for (int k = 0; k < rule.inputs().length; k++) {
            if (rule.inputs()[k] == OpRule.Input.BIAS) {
                return k;
            }
        }
        return -1;
    }

    /** Layers whose bias was corrected. */
    int corrected() {
        return corrected;
    }

    /**
     * Quantizes input {@code k} of {@code op}, the bias of weights quantized as {@code qw}.
     */
    void quantize(EditableGraph e, EditableGraph.Op op, int k, WeightQuantizer.Quantized qw) {
        QuantParams weights = qw.params();
        float inputScale = activations.of(op.input(0)).scale();
        TensorSpec w = g.tensor(op.input(1));
        int channels = weights.isPerChannel() ? weights.channelCount()
                : w.dim(op.code == BuiltinOperator.DEPTHWISE_CONV_2D ? 3 : 0);
        int t = op.input(k);
        float[] b = t >= 0 ? Constants.floats(g.tensor(t)) : new float[channels];
        float[] correctedBias = BiasCorrection.corrected(op.code, w.shape(), Constants.floats(w),
                BiasCorrection.dequantize(qw.values(), w.shape(), weights), b,
                moments.containsKey(op.input(0)) ? moments.get(op.input(0)).mean() : null);
        if (correctedBias != null && correct) {
            b = correctedBias;
            corrected++;
        }
        WeightQuantizer.Quantized q = WeightQuantizer.bias(b, inputScale, weights);
        if (weights.isPerChannel()) {
            // TFLite derives per-channel bias scales (input scale x weight scale) and never reads them
            // (only the legacy per-tensor path checks a bias scale); leaving them out saves 4 bytes a
            // channel, a tenth of a small per-channel model's overhead.
            q = new WeightQuantizer.Quantized(q.values(), QuantParams.NONE);
        }
        if (t < 0 || done.contains(t)) {
            String name = t >= 0 ? g.tensor(t).name() : g.tensor(op.output(0)).name() + "/bias";
            int nt = e.addTensor(name, DataType.INT32, new int[] {channels}, q.params(), Constants.of(q.values()));
            if (op.inputs.length <= k) {
                op.inputs = Arrays.copyOf(op.inputs, k + 1);
            }
            op.inputs[k] = nt;
        } else {
            e.setTensor(t, DataType.INT32, q.params(), Constants.of(q.values()));
            done.add(t);
        }
    }
}
