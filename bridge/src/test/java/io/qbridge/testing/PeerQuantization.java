package io.qbridge.testing;

import io.qbridge.DataType;
import io.qbridge.QuantParams;

/**
 * The quantization helpers of TFLite's and TFLite Micro's kernel tests, reproduced so that peer
 * vectors are fed exactly the bytes the original tests fed:
 * <ul>
 * <li>{@link #tfliteParams}: {@code SingleOpModel::QuantizationParams<T>(min, max)} of
 * tensorflow/lite/kernels/test_util.h (scale = (max - min) / (qmax - qmin), the zero point from
 * whichever end has the smaller error, nudged into range);</li>
 * <li>{@link #tfliteQuantize}: test_util.h's {@code Quantize<T>}: round(zp + f / scale), clamped;</li>
 * <li>{@link #microQuantize}: micro_utils.h's {@code FloatToQuantizedType}: round(f / scale) + zp,
 * clamped;</li>
 * <li>{@link #dequantize}: {@code scale * (q - zp)} in float.</li>
 * </ul>
 */
public final class PeerQuantization {
    private PeerQuantization() {
    }

    public static QuantParams tfliteParams(float min, float max, DataType type) {
        float qmin = type.minValue();
        float qmax = type.maxValue();
        if (min == max) {
            return QuantParams.perTensor(0f, 0);
        }
        float scale = (max - min) / (qmax - qmin);
        float zpFromMin = qmin - min / scale;
        float zpFromMax = qmax - max / scale;
        float errMin = Math.abs(qmin) + Math.abs(min / scale);
        float errMax = Math.abs(qmax) + Math.abs(max / scale);
        float zp = errMin < errMax ? zpFromMin : zpFromMax;
        int nudged;
        if (zp < qmin) {
            nudged = (int) qmin;
        } else if (zp > qmax) {
            nudged = (int) qmax;
        } else {
            nudged = (int) roundHalfAway(zp);
        }
        return QuantParams.perTensor(scale, nudged);
    }

    public static int[] tfliteQuantize(float[] values, QuantParams q, DataType type) {
        int[] r = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            float v = roundHalfAway(q.zeroPoint() + values[i] / q.scale());
            r[i] = (int) Math.max(type.minValue(), Math.min(type.maxValue(), v));
        }
        return r;
    }

    public static int[] microQuantize(float[] values, float scale, int zeroPoint, DataType type) {
        int[] r = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            int v = (int) roundHalfAway(values[i] / scale) + zeroPoint;
            r[i] = Math.max(type.minValue(), Math.min(type.maxValue(), v));
        }
        return r;
    }

    public static float[] dequantize(int[] q, QuantParams p) {
        float[] r = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            r[i] = p.scale() * (q[i] - p.zeroPoint());
        }
        return r;
    }

    /** std::round on float. */
    static float roundHalfAway(float x) {
        return x >= 0 ? (float) Math.floor((double) x + 0.5) : -(float) Math.floor(-(double) x + 0.5);
    }
}
