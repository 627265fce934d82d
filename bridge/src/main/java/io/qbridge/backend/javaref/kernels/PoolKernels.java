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

    /**
     * One output pixel's window, clipped to the input: {@code first} is the element index of its
     * top-left input pixel (channel 0), {@code rowStride} the elements from one window row to the
     * next, {@code rows x cols} its size; {@code outPixel} is the output element index (channel 0).
     */
    @FunctionalInterface
    private interface WindowBody {
        void run(int outPixel, int first, int rowStride, int rows, int cols);
    }

    /** Walks the output pixels of rows [r0, r1) (batch-major), giving each its clipped window. */
    private static void forEachWindow(Pool2DParams p, int r0, int r1, WindowBody body) {
        int inH = p.inH(), inW = p.inW(), channels = p.channels(), outH = p.outH(), outW = p.outW();
        int rowStride = inW * channels;
        for (int row = r0; row < r1; row++) {
            int b = row / outH;
            int oy = row % outH;
            int iy0 = oy * p.strideH() - p.padTop();
            int fy0 = Math.max(0, -iy0);
            int fy1 = Math.min(p.filterH(), inH - iy0);
            for (int ox = 0; ox < outW; ox++) {
                int ix0 = ox * p.strideW() - p.padLeft();
                int fx0 = Math.max(0, -ix0);
                int fx1 = Math.min(p.filterW(), inW - ix0);
                int first = ((b * inH + iy0 + fy0) * inW + ix0 + fx0) * channels;
                body.run((row * outW + ox) * channels, first, rowStride,
                        Math.max(0, fy1 - fy0), Math.max(0, fx1 - fx0));
            }
        }
    }

    private static void averageQuantized(Pool2DParams p, byte[] arena, int in, int out, int mask, int r0, int r1) {
        int channels = p.channels(), actMin = p.actMin(), actMax = p.actMax();
        forEachWindow(p, r0, r1, (outPixel, first, rowStride, rows, cols) -> {
            int count = rows * cols;
            for (int c = 0; c < channels; c++) {
                int acc = 0;
                for (int y = 0; y < rows; y++) {
                    int at = in + first + y * rowStride + c;
                    for (int x = 0; x < cols; x++) {
                        acc += arena[at + x * channels] & mask;
                    }
                }
                acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                arena[out + outPixel + c] = (byte) Math.min(actMax, Math.max(actMin, acc));
            }
        });
    }

    private static void maxQuantized(Pool2DParams p, byte[] arena, int in, int out, int mask, int lowest,
                                     int r0, int r1) {
        int channels = p.channels(), actMin = p.actMin(), actMax = p.actMax();
        forEachWindow(p, r0, r1, (outPixel, first, rowStride, rows, cols) -> {
            for (int c = 0; c < channels; c++) {
                int max = lowest;
                for (int y = 0; y < rows; y++) {
                    int at = in + first + y * rowStride + c;
                    for (int x = 0; x < cols; x++) {
                        max = Math.max(max, arena[at + x * channels] & mask);
                    }
                }
                arena[out + outPixel + c] = (byte) Math.min(actMax, Math.max(actMin, max));
            }
        });
    }

    private static void averageFloat(Pool2DParams p, byte[] arena, int in, int out, int r0, int r1) {
        int channels = p.channels();
        float actMin = p.actMinF(), actMax = p.actMaxF();
        forEachWindow(p, r0, r1, (outPixel, first, rowStride, rows, cols) -> {
            float count = (float) (rows * cols);
            for (int c = 0; c < channels; c++) {
                float total = 0f;
                for (int y = 0; y < rows; y++) {
                    int at = in + (first + y * rowStride + c) * 4;
                    for (int x = 0; x < cols; x++) {
                        total += (float) FLOATS.get(arena, at + x * channels * 4);
                    }
                }
                FLOATS.set(arena, out + (outPixel + c) * 4, clamp(total / count, actMin, actMax));
            }
        });
    }

    private static void maxFloat(Pool2DParams p, byte[] arena, int in, int out, int r0, int r1) {
        int channels = p.channels();
        float actMin = p.actMinF(), actMax = p.actMaxF();
        forEachWindow(p, r0, r1, (outPixel, first, rowStride, rows, cols) -> {
            for (int c = 0; c < channels; c++) {
                float max = -Float.MAX_VALUE;
                for (int y = 0; y < rows; y++) {
                    int at = in + (first + y * rowStride + c) * 4;
                    for (int x = 0; x < cols; x++) {
                        float v = (float) FLOATS.get(arena, at + x * channels * 4);
                        max = max < v ? v : max;           // std::max(max, v)
                    }
                }
                FLOATS.set(arena, out + (outPixel + c) * 4, clamp(max, actMin, actMax));
            }
        });
    }

    /** TFLite's ActivationFunctionWithMinMax: std::min(std::max(x, min), max). */
    static float clamp(float x, float min, float max) {
        float y = x < min ? min : x;
        return max < y ? max : y;
    }
}
