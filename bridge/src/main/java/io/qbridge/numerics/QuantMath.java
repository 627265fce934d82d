package io.qbridge.numerics;

import io.qbridge.DataType;
import io.qbridge.graph.Activation;

/** Quantization helpers shared by the planner, the kernels and the converter. */
public final class QuantMath {
    private QuantMath() {
    }

    /**
     * TFLite's {@code CalculateActivationRangeQuantized}: the clamp range [min, max] of a fused
     * activation for an output of the given type, scale and zero point.
     */
    public static int[] activationRange(Activation activation, DataType type, float scale, int zeroPoint) {
        int qmin = type.minValue();
        int qmax = type.maxValue();
        switch (activation) {
            case NONE:
                return new int[] {qmin, qmax};
            case RELU:
                return new int[] {Math.max(qmin, quantize(0f, scale, zeroPoint)), qmax};
            case RELU6:
                return new int[] {Math.max(qmin, quantize(0f, scale, zeroPoint)),
                        Math.min(qmax, quantize(6f, scale, zeroPoint))};
            case RELU_N1_TO_1:
                return new int[] {Math.max(qmin, quantize(-1f, scale, zeroPoint)),
                        Math.min(qmax, quantize(1f, scale, zeroPoint))};
            default:
                throw new IllegalArgumentException("fused activation " + activation + " has no quantized range");
        }
    }

    /** TFLite's {@code CalculateActivationRange} for float outputs. */
    public static float[] activationRange(Activation activation) {
        switch (activation) {
            case NONE: return new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
            case RELU: return new float[] {0f, Float.POSITIVE_INFINITY};
            case RELU6: return new float[] {0f, 6f};
            case RELU_N1_TO_1: return new float[] {-1f, 1f};
            default:
                throw new IllegalArgumentException("fused activation " + activation + " is not supported");
        }
    }

    /** zero_point + round(x / scale) without clamping, rounding as TFLite's {@code TfLiteRound}. */
    public static int quantize(float x, float scale, int zeroPoint) {
        float q = x / scale;
        return zeroPoint + (int) roundHalfAwayFromZero(q);
    }

    /** std::round: halves away from zero. */
    public static float roundHalfAwayFromZero(float x) {
        // Math.round(double) is exact (no x + 0.5 rounding error); NaN maps to 0.
        return x >= 0 ? (float) Math.round((double) x) : -(float) Math.round(-(double) x);
    }

    /** Clamped quantization of one float, as TFLite's QUANTIZE op (AffineQuantize). */
    public static int quantizeClamped(float x, float scale, int zeroPoint, int qmin, int qmax) {
        int q = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE,
                (long) roundHalfAwayFromZero(x / scale) + zeroPoint));
        return Math.max(qmin, Math.min(qmax, q));
    }
}
