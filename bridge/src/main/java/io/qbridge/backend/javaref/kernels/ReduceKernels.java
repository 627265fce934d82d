package io.qbridge.backend.javaref.kernels;

import io.qbridge.DataType;
import io.qbridge.backend.javaref.JavaKernel;
import io.qbridge.backend.javaref.KernelContext;
import io.qbridge.backend.javaref.Parallel;
import io.qbridge.numerics.FixedPoint;
import io.qbridge.plan.PlannedOp;
import io.qbridge.plan.ops.ReduceOps.MeanParams;

import static io.qbridge.backend.javaref.KernelContext.FLOATS;

/**
 * MEAN as TFLite's reference kernels (reference/reduce.h: {@code Mean} for float,
 * {@code QuantizedMeanOrSum} for int8/uint8). Each output's elements are summed in increasing
 * input order, as TFLite's input-order walk does, so float sums round identically. When the
 * innermost dimension is kept, whole rows are added at once into an accumulator sized to the
 * output (allocated when compiled); threads split the outputs.
 */
final class ReduceKernels {
    private ReduceKernels() {
    }

    static JavaKernel mean(PlannedOp op, KernelContext ctx) {
        MeanParams p = (MeanParams) op.params();
        byte[] arena = ctx.arena();
        int in = ctx.offset(op.input(0));
        int out = ctx.offset(op.output(0));
        Parallel par = ctx.parallel();
        int[] dims = p.dims();
        boolean[] reduced = p.reduced();
        int n = dims.length;
        int inner = n > 0 && !reduced[n - 1] ? dims[n - 1] : 1;     // kept innermost run, added as rows
        int[] outputOffsets = p.outputOffsets();
        int[] reducedOffsets = p.reducedOffsets();
        int outputs = p.outputCount();
        int minChunk = Math.max(1, 65_536 / Math.max(1, p.reducedCount()));
        if (p.type() == DataType.FLOAT32) {
            float[] acc = new float[outputs];
            return () -> par.forRange(outputs, minChunk, (o0, o1) -> {
                if (p.reducedCount() == 0) {
                    for (int o = o0; o < o1; o++) {
                        FLOATS.set(arena, out + o * 4, Float.NaN);   // TFLite's output for an empty input
                    }
                    return;
                }
                sumFloat(arena, in, inner, outputOffsets, reducedOffsets, acc, o0, o1);
                float count = (float) p.reducedCount();
                for (int o = o0; o < o1; o++) {
                    FLOATS.set(arena, out + o * 4, acc[o] / count);
                }
            });
        }
        int[] acc = new int[outputs];
        int mask = p.type() == DataType.UINT8 ? 0xFF : -1;
        int min = p.type().minValue();
        int max = p.type().maxValue();
        int zeroPointTimesCount = p.zeroPointTimesCount();
        return () -> par.forRange(outputs, minChunk, (o0, o1) -> {
            if (p.reducedCount() == 0) {
                for (int o = o0; o < o1; o++) {
                    arena[out + o] = 0;
                }
                return;
            }
            sumQuantized(arena, in, mask, inner, outputOffsets, reducedOffsets, acc, o0, o1);
            for (int o = o0; o < o1; o++) {
                int v = FixedPoint.multiplyByQuantizedMultiplier(acc[o] - zeroPointTimesCount, p.multiplier(),
                        p.shift()) + p.outputZeroPoint();
                arena[out + o] = (byte) Math.min(max, Math.max(min, v));
            }
        });
    }

    /**
     * Sums outputs [o0, o1) into acc. Outputs come in groups of {@code inner} consecutive ones
     * (the kept innermost dimension, contiguous in the input): each reduced offset adds a row.
     */
    private static void sumQuantized(byte[] arena, int in, int mask, int inner, int[] outputOffsets,
                                     int[] reducedOffsets, int[] acc, int o0, int o1) {
        for (int o = o0; o < o1; ) {
            int g = o / inner;
            int c0 = o - g * inner;
            int c1 = Math.min(inner, c0 + (o1 - o));
            int accBase = g * inner;
            for (int c = c0; c < c1; c++) {
                acc[accBase + c] = 0;
            }
            int groupBase = in + outputOffsets[accBase];
            for (int reducedOffset : reducedOffsets) {
                int row = groupBase + reducedOffset;
                for (int c = c0; c < c1; c++) {
                    acc[accBase + c] += arena[row + c] & mask;
                }
            }
            o += c1 - c0;
        }
    }

    private static void sumFloat(byte[] arena, int in, int inner, int[] outputOffsets, int[] reducedOffsets,
                                 float[] acc, int o0, int o1) {
        for (int o = o0; o < o1; ) {
            int g = o / inner;
            int c0 = o - g * inner;
            int c1 = Math.min(inner, c0 + (o1 - o));
            int accBase = g * inner;
            for (int c = c0; c < c1; c++) {
                acc[accBase + c] = 0f;
            }
            int groupBase = in + outputOffsets[accBase] * 4;
            for (int reducedOffset : reducedOffsets) {
                int row = groupBase + reducedOffset * 4;
                for (int c = c0; c < c1; c++) {
                    acc[accBase + c] += (float) FLOATS.get(arena, row + c * 4);
                }
            }
            o += c1 - c0;
        }
    }
}
