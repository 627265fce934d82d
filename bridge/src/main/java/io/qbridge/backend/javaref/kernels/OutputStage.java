package io.qbridge.backend.javaref.kernels;

import io.qbridge.numerics.FixedPoint;
import io.qbridge.plan.ops.ConvOps.Requant;

/**
 * The quantized output stage of conv-like ops (TFLite's reference, in order): requantize each
 * int32 accumulator with its channel's multiplier and shift, add the output zero point, clamp to
 * the activation range, store the byte.
 */
final class OutputStage {
    private final int[] multiplier;
    private final int[] shift;
    private final int outputOffset;
    private final int actMin;
    private final int actMax;

    OutputStage(Requant q) {
        this.multiplier = q.multiplier();
        this.shift = q.shift();
        this.outputOffset = q.outputOffset();
        this.actMin = q.actMin();
        this.actMax = q.actMax();
    }

    /** Stores {@code acc[0 .. n)}, the accumulators of channels {@code channel0 ..}, at {@code out[pos ..]}. */
    void store(int[] acc, int channel0, int n, byte[] out, int pos) {
        for (int i = 0; i < n; i++) {
            int c = channel0 + i;
            int v = FixedPoint.multiplyByQuantizedMultiplier(acc[i], multiplier[c], shift[c]) + outputOffset;
            out[pos + i] = (byte) Math.max(actMin, Math.min(actMax, v));
        }
    }
}
