package io.qbridge.converter.quantize;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.numerics.QuantMath;

/** Quantization of weights and biases: values in, integer values and their parameters out. */
public final class WeightQuantizer {
    /** int8 weights are symmetric in [-127, 127] (the spec leaves -128 out so that -w is representable). */
    public static final int INT8_WEIGHT_MAX = 127;

    /** Integer values and the parameters they were quantized with. */
    public record Quantized(int[] values, QuantParams params) {
    }

    private WeightQuantizer() {
    }

    /**
     * Symmetric int8 per channel along {@code axis} of {@code shape}: scale[c] = max|w| / 127 (1 for an
     * all-zero channel, as TFLite does), zero point 0.
     */
    public static Quantized symmetricPerChannel(float[] w, int[] shape, int axis) {
        int channels = shape[axis];
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        float[] maxAbs = new float[channels];
        for (int i = 0; i < w.length; i++) {
            int c = (i / inner) % channels;
            maxAbs[c] = Math.max(maxAbs[c], Math.abs(w[i]));
        }
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = maxAbs[c] > 0 ? maxAbs[c] / INT8_WEIGHT_MAX : 1f;
        }
        int[] q = new int[w.length];
        for (int i = 0; i < w.length; i++) {
            int c = (i / inner) % channels;
            q[i] = QuantMath.quantizeClamped(w[i], scales[c], 0, -INT8_WEIGHT_MAX, INT8_WEIGHT_MAX);
        }
        return new Quantized(q, QuantParams.perChannel(scales, new int[channels], axis));
    }

    /** Symmetric int8 with one scale for the whole tensor. */
    public static Quantized symmetricPerTensor(float[] w) {
        float maxAbs = 0;
        for (float v : w) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        return symmetricPerTensor(w, maxAbs);
    }

    /** Symmetric int8 with one scale for the whole tensor, mapping ±maxAbs to ±127 (larger values clip). */
    public static Quantized symmetricPerTensor(float[] w, float maxAbs) {
        float scale = maxAbs > 0 ? maxAbs / INT8_WEIGHT_MAX : 1f;
        int[] q = new int[w.length];
        for (int i = 0; i < w.length; i++) {
            q[i] = QuantMath.quantizeClamped(w[i], scale, 0, -INT8_WEIGHT_MAX, INT8_WEIGHT_MAX);
        }
        return new Quantized(q, QuantParams.perTensor(scale, 0));
    }

    /** Asymmetric per tensor over the values' range (legacy uint8 weights), or over {@code range} if given. */
    public static Quantized asymmetricPerTensor(float[] w, DataType type, Range range) {
        Range r = range;
        if (r == null) {
            float min = 0;
            float max = 0;
            for (float v : w) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            r = new Range(min, max);
        }
        return quantizeWith(w, AffineParams.fromRange(r, type), type);
    }

    /** Values quantized with given per-tensor parameters, clamped to the type. */
    public static Quantized quantizeWith(float[] w, QuantParams p, DataType type) {
        int[] q = new int[w.length];
        for (int i = 0; i < w.length; i++) {
            q[i] = QuantMath.quantizeClamped(w[i], p.scale(), p.zeroPoint(), type.minValue(), type.maxValue());
        }
        return new Quantized(q, p);
    }

    /**
     * int32 bias with scale input_scale * weight_scale[c] and zero point 0, per channel when the
     * weights are (then on axis 0 of the bias).
     */
    public static Quantized bias(float[] b, float inputScale, QuantParams weights) {
        int n = b.length;
        float[] scales = new float[n];
        for (int c = 0; c < n; c++) {
            float ws = weights.isPerChannel() ? weights.scale(c) : weights.scale();
            scales[c] = (float) ((double) inputScale * ws);
        }
        int[] q = new int[n];
        for (int c = 0; c < n; c++) {
            double x = b[c] / (double) scales[c];
            double v = Math.signum(x) * Math.floor(Math.abs(x) + 0.5);   // std::round
            q[c] = (int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE, v));
        }
        QuantParams p = weights.isPerChannel() ? QuantParams.perChannel(scales, new int[n], 0)
                : QuantParams.perTensor(scales[0], 0);
        return new Quantized(q, p);
    }
}
