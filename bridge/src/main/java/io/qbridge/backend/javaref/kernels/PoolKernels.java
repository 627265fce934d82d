package io.qbridge.backend.javaref.kernels;

import io.qbridge.DataType;
import io.qbridge.backend.javaref.JavaKernel;
import io.qbridge.backend.javaref.KernelContext;
import io.qbridge.backend.javaref.Parallel;
import io.qbridge.plan.PlannedOp;
import io.qbridge.plan.ops.PoolOps.Pool2DParams;

import static io.qbridge.backend.javaref.KernelContext.FLOATS;

/**
 * AVERAGE_POOL_2D and MAX_POOL_2D as TFLite's reference kernels (reference/pooling.h,
 * reference/integer_ops/pooling.h). The window is clipped to the input, so padding never
 * contributes; the quantized average rounds half away from zero ({@code (acc +- n/2) / n} with
 * C's truncating division), which for uint8's non-negative sums is the uint8 kernel's
 * {@code (acc + n/2) / n}. Float min/max follow std::min/std::max (NaN handling and signed zeros
 * as in C++). Threads split output rows.
 */
final class PoolKernels {
    private PoolKernels() {
    }

    static JavaKernel pool(PlannedOp op, KernelContext ctx) {
        Pool2DParams p = (Pool2DParams) op.params();
        byte[] arena = ctx.arena();
        int in = ctx.offset(op.input(0));
        int out = ctx.offset(op.output(0));
        Parallel par = ctx.parallel();
        int rows = p.batches() * p.outH();
        int minRows = Math.max(1, 200_000 / Math.max(1, p.outW() * p.channels() * p.filterH() * p.filterW()));
        if (p.type() == DataType.FLOAT32) {
            return p.average()
                    ? () -> par.forRange(rows, minRows, (r0, r1) -> averageFloat(p, arena, in, out, r0, r1))
                    : () -> par.forRange(rows, minRows, (r0, r1) -> maxFloat(p, arena, in, out, r0, r1));
        }
        int mask = p.type() == DataType.UINT8 ? 0xFF : -1;
        int lowest = p.type().minValue();
        return p.average()
                ? () -> par.forRange(rows, minRows, (r0, r1) -> averageQuantized(p, arena, in, out, mask, r0, r1))
                : () -> par.forRange(rows, minRows, (r0, r1) -> maxQuantized(p, arena, in, out, mask, lowest, r0, r1));
    }

    private static void averageQuantized(Pool2DParams p, byte[] arena, int in, int out, int mask, int r0, int r1) {
        int inH = p.inH(), inW = p.inW(), channels = p.channels(), outH = p.outH(), outW = p.outW();
        int actMin = p.actMin(), actMax = p.actMax();
        for (int row = r0; row < r1; row++) {
            int b = row / outH;
            int oy = row % outH;
            int inBatch = in + b * inH * inW * channels;
            int iy0 = oy * p.strideH() - p.padTop();
            int fy0 = Math.max(0, -iy0);
            int fy1 = Math.min(p.filterH(), inH - iy0);
            for (int ox = 0; ox < outW; ox++) {
                int ix0 = ox * p.strideW() - p.padLeft();
                int fx0 = Math.max(0, -ix0);
                int fx1 = Math.min(p.filterW(), inW - ix0);
                int count = Math.max(0, fy1 - fy0) * Math.max(0, fx1 - fx0);
                int outPixel = out + (row * outW + ox) * channels;
                for (int c = 0; c < channels; c++) {
                    int acc = 0;
                    for (int fy = fy0; fy < fy1; fy++) {
                        int rowBase = inBatch + ((iy0 + fy) * inW + ix0) * channels + c;
                        for (int fx = fx0; fx < fx1; fx++) {
                            acc += arena[rowBase + fx * channels] & mask;
                        }
                    }
                    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    arena[outPixel + c] = (byte) Math.min(actMax, Math.max(actMin, acc));
                }
            }
        }
    }

