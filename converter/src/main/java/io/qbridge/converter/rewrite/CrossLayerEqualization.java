package io.qbridge.converter.rewrite;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.converter.graph.Constants;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.graph.Activation;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cross-layer weight equalization (Nagel et al. 2019, "Data-Free Quantization Through Weight
 * Equalization and Bias Correction"). For two consecutive layers y = f(W2 f(W1 x + b1) + b2) with a
 * positively homogeneous f in between (ReLU, or nothing), output channel c of layer 1 can be divided
 * by s_c and input channel c of layer 2 multiplied by s_c without changing the function. Choosing
 * s_c = sqrt(r1_c / r2_c) (r = the channel's largest |weight|) gives both channels the same range,
 * which per-tensor quantization needs: a depthwise layer whose channels span very different ranges
 * otherwise loses its small channels to the coarse step of the large ones.
 * <p>
 * ReLU6 is not homogeneous; as in the paper, it becomes ReLU in equalized pairs (the calibrated
 * range of the quantized output then plays the clamp's role).
 */
public final class CrossLayerEqualization {
    static final int SWEEPS = 20;
    /** Scales are kept in [1/LIMIT, LIMIT] so that no channel is pushed into float underflow. */
    static final float LIMIT = 1e4f;

    private CrossLayerEqualization() {
    }

    private record Pair(EditableGraph.Op first, EditableGraph.Op second) {
    }

    /** @return number of layer pairs equalized */
    public static int apply(EditableGraph e) {
        List<Pair> pairs = new ArrayList<>();
        for (EditableGraph.Op a : e.ops()) {
            if (a.code != BuiltinOperator.CONV_2D && a.code != BuiltinOperator.DEPTHWISE_CONV_2D) {
                continue;
            }
            Activation act = Activations.of(a.options);
            if (act != Activation.NONE && act != Activation.RELU && act != Activation.RELU6) {
                continue;
            }
            int x = a.output(0);
            if (e.useCount(x) != 1 || e.consumers(x).isEmpty()) {
                continue;
            }
            EditableGraph.Op b = e.consumers(x).get(0);
            if ((b.code != BuiltinOperator.CONV_2D && b.code != BuiltinOperator.DEPTHWISE_CONV_2D) || b.input(0) != x) {
                continue;
            }
            if (b.code == BuiltinOperator.DEPTHWISE_CONV_2D && WeightLayout.depthMultiplier(e, b) != 1) {
                continue;
            }
            if (!floatConstant(e, a.input(1)) || !floatConstant(e, b.input(1))
                    || (a.input(2) >= 0 && !floatConstant(e, a.input(2)))) {
                continue;
            }
            pairs.add(new Pair(a, b));
        }
        if (pairs.isEmpty()) {
            return 0;
        }
        // Work on copies: weights may be shared with other ops.
        Map<EditableGraph.Op, float[]> weights = new HashMap<>();
        Map<EditableGraph.Op, float[]> biases = new HashMap<>();
        for (Pair p : pairs) {
            for (EditableGraph.Op op : new EditableGraph.Op[] {p.first, p.second}) {
                weights.computeIfAbsent(op, o -> Constants.floats(e.tensor(o.input(1))));
                int channels = WeightLayout.outputChannels(op.code, e.tensor(op.input(1)));
                biases.computeIfAbsent(op, o -> o.input(2) >= 0 ? Constants.floats(e.tensor(o.input(2)))
                        : new float[channels]);
            }
        }
        for (int sweep = 0; sweep < SWEEPS; sweep++) {
            for (Pair p : pairs) {
                int[] shape1 = e.tensor(p.first.input(1)).shape();
                int[] shape2 = e.tensor(p.second.input(1)).shape();
                float[] w1 = weights.get(p.first);
                float[] w2 = weights.get(p.second);
                int axis1 = WeightLayout.outputAxis(p.first.code);
                float[] r1 = WeightLayout.maxAbsPerChannel(w1, shape1, axis1);
                float[] r2 = WeightLayout.maxAbsPerChannel(w2, shape2, 3);   // input channel: last in both layouts
                float[] down = new float[r1.length];
                float[] up = new float[r1.length];
                for (int c = 0; c < r1.length; c++) {
                    float s = r1[c] > 0 && r2[c] > 0 ? (float) Math.sqrt(r1[c] / r2[c]) : 1f;
                    s = Math.max(1f / LIMIT, Math.min(LIMIT, s));
                    down[c] = 1f / s;
                    up[c] = s;
                }
                WeightLayout.scaleOutputChannels(w1, shape1, axis1, down);
                float[] b1 = biases.get(p.first);
                for (int c = 0; c < b1.length; c++) {
                    b1[c] *= down[c];
                }
                WeightLayout.scaleOutputChannels(w2, shape2, 3, up);
            }
        }
        for (Map.Entry<EditableGraph.Op, float[]> entry : weights.entrySet()) {
            EditableGraph.Op op = entry.getKey();
            TensorSpec w = e.tensor(op.input(1));
            op.inputs[1] = e.addTensor(w.name() + "/equalized", DataType.FLOAT32, w.shape(), QuantParams.NONE,
                    Constants.of(entry.getValue()));
            float[] b = biases.get(op);
            String biasName = op.input(2) >= 0 ? e.tensor(op.input(2)).name() : w.name() + "/bias";
            if (op.inputs.length < 3) {
                op.inputs = java.util.Arrays.copyOf(op.inputs, 3);
            }
            op.inputs[2] = e.addTensor(biasName + "/equalized", DataType.FLOAT32, new int[] {b.length},
                    QuantParams.NONE, Constants.of(b));
        }
        for (Pair p : pairs) {
            if (Activations.of(p.first.options) == Activation.RELU6) {
                p.first.options = Activations.with(p.first.options, Activation.RELU);
            }
        }
        return pairs.size();
    }

    private static boolean floatConstant(EditableGraph e, int t) {
        return t >= 0 && e.tensor(t).isConstant() && e.tensor(t).type() == DataType.FLOAT32;
    }
}
