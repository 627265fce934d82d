package io.qbridge.testing;

import io.qbridge.DataType;
import io.qbridge.QuantParams;

import java.util.Random;

/** Random shapes, quantization parameters and quantized values for the randomized op tests. */
public final class RandomTensors {
    private RandomTensors() {
    }

    public static int count(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** A shape of that rank, each dimension 1 to 4. */
    public static int[] randomShape(Random r, int rank) {
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) {
            s[i] = 1 + r.nextInt(4);
        }
        return s;
    }

    /** A zero point at the low end, the high end, or anywhere in the type's range (half the time). */
    public static int randomZeroPoint(Random r, DataType t) {
        switch (r.nextInt(4)) {
            case 0: return t.minValue();
            case 1: return t.maxValue();
            default: return t.minValue() + r.nextInt(t.maxValue() - t.minValue() + 1);
        }
    }

    public static QuantParams randomParams(Random r, DataType t, float minScale, float maxScale) {
        return QuantParams.perTensor(minScale + r.nextFloat() * (maxScale - minScale), randomZeroPoint(r, t));
    }

    /** n values uniformly over the type's range. */
    public static int[] randomQ(Random r, DataType t, int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = t.minValue() + r.nextInt(t.maxValue() - t.minValue() + 1);
        }
        return v;
    }

    /** Asymmetric parameters for [min, max], widened to include 0, nudged so 0 is exact (TFLite's rule). */
    public static QuantParams rangeParams(float min, float max, DataType t) {
        min = Math.min(min, 0);
        max = Math.max(max, 0);
        int qmin = t.minValue();
        int qmax = t.maxValue();
        float scale = (max - min) / (qmax - qmin);
        int zp = Math.max(qmin, Math.min(qmax, Math.round(qmin - min / scale)));
        return QuantParams.perTensor(scale, zp);
    }
}