    private static void maxQuantized(Pool2DParams p, byte[] arena, int in, int out, int mask, int lowest,
                                     int r0, int r1) {
        int inH = p.inH(), inW = p.inW(), channels = p.channels(), outH = p.outH(), outW = p.outW();
        int actMin = p.actMin(), actMax = p.actMax();
        for (int row = r0; row < r1; row++) {
            int b = row / outH;
            int oy = row % outH;
            int inBatch = in + b * inH * inW * channels;
            int iy0 = oy * p.strideH() - p.padTop();
            int fy0 = Math.max(0, -iy0);
            int fy1 = Math.min(p.filterH(), inH - iy0);
            for (int ox = 0; ox < outW; ox++) {
                int ix0 = ox * p.strideW() - p.padLeft();
                int fx0 = Math.max(0, -ix0);
                int fx1 = Math.min(p.filterW(), inW - ix0);
                int outPixel = out + (row * outW + ox) * channels;
                for (int c = 0; c < channels; c++) {
                    int max = lowest;
                    for (int fy = fy0; fy < fy1; fy++) {
                        int rowBase = inBatch + ((iy0 + fy) * inW + ix0) * channels + c;
                        for (int fx = fx0; fx < fx1; fx++) {
                            max = Math.max(max, arena[rowBase + fx * channels] & mask);
                        }
                    }
                    arena[outPixel + c] = (byte) Math.min(actMax, Math.max(actMin, max));
                }
            }
        }
    }

    private static void averageFloat(Pool2DParams p, byte[] arena, int in, int out, int r0, int r1) {
        int inH = p.inH(), inW = p.inW(), channels = p.channels(), outH = p.outH(), outW = p.outW();
        float actMin = p.actMinF(), actMax = p.actMaxF();
        for (int row = r0; row < r1; row++) {
            int b = row / outH;
            int oy = row % outH;
            int inBatch = in + b * inH * inW * channels * 4;
            int iy0 = oy * p.strideH() - p.padTop();
            int fy0 = Math.max(0, -iy0);
            int fy1 = Math.min(p.filterH(), inH - iy0);
            for (int ox = 0; ox < outW; ox++) {
                int ix0 = ox * p.strideW() - p.padLeft();
                int fx0 = Math.max(0, -ix0);
                int fx1 = Math.min(p.filterW(), inW - ix0);
                float count = (float) (Math.max(0, fy1 - fy0) * Math.max(0, fx1 - fx0));
                int outPixel = out + (row * outW + ox) * channels * 4;
                for (int c = 0; c < channels; c++) {
                    float total = 0f;
                    for (int fy = fy0; fy < fy1; fy++) {
                        int rowBase = inBatch + (((iy0 + fy) * inW + ix0) * channels + c) * 4;
                        for (int fx = fx0; fx < fx1; fx++) {
                            total += (float) FLOATS.get(arena, rowBase + fx * channels * 4);
                        }
                    }
                    FLOATS.set(arena, outPixel + c * 4, clamp(total / count, actMin, actMax));
                }
            }
        }
    }

    private static void maxFloat(Pool2DParams p, byte[] arena, int in, int out, int r0, int r1) {
        int inH = p.inH(), inW = p.inW(), channels = p.channels(), outH = p.outH(), outW = p.outW();
        float actMin = p.actMinF(), actMax = p.actMaxF();
        for (int row = r0; row < r1; row++) {
            int b = row / outH;
            int oy = row % outH;
            int inBatch = in + b * inH * inW * channels * 4;
            int iy0 = oy * p.strideH() - p.padTop();
            int fy0 = Math.max(0, -iy0);
            int fy1 = Math.min(p.filterH(), inH - iy0);
            for (int ox = 0; ox < outW; ox++) {
                int ix0 = ox * p.strideW() - p.padLeft();
                int fx0 = Math.max(0, -ix0);
                int fx1 = Math.min(p.filterW(), inW - ix0);
                int outPixel = out + (row * outW + ox) * channels * 4;
                for (int c = 0; c < channels; c++) {
                    float max = -Float.MAX_VALUE;
                    for (int fy = fy0; fy < fy1; fy++) {
                        int rowBase = inBatch + (((iy0 + fy) * inW + ix0) * channels + c) * 4;
                        for (int fx = fx0; fx < fx1; fx++) {
                            float v = (float) FLOATS.get(arena, rowBase + fx * channels * 4);
                            max = max < v ? v : max;           // std::max(max, v)
                        }
                    }
                    FLOATS.set(arena, outPixel + c * 4, clamp(max, actMin, actMax));
                }
            }
        }
    }

    /** TFLite's ActivationFunctionWithMinMax: std::min(std::max(x, min), max). */
    static float clamp(float x, float min, float max) {
        float y = x < min ? min : x;
        return max < y ? max : y;
    }
}
