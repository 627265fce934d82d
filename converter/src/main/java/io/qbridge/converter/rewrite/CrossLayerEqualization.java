package io.qbridge.converter.rewrite;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.converter.graph.Constants;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.graph.Activation;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cross-layer equalization (Nagel et al. 2019, "Data-Free Quantization Through Weight Equalization
 * and Bias Correction"). For consecutive layers A -> B where B alone reads A's output, output
 * channel c of A can be multiplied by k_c (its weights and bias) and input channel c of B divided by
 * k_c without changing the function, as long as A's activation commutes with the scaling:
 * <ul>
 *   <li>NONE and RELU commute with any k_c > 0;</li>
 *   <li>RELU6 only where the clamp at 6 is never reached: a channel whose calibrated maximum is m
 *       &lt; 6 may take any k_c up to 6 / m (its values stay under the clamp); a channel that reaches
 *       6 keeps k_c = 1. (The paper turns ReLU6 into ReLU instead; that changes MobileNet's
 *       predictions far more than 8-bit rounding does.)</li>
 * </ul>
 * Two goals, by mode:
 * <ul>
 *   <li>{@link Mode#BALANCE_WEIGHTS} (per-tensor weights, uint8): k_c = sqrt(r2_c / r1_c) with r the
 *       channel's largest |weight| in A and B, so that per-tensor weight quantization loses no
 *       channel; iterated over the pairs.</li>
 *   <li>{@link Mode#FILL_ACTIVATIONS} (per-channel weights, int8): k_c as large as allowed, up to the
 *       tensor's range, so that every channel of the per-tensor quantized activation uses the whole
 *       8-bit grid; channels that span 1/20 of the range otherwise carry 20x the relative rounding
 *       noise into B, which per-channel weights cannot undo.</li>
 * </ul>
 */
public final class CrossLayerEqualization {
    /** What equalization optimizes. */
    public enum Mode { BALANCE_WEIGHTS, FILL_ACTIVATIONS }

    /**
     * Calibrated per-channel range of a tensor (its last dimension), and how far up each channel of a
     * RELU6 output must stay exact ({@code upper} &lt;= max: values above it may meet the clamp).
     */
    public record ChannelRange(float[] min, float[] max, float[] upper) {
        public ChannelRange(float[] min, float[] max) {
            this(min, max, max);
        }
    }

    static final int SWEEPS = 20;
    /** Scales stay in [1/LIMIT, LIMIT]: a nearly dead channel is not blown up into B's rounding noise. */
    static final float LIMIT = 256f;
    /** A RELU6 channel whose maximum is within this of 6 counts as reaching the clamp. */
    static final float CLAMP_MARGIN = 1e-3f;

    private CrossLayerEqualization() {
    }

    private static final class Pair {
        final EditableGraph.Op first;
        final EditableGraph.Op second;
        final float[] lowest;    // smallest allowed k per channel
        final float[] highest;   // largest allowed k per channel
        final float[] k;         // scale applied so far

        Pair(EditableGraph.Op first, EditableGraph.Op second, int channels) {
            this.first = first;
            this.second = second;
            this.lowest = new float[channels];
            this.highest = new float[channels];
            this.k = new float[channels];
            java.util.Arrays.fill(k, 1f);
        }
    }

    /**
     * @param ranges calibrated channel ranges by tensor; pairs through a RELU6 need them (without,
     *               they are left alone), FILL_ACTIVATIONS needs them for every pair
     * @return number of layer pairs equalized
     */
    public static int apply(EditableGraph e, Map<Integer, ChannelRange> ranges, Mode mode) {
        List<Pair> pairs = findPairs(e, ranges, mode);
        if (pairs.isEmpty()) {
            return 0;
        }
        // In the order of the pairs: the rescaled tensors are appended in this order, and ops hash by
        // identity, which would make the file's tensor order differ from one conversion to the next.
        Map<EditableGraph.Op, float[]> weights = new LinkedHashMap<>();
        Map<EditableGraph.Op, float[]> biases = new LinkedHashMap<>();
        for (Pair p : pairs) {
            for (EditableGraph.Op op : new EditableGraph.Op[] {p.first, p.second}) {
                weights.computeIfAbsent(op, o -> Constants.floats(e.tensor(o.input(1))));
                int channels = WeightLayout.outputChannels(op.code, e.tensor(op.input(1)));
                biases.computeIfAbsent(op, o -> o.input(2) >= 0 ? Constants.floats(e.tensor(o.input(2)))
                        : new float[channels]);
            }
        }
        int sweeps = mode == Mode.BALANCE_WEIGHTS ? SWEEPS : 1;
        for (int sweep = 0; sweep < sweeps; sweep++) {
            for (Pair p : pairs) {
                int[] shape1 = e.tensor(p.first.input(1)).shape();
                int[] shape2 = e.tensor(p.second.input(1)).shape();
                float[] w1 = weights.get(p.first);
                float[] w2 = weights.get(p.second);
                int axis1 = WeightLayout.outputAxis(p.first.code);
                int channels = p.k.length;
                float[] step = new float[channels];
                float[] inverse = new float[channels];
                if (mode == Mode.BALANCE_WEIGHTS) {
                    float[] r1 = WeightLayout.maxAbsPerChannel(w1, shape1, axis1);
                    float[] r2 = WeightLayout.maxAbsPerChannel(w2, shape2, 3);   // input channel: last dimension
                    for (int c = 0; c < channels; c++) {
                        float want = r1[c] > 0 && r2[c] > 0 ? (float) Math.sqrt(r2[c] / r1[c]) : 1f;
                        float total = clamp(p.k[c] * want, p.lowest[c], p.highest[c]);
                        step[c] = total / p.k[c];
                    }
                } else {
                    for (int c = 0; c < channels; c++) {
                        step[c] = p.highest[c] / p.k[c];
                    }
                }
                for (int c = 0; c < channels; c++) {
                    p.k[c] *= step[c];
                    inverse[c] = 1f / step[c];
                }
                WeightLayout.scaleOutputChannels(w1, shape1, axis1, step);
                float[] b1 = biases.get(p.first);
                for (int c = 0; c < b1.length; c++) {
                    b1[c] *= step[c];
                }
                WeightLayout.scaleOutputChannels(w2, shape2, 3, inverse);
            }
        }
        for (Map.Entry<EditableGraph.Op, float[]> entry : weights.entrySet()) {
            EditableGraph.Op op = entry.getKey();
            TensorSpec w = e.tensor(op.input(1));
            op.inputs[1] = e.addTensor(w.name(), DataType.FLOAT32, w.shape(), QuantParams.NONE,
                    Constants.of(entry.getValue()));
            float[] b = biases.get(op);
            String biasName = op.input(2) >= 0 ? e.tensor(op.input(2)).name() : w.name() + "/bias";
            if (op.inputs.length < 3) {
                op.inputs = java.util.Arrays.copyOf(op.inputs, 3);
            }
            op.inputs[2] = e.addTensor(biasName, DataType.FLOAT32, new int[] {b.length},
                    QuantParams.NONE, Constants.of(b));
        }
        return pairs.size();
    }

    private static float clamp(float v, float lo, float hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static List<Pair> findPairs(EditableGraph e, Map<Integer, ChannelRange> ranges, Mode mode) {
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
            if (e.isGraphOutput(x) || e.consumers(x).size() != 1) {
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
            int channels = WeightLayout.outputChannels(a.code, e.tensor(a.input(1)));
            ChannelRange r = ranges == null ? null : ranges.get(x);
            if (r != null && r.max().length != channels) {
                r = null;
            }
            if (r == null && (act == Activation.RELU6 || mode == Mode.FILL_ACTIVATIONS)) {
                continue;
            }
            Pair p = new Pair(a, b, channels);
            float tensorMax = 0;
            float tensorMin = 0;
            if (r != null) {
                for (int c = 0; c < channels; c++) {
                    tensorMax = Math.max(tensorMax, r.max()[c]);
                    tensorMin = Math.min(tensorMin, r.min()[c]);
                }
            }
            for (int c = 0; c < channels; c++) {
                float lo = 1f / LIMIT;
                float hi = LIMIT;
                if (r != null) {
                    float max = Math.max(r.max()[c], 0f);
                    float min = Math.min(r.min()[c], 0f);
                    if (act == Activation.RELU6) {
                        // Past the channel's upper percentile, the rare values may be clamped.
                        max = Math.min(max, Math.max(r.upper()[c], 0f));
                        if (max >= 6f - CLAMP_MARGIN) {
                            lo = 1f;
                            hi = 1f;
                        } else if (max > 0) {
                            hi = Math.min(hi, 6f / max);
                        }
                    }
                    if (mode == Mode.FILL_ACTIVATIONS) {
                        // As large as allowed without leaving the tensor's range.
                        float fill = LIMIT;
                        if (max > 0) {
                            fill = Math.min(fill, tensorMax / max);
                        }
                        if (min < 0) {
                            fill = Math.min(fill, tensorMin / min);
                        }
                        if (max == 0 && min == 0) {
                            fill = 1f;   // a dead channel stays as it is
                        }
                        hi = Math.max(1f, Math.min(hi, fill));
                        lo = Math.min(lo, hi);
                    }
                }
                p.lowest[c] = Math.min(lo, hi);
                p.highest[c] = hi;
            }
            pairs.add(p);
        }
        return pairs;
    }

    private static boolean floatConstant(EditableGraph e, int t) {
        return t >= 0 && e.tensor(t).isConstant() && e.tensor(t).type() == DataType.FLOAT32;
    }
}
