package io.qbridge;

import java.util.Arrays;

/**
 * Affine quantization parameters: {@code real = scale * (q - zeroPoint)}. Per-tensor parameters
 * have one scale and zero point; per-channel parameters have one per index of dimension
 * {@link #axis()}. Immutable.
 */
public final class QuantParams {
    /** A tensor that is not quantized. */
    public static final QuantParams NONE = new QuantParams(new float[0], new int[0], 0, null, null);

    private final float[] scales;
    private final int[] zeroPoints;
    private final int axis;
    private final float[] min;
    private final float[] max;

    private QuantParams(float[] scales, int[] zeroPoints, int axis, float[] min, float[] max) {
        this.scales = scales;
        this.zeroPoints = zeroPoints;
        this.axis = axis;
        this.min = min;
        this.max = max;
    }

    public static QuantParams perTensor(float scale, int zeroPoint) {
        return new QuantParams(new float[] {scale}, new int[] {zeroPoint}, 0, null, null);
    }

    public static QuantParams perChannel(float[] scales, int[] zeroPoints, int axis) {
        if (scales.length != zeroPoints.length) {
            throw new IllegalArgumentException("scales and zero points differ in length: "
                    + scales.length + " vs " + zeroPoints.length);
        }
        return new QuantParams(scales.clone(), zeroPoints.clone(), axis, null, null);
    }

    /**
     * Parameters as stored in a file, possibly with only a float range ({@code min}/{@code max},
     * left by quantization-aware training) and no scale yet.
     */
    public static QuantParams of(float[] scales, int[] zeroPoints, int axis, float[] min, float[] max) {
        if (scales.length == 0 && zeroPoints.length == 0 && min == null && max == null) {
            return NONE;
        }
        return new QuantParams(scales.clone(), zeroPoints.clone(), axis,
                min == null ? null : min.clone(), max == null ? null : max.clone());
    }

    /** Whether this tensor has scales (is quantized). */
    public boolean isQuantized() {
        return scales.length > 0;
    }

    public boolean isPerChannel() {
        return scales.length > 1;
    }

    public int channelCount() {
        return scales.length;
    }

    /** The per-tensor scale (the first one of per-channel parameters). */
    public float scale() {
        return scales[0];
    }

    /** The per-tensor zero point (the first one of per-channel parameters). */
    public int zeroPoint() {
        return zeroPoints.length == 0 ? 0 : zeroPoints[0];
    }

    public float scale(int channel) {
        return scales[channel];
    }

    public int zeroPoint(int channel) {
        return zeroPoints[channel];
    }

    public float[] scales() {
        return scales.clone();
    }

    public int[] zeroPoints() {
        return zeroPoints.clone();
    }

    /** Quantized dimension of per-channel parameters (0 for per-tensor). */
    public int axis() {
        return axis;
    }

    /** Recorded float range minimum (from training or calibration), or null. */
    public float[] min() {
        return min == null ? null : min.clone();
    }

    /** Recorded float range maximum, or null. */
    public float[] max() {
        return max == null ? null : max.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof QuantParams)) {
            return false;
        }
        QuantParams q = (QuantParams) o;
        return axis == q.axis && Arrays.equals(scales, q.scales) && Arrays.equals(zeroPoints, q.zeroPoints)
                && Arrays.equals(min, q.min) && Arrays.equals(max, q.max);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(scales) + Arrays.hashCode(zeroPoints) + axis;
    }

    @Override
    public String toString() {
        if (!isQuantized()) {
            return min != null ? "range " + Arrays.toString(min) + ".." + Arrays.toString(max) : "none";
        }
        if (!isPerChannel()) {
            return "scale " + scales[0] + " zero point " + zeroPoints[0];
        }
        return scales.length + " channels on axis " + axis + ", scales " + scales[0] + ".."
                + scales[scales.length - 1];
    }
}
