package io.qbridge.testing;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.numerics.QuantMath;

/**
 * How TFLite's and TFLite Micro's kernel tests turn float test data into quantized tensors, so
 * that transcribed peer vectors see exactly the bytes the original tests fed their kernels.
 * Facts from {@code tensorflow/lite/kernels/test_util.h} ({@code QuantizationParams},
 * {@code Quantize}) and {@code tensorflow/lite/micro/micro_utils.h} ({@code FloatToQuantizedType}).
 */
public final class TfliteTestQuantization {
    private TfliteTestQuantization() {
    }

    /**
     * test_util's {@code QuantizationParams<T>(min, max)}: scale = (max - min) / (qmax - qmin);
     * the zero point from whichever end adds the smaller error, rounded and clamped (all in float).
     */
    public static QuantParams params(float min, float max, DataType type) {
        float qmin = type.minValue();
        float qmax = type.maxValue();
        if (min == max) {
            return QuantParams.perTensor(0f, 0);
        }
        float scale = (max - min) / (qmax - qmin);
        float zeroPointFromMin = qmin - min / scale;
        float zeroPointFromMax = qmax - max / scale;
        float errorFromMin = Math.abs(qmin) + Math.abs(min / scale);
        float errorFromMax = Math.abs(qmax) + Math.abs(max / scale);
        float zeroPoint = errorFromMin < errorFromMax ? zeroPointFromMin : zeroPointFromMax;
        int nudged;
        if (zeroPoint < qmin) {
            nudged = (int) qmin;
        } else if (zeroPoint > qmax) {
            nudged = (int) qmax;
        } else {
            nudged = (int) QuantMath.roundHalfAwayFromZero(zeroPoint);
        }
        return QuantParams.perTensor(scale, nudged);
    }

    /** test_util's {@code Quantize<T>}: clamp(round(zero_point + f / scale)), in float. */
    public static int[] quantizeLiteValues(float[] data, QuantParams q, DataType type) {
        int[] out = new int[data.length];
        for (int i = 0; i < data.length; i++) {
            float v = QuantMath.roundHalfAwayFromZero(q.zeroPoint() + data[i] / q.scale());
            out[i] = (int) Math.max(type.minValue(), Math.min(type.maxValue(), v));
        }
        return out;
    }

    /** {@link #quantizeLiteValues} as the bytes of a UINT8 or INT8 tensor. */
    public static byte[] quantizeLite(float[] data, QuantParams q, DataType type) {
        return bytes(quantizeLiteValues(data, q, type));
    }

    /** micro_utils' {@code Quantize}: clamp(round(f / scale) + zero_point), also for INT32. */
    public static int[] quantizeMicroValues(float[] data, float scale, int zeroPoint, DataType type) {
        int[] out = new int[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = QuantMath.quantizeClamped(data[i], scale, zeroPoint, type.minValue(), type.maxValue());
        }
        return out;
    }

    /** {@link #quantizeMicroValues} as the bytes of a UINT8 or INT8 tensor. */
    public static byte[] quantizeMicro(float[] data, float scale, int zeroPoint, DataType type) {
        return bytes(quantizeMicroValues(data, scale, zeroPoint, type));
    }

    private static byte[] bytes(int[] values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    /** Raw bytes of a UINT8 or INT8 tensor as ints. */
    public static int[] values(byte[] raw, DataType type) {
        int[] v = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            v[i] = type == DataType.UINT8 ? raw[i] & 0xFF : raw[i];
        }
        return v;
    }

    /** {@code scale * (q - zero_point)} in float. */
    public static float[] dequantize(int[] values, QuantParams q) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = q.scale() * (values[i] - q.zeroPoint());
        }
        return out;
    }

    public static float[] dequantize(byte[] raw, QuantParams q, DataType type) {
        return dequantize(values(raw, type), q);
    }
}
