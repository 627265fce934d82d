package io.qbridge.converter.quantize;

import io.qbridge.DataType;
import io.qbridge.QuantParams;

/**
 * Chooses scale and zero point for a float range: gemmlowp's / TFLite's
 * {@code ChooseQuantizationParams} (range widened to contain 0, scale = width / (qmax - qmin), zero
 * point from whichever end loses less precision, "nudged" to an integer in [qmin, qmax] so that real
 * 0 is exact), and TensorFlow's FakeQuant nudging for ranges left by quantization-aware training.
 */
public final class AffineParams {
    /** Range used when a tensor was only ever 0 (any positive scale represents it exactly). */
    private static final float DEGENERATE_WIDTH = 1f;

    private AffineParams() {
    }

    /** Asymmetric per-tensor parameters covering {@code r} with the full range of {@code type}. */
    public static QuantParams fromRange(Range r, DataType type) {
        return fromRange(r, type.minValue(), type.maxValue());
    }

    public static QuantParams fromRange(Range r, int qmin, int qmax) {
        Range z = r.withZero();
        double rmin = z.min();
        double rmax = z.max();
        if (rmax - rmin == 0) {
            rmax = DEGENERATE_WIDTH;
        }
        double scale = (rmax - rmin) / (qmax - qmin);
        double zeroFromMin = qmin - rmin / scale;
        double zeroFromMax = qmax - rmax / scale;
        double errorFromMin = Math.abs(qmin) + Math.abs(rmin / scale);
        double errorFromMax = Math.abs(qmax) + Math.abs(rmax / scale);
        double zero = errorFromMin < errorFromMax ? zeroFromMin : zeroFromMax;
        int nudged;
        if (zero < qmin) {
            nudged = qmin;
        } else if (zero > qmax) {
            nudged = qmax;
        } else {
            nudged = (int) (Math.signum(zero) * Math.floor(Math.abs(zero) + 0.5));   // std::round
        }
        return QuantParams.perTensor((float) scale, nudged);
    }

    /**
     * Parameters of a FAKE_QUANT op (TensorFlow's {@code FakeQuantWithMinMaxVars} nudging) in the
     * 8-bit type {@code type}: the quantized grid is [0 or 1 (narrow range), 255] shifted by -128 for
     * int8, scale = (max - min) / (quant_max - quant_min), zero point nudged from min.
     */
    public static QuantParams fromFakeQuant(float min, float max, boolean narrowRange, DataType type) {
        float quantMin = narrowRange ? 1f : 0f;
        float quantMax = 255f;
        float lo = Math.min(min, 0f);
        float hi = Math.max(max, 0f);
        if (hi - lo == 0f) {
            hi = DEGENERATE_WIDTH;
        }
        float scale = (hi - lo) / (quantMax - quantMin);
        float zeroFromMin = quantMin - lo / scale;
        int zero;
        if (zeroFromMin < quantMin) {
            zero = (int) quantMin;
        } else if (zeroFromMin > quantMax) {
            zero = (int) quantMax;
        } else {
            zero = Math.round(zeroFromMin);
        }
        int shift = type == DataType.INT8 ? -128 : 0;
        return QuantParams.perTensor(scale, zero + shift);
    }

    /** The float range that parameters represent in a type: [scale*(qmin-zp), scale*(qmax-zp)]. */
    public static Range representable(QuantParams q, DataType type) {
        return new Range(q.scale() * (type.minValue() - q.zeroPoint()), q.scale() * (type.maxValue() - q.zeroPoint()));
    }

    /**
     * Input parameters from {@code tflite_convert}'s mean/std: real = (q - mean) / std, so scale =
     * 1 / std and zero point = mean (rounded; shifted by -128 for int8).
     */
    public static QuantParams fromMeanStd(float mean, float std, DataType type) {
        if (!(std > 0)) {
            throw new IllegalArgumentException("std must be positive, got " + std);
        }
        int zero = Math.round(mean) + (type == DataType.INT8 ? -128 : 0);
        if (zero < type.minValue() || zero > type.maxValue()) {
            throw new IllegalArgumentException("mean " + mean + " is outside the " + type + " range");
        }
        return QuantParams.perTensor(1f / std, zero);
    }
}
