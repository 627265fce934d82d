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
    /**
     * Per channel c, at 4c: multiplier, 2^max(shift, 0), the rounding right shift e = max(-shift, 0),
     * and half = 2^(e-1) (0 when e = 0). Packed so one base address serves the four loads.
     */
    private final int[] constants;
    /** Whether every channel has the same constants (per-tensor quantization): they stay in registers. */
    private final boolean uniform;
    private final int outputOffset;
    private final int actMin;
    private final int actMax;

    OutputStage(Requant q) {
        int n = q.multiplier().length;
        this.constants = new int[4 * n];
        boolean same = true;
        for (int c = 0; c < n; c++) {
            int multiplier = q.multiplier()[c];
            int shift = q.shift()[c];
            if (multiplier < 0 || shift > 30 || shift < -31) {
                // QuantizeMultiplier never makes these; the branch-free form below assumes it.
                throw new IllegalArgumentException("multiplier " + multiplier + " shift " + shift + " of channel " + c);
            }
            int e = Math.max(-shift, 0);
            constants[4 * c] = multiplier;
            constants[4 * c + 1] = 1 << Math.max(shift, 0);
            constants[4 * c + 2] = e;
            constants[4 * c + 3] = (1 << e) >>> 1;
            same &= multiplier == q.multiplier()[0] && shift == q.shift()[0];
        }
        this.uniform = same;
        this.outputOffset = q.outputOffset();
        this.actMin = q.actMin();
        this.actMax = q.actMax();
    }

    /**
     * {@link FixedPoint#multiplyByQuantizedMultiplier}{@code (acc, multiplier, shift)} for the
     * constants above, with the same result for every int {@code acc}:
     * <ul>
     * <li>SaturatingRoundingDoublingHighMul(x, m) = trunc((x*m + nudge) / 2^31) with nudge 2^30
     *     for x*m >= 0 and 1 - 2^30 below. For p = x*m < 0, trunc(u / 2^31) = floor((u + 2^31 - 1) / 2^31)
     *     with u = p + 1 - 2^30, which is floor((p + 2^30) / 2^31): one formula, an arithmetic shift,
     *     for both signs. Saturation needs x = m = INT_MIN; m >= 0 here.</li>
     * <li>RoundingDivideByPOT(h, e) rounds h / 2^e half away from zero: floor((h + 2^(e-1)) / 2^e)
     *     for h >= 0, floor((h + 2^(e-1) - 1) / 2^e) for h < 0 (a remainder of exactly half rounds
     *     down there); e = 0 returns h. {@code (h >> 31) & -(half > 0)} is that -1.</li>
     * </ul>
     */
    static int requantize(int acc, int multiplier, int leftFactor, int e, int half) {
        int h = (int) (((long) (acc * leftFactor) * multiplier + (1L << 30)) >> 31);
        return (int) (((long) h + half + ((h >> 31) & (-half >> 31))) >> e);
    }

    /** {@link #requantize(int, int, int, int, int)} with channel {@code c}'s constants. */
    int requantize(int acc, int c) {
        int[] k = constants;
        return requantize(acc, k[4 * c], k[4 * c + 1], k[4 * c + 2], k[4 * c + 3]);
    }

    /** Stores {@code acc[0 .. n)}, the accumulators of channels {@code channel0 ..}, at {@code out[pos ..]}. */
    void store(int[] acc, int channel0, int n, byte[] out, int pos) {
        store(acc, 0, channel0, n, out, pos);
    }

    /** Stores {@code acc[from .. from + n)}, the accumulators of channels {@code channel0 ..}, at {@code out[pos ..]}. */
    void store(int[] acc, int from, int channel0, int n, byte[] out, int pos) {
        if (uniform) {
            storeStrided(acc, from, 0, n, out, pos, 1);
            return;
        }
        int[] k = constants;
        int zero = outputOffset;
        int lo = actMin;
        int hi = actMax;
        for (int i = 0; i < n; i++) {
            int c = 4 * (channel0 + i);
            int v = requantize(acc[from + i], k[c], k[c + 1], k[c + 2], k[c + 3]) + zero;
            out[pos + i] = (byte) Math.max(lo, Math.min(hi, v));
        }
    }

    /** Stores {@code acc[0 .. n)}, all of {@code channel}, at {@code out[pos]}, {@code out[pos + stride]}, ... */
    void storeStrided(int[] acc, int channel, int n, byte[] out, int pos, int stride) {
        storeStrided(acc, 0, channel, n, out, pos, stride);
    }

    private void storeStrided(int[] acc, int from, int channel, int n, byte[] out, int pos, int stride) {
        int[] k = constants;
        int multiplier = k[4 * channel];
        int leftFactor = k[4 * channel + 1];
        int e = k[4 * channel + 2];
        int half = k[4 * channel + 3];
        int zero = outputOffset;
        int lo = actMin;
        int hi = actMax;
        for (int i = 0; i < n; i++) {
            int v = requantize(acc[from + i], multiplier, leftFactor, e, half) + zero;
            out[pos + i * stride] = (byte) Math.max(lo, Math.min(hi, v));
        }
    }
}
