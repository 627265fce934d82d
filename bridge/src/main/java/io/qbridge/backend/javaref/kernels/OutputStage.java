package io.qbridge.backend.javaref.kernels;

import io.qbridge.numerics.FixedPoint;
import io.qbridge.plan.ops.ConvOps.Requant;

/**
 * The quantized output stage of conv-like ops (TFLite's reference, in order): requantize each
 * int32 accumulator with its channel's multiplier and shift (MultiplyByQuantizedMultiplier),
 * add the output zero point, clamp to the activation range, store the byte.
 *
 * <p>It runs once per output, which for layers with few input channels costs as much as their
 * multiply-adds, so MultiplyByQuantizedMultiplier is evaluated in a branch-free form with the
 * per-channel constants prepared once; {@link #requantize} documents why it is the same function
 * (OutputStageTest compares the two).
 */
final class OutputStage {
    /** Per channel: 2^max(shift, 0). */
    private final int[] leftFactor;
    private final int[] multiplier;
    /** Per channel: max(-shift, 0), the rounding right shift. */
    private final int[] rightShift;
    /** Per channel: 2^(rightShift - 1), or 0 when rightShift is 0. */
    private final long[] half;
    /** Per channel: -1 when rightShift > 0 (negative values round down one less), else 0. */
    private final int[] negativeAdjust;
    private final int outputOffset;
    private final int actMin;
    private final int actMax;

    OutputStage(Requant q) {
        int n = q.multiplier().length;
        this.multiplier = q.multiplier();
        this.leftFactor = new int[n];
        this.rightShift = new int[n];
        this.half = new long[n];
        this.negativeAdjust = new int[n];
        for (int c = 0; c < n; c++) {
            int shift = q.shift()[c];
            if (multiplier[c] < 0 || shift > 30 || shift < -31) {
                // QuantizeMultiplier never makes these; the branch-free form below assumes it.
                throw new IllegalArgumentException("multiplier " + multiplier[c] + " shift " + shift + " of channel " + c);
            }
            leftFactor[c] = 1 << Math.max(shift, 0);
            rightShift[c] = Math.max(-shift, 0);
            half[c] = rightShift[c] == 0 ? 0 : 1L << (rightShift[c] - 1);
            negativeAdjust[c] = rightShift[c] == 0 ? 0 : -1;
        }
        this.outputOffset = q.outputOffset();
        this.actMin = q.actMin();
        this.actMax = q.actMax();
    }

    /**
     * {@link FixedPoint#multiplyByQuantizedMultiplier}{@code (acc, multiplier[c], shift[c])}, with
     * the same result for every int {@code acc}:
     * <ul>
     * <li>SaturatingRoundingDoublingHighMul(x, m) = trunc((x*m + nudge) / 2^31) with nudge 2^30
     *     for x*m >= 0 and 1 - 2^30 below. For p = x*m < 0, trunc(u / 2^31) = floor((u + 2^31 - 1) / 2^31)
     *     with u = p + 1 - 2^30, which is floor((p + 2^30) / 2^31): one formula, an arithmetic shift,
     *     for both signs. Saturation needs x = m = INT_MIN; m >= 0 here.</li>
     * <li>RoundingDivideByPOT(h, e) rounds h / 2^e half away from zero: floor((h + 2^(e-1)) / 2^e)
     *     for h >= 0, floor((h + 2^(e-1) - 1) / 2^e) for h < 0 (a remainder of exactly half rounds
     *     down there); e = 0 returns h.</li>
     * </ul>
     */
    int requantize(int acc, int c) {
        int x = acc * leftFactor[c];
        int h = (int) (((long) x * multiplier[c] + (1L << 30)) >> 31);
        return (int) ((h + half[c] + ((h >> 31) & negativeAdjust[c])) >> rightShift[c]);
    }

    /** Stores {@code acc[0 .. n)}, the accumulators of channels {@code channel0 ..}, at {@code out[pos ..]}. */
    void store(int[] acc, int channel0, int n, byte[] out, int pos) {
        for (int i = 0; i < n; i++) {
            int v = requantize(acc[i], channel0 + i) + outputOffset;
            out[pos + i] = (byte) Math.max(actMin, Math.min(actMax, v));
        }
    }

    /** Stores {@code acc[0 .. n)}, all of {@code channel}, at {@code out[pos]}, {@code out[pos + stride]}, ... */
    void storeStrided(int[] acc, int channel, int n, byte[] out, int pos, int stride) {
        for (int i = 0; i < n; i++) {
            int v = requantize(acc[i], channel) + outputOffset;
            out[pos + i * stride] = (byte) Math.max(actMin, Math.min(actMax, v));
        }
    }
}
