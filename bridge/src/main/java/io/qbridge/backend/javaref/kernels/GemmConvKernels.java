package io.qbridge.backend.javaref.kernels;

import io.qbridge.DataType;
import io.qbridge.backend.javaref.JavaKernel;
import io.qbridge.backend.javaref.KernelContext;
import io.qbridge.backend.javaref.Parallel;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.PlannedOp;
import io.qbridge.plan.ops.ConvOps.ConvParams;
import io.qbridge.plan.ops.ConvOps.FullyConnectedParams;
import io.qbridge.plan.ops.ConvOps.Requant;

import java.nio.ByteBuffer;

/**
 * CONV_2D and FULLY_CONNECTED as a matrix product over output pixels:
 * {@code out[pixel][oc] = sum over the receptive field k of filter[oc][k] * input[pixel][k] + bias[oc]}
 * (FULLY_CONNECTED is a 1x1 convolution of a 1x1 image with one pixel per batch row). Quantized,
 * the factors are {@code filter + filterOffset} and {@code input + inputOffset}, then the
 * {@link OutputStage}; float, the activation clamp.
 *
 * <p>Same bits as the reference loop (TFLite's order: taps row by row, then input channels):
 * <ul>
 * <li>each output is summed by one thread, always in the reference's order, skipping padded
 *     taps as the reference does; so float sums round identically and any thread count gives the
 *     same bytes. (Quantized sums would not even need the order: int32 wraps modulo 2^32.)</li>
 * <li>weights are unpacked once into {@code [block][k][channel]}, offset added, so the innermost
 *     loop is {@code acc[o] += x * w[k][o]} over contiguous channels, which the JIT vectorizes;
 *     four k per pass (added left to right) halve the accumulator loads and stores;</li>
 * <li>a block of channels ({@value #BLOCK_BYTES} bytes of weights at most) stays in cache while a
 *     tile of pixels uses it;</li>
 * <li>along a filter row with dilation 1 the valid taps are one contiguous run of input values and
 *     of weight rows, so a 3x3 conv on 3 channels makes runs of 9, not 3.</li>
 * </ul>
 * Threads split the pixels, or the channel blocks when there are few pixels (FULLY_CONNECTED).
 */
final class GemmConvKernels {
    /** Weights of one channel block, small enough to stay in a core's cache while pixels reuse them. */
    static final int BLOCK_BYTES = 128 * 1024;
    /** Pixels that reuse one weight block before the next block is loaded. */
    private static final int PIXEL_TILE = 16;
    /** Multiply-adds below which a chunk is not worth a thread. */
    private static final long MIN_MACS_PER_CHUNK = 200_000;

    private GemmConvKernels() {
    }

    static JavaKernel conv(ConvParams p, PlannedOp op, KernelContext ctx) {
        Geometry g = new Geometry(ctx.offset(op.input(0)), ctx.offset(op.output(0)), p.batches(), p.inH(), p.inW(),
                p.inC(), p.outH(), p.outW(), p.outC(), p.filterH(), p.filterW(), p.strideH(), p.strideW(),
                p.dilationH(), p.dilationW(), p.padTop(), p.padLeft());
        return create(g, p.type(), p.filter(), p.bias(), p.requant(), ctx);
    }

    static JavaKernel fullyConnected(FullyConnectedParams p, PlannedOp op, KernelContext ctx) {
        Geometry g = new Geometry(ctx.offset(op.input(0)), ctx.offset(op.output(0)), p.batches(), 1, 1, p.inDepth(),
                1, 1, p.outDepth(), 1, 1, 1, 1, 1, 1, 0, 0);
        return create(g, p.type(), p.filter(), p.bias(), p.requant(), ctx);
    }

    private static JavaKernel create(Geometry g, DataType type, TensorSpec filter, TensorSpec bias, Requant q,
                                     KernelContext ctx) {
        if (type == DataType.FLOAT32) {
            return new FloatGemm(g, filter, bias, q, ctx);
        }
        return new QuantizedGemm(g, type, filter, bias, q, ctx);
    }

    /** NHWC shapes, arena offsets (bytes) of input and output, and the filter window. */
    record Geometry(int in, int out, int batches, int inH, int inW, int inC, int outH, int outW, int outC,
                    int filterH, int filterW, int strideH, int strideW, int dilationH, int dilationW,
                    int padTop, int padLeft) {
        int depth() {
            return filterH * filterW * inC;
        }

        int pixels() {
            return batches * outH * outW;
        }
    }

    /** Walks pixels, channel blocks and filter runs; the subclass supplies the arithmetic. */
    private abstract static class Gemm implements JavaKernel {
        final Geometry g;
        final int depth;
        /** Channels per weight block (the last block may be narrower). */
        final int blockWidth;
        final int blocks;
        private final Parallel par;
        private final Parallel.ChunkBody overPixels;
        private final Parallel.ChunkBody overBlocks;
        private final int minPixels;

        Gemm(Geometry g, KernelContext ctx, int bytesPerWeight) {
            this.g = g;
            this.depth = g.depth();
            int width = (int) Math.min(g.outC(), Math.max(8, BLOCK_BYTES / ((long) bytesPerWeight * Math.max(1, depth))));
            this.blockWidth = width >= g.outC() ? Math.max(1, g.outC()) : width & ~7;
            this.blocks = (g.outC() + blockWidth - 1) / blockWidth;
            this.par = ctx.parallel();
            this.minPixels = (int) Math.max(1, MIN_MACS_PER_CHUNK / Math.max(1L, (long) depth * g.outC()));
            this.overPixels = (chunk, p0, p1) -> compute(chunk, p0, p1, 0, blocks);
            int pixels = g.pixels();
            this.overBlocks = (chunk, b0, b1) -> compute(chunk, 0, pixels, b0, b1);
        }

        /** Width of block {@code b}. */
        final int width(int b) {
            return Math.min(blockWidth, g.outC() - b * blockWidth);
        }

        @Override
        public final void run() {
            int pixels = g.pixels();
            if (pixels >= 4 * par.threads() || blocks == 1) {
                par.forChunks(pixels, minPixels, overPixels);
            } else {
                int minBlocks = (int) Math.max(1, MIN_MACS_PER_CHUNK / Math.max(1L, (long) pixels * depth * blockWidth));
                par.forChunks(blocks, minBlocks, overBlocks);
            }
        }

        private void compute(int chunk, int p0, int p1, int b0, int b1) {
            for (int t0 = p0; t0 < p1; t0 += PIXEL_TILE) {
                int t1 = Math.min(p1, t0 + PIXEL_TILE);
                for (int b = b0; b < b1; b++) {
                    int n0 = b * blockWidth;
                    int width = width(b);
                    for (int pixel = t0; pixel < t1; pixel++) {
                        startPixel(chunk, n0, width);
                        accumulatePixel(chunk, pixel, n0 * depth, width);
                        finishPixel(chunk, pixel * g.outC() + n0, n0, width);
                    }
                }
            }
        }

        /** Feeds the valid taps of one output pixel to {@link #accumulate}, in the reference's order. */
        private void accumulatePixel(int chunk, int pixel, int blockStart, int width) {
            Geometry g = this.g;
            int perImage = g.outH() * g.outW();
            int b = pixel / perImage;
            int rest = pixel - b * perImage;
            int oy = rest / g.outW();
            int ox = rest - oy * g.outW();
            int iy0 = oy * g.strideH() - g.padTop();
            int ix0 = ox * g.strideW() - g.padLeft();
            int inC = g.inC();
            for (int ky = 0; ky < g.filterH(); ky++) {
                int iy = iy0 + ky * g.dilationH();
                if (iy < 0 || iy >= g.inH()) {
                    continue;
                }
                int row = (b * g.inH() + iy) * g.inW();
                int tapRow = ky * g.filterW();
                if (g.dilationW() == 1) {
                    int kx0 = Math.max(0, -ix0);
                    int kx1 = Math.min(g.filterW(), g.inW() - ix0);
                    if (kx0 < kx1) {
                        accumulate(chunk, (row + ix0 + kx0) * inC, (kx1 - kx0) * inC,
                                blockStart + (tapRow + kx0) * inC * width, width);
                    }
                } else {
                    for (int kx = 0; kx < g.filterW(); kx++) {
                        int ix = ix0 + kx * g.dilationW();
                        if (ix >= 0 && ix < g.inW()) {
                            accumulate(chunk, (row + ix) * inC, inC, blockStart + (tapRow + kx) * inC * width, width);
                        }
                    }
                }
            }
        }

        /** Sets the chunk's accumulators of channels {@code n0 .. n0 + width} to their start value. */
        abstract void startPixel(int chunk, int n0, int width);

        /**
         * Adds input elements {@code src .. src + len} (element index in the input tensor) times
         * weight rows {@code w, w + width, ...} to the accumulators.
         */
        abstract void accumulate(int chunk, int src, int len, int w, int width);

        /** Writes the accumulators to output elements {@code dst ..}. */
        abstract void finishPixel(int chunk, int dst, int n0, int width);
    }

    /** uint8 (per-tensor) and int8 (per-channel, or per-tensor with a weights zero point for FC). */
    private static final class QuantizedGemm extends Gemm {
        private final byte[] arena;
        private final int mask;
        private final int inputOffset;
        private final int[] weights;
        private final int[] bias;
        private final OutputStage stage;
        private final int[][] acc;

        QuantizedGemm(Geometry g, DataType type, TensorSpec filter, TensorSpec bias, Requant q, KernelContext ctx) {
            super(g, ctx, 4);
            this.arena = ctx.arena();
            boolean unsigned = type == DataType.UINT8;
            this.mask = unsigned ? 0xFF : -1;
            this.inputOffset = q.inputOffset();
            ByteBuffer f = filter.data();
            int filterOffset = q.filterOffset();
            this.weights = new int[g.outC() * depth];
            for (int b = 0; b < blocks; b++) {
                int n0 = b * blockWidth;
                int width = width(b);
                int base = n0 * depth;
                for (int o = 0; o < width; o++) {
                    int from = (n0 + o) * depth;
                    for (int k = 0; k < depth; k++) {
                        byte v = f.get(from + k);
                        weights[base + k * width + o] = (unsigned ? v & 0xFF : v) + filterOffset;
                    }
                }
            }
            this.bias = bias == null ? new int[g.outC()] : KernelContext.ints(bias);
            this.stage = new OutputStage(q);
            this.acc = new int[ctx.parallel().threads()][blockWidth];
        }

        @Override
        void startPixel(int chunk, int n0, int width) {
            System.arraycopy(bias, n0, acc[chunk], 0, width);
        }

        @Override
        void accumulate(int chunk, int src, int len, int w, int width) {
            int[] a = acc[chunk];
            int[] wt = weights;
            byte[] x = arena;
            int at = g.in() + src;
            int mask = this.mask;
            int xo = inputOffset;
            int k = 0;
            for (; k + 4 <= len; k += 4) {
                int x0 = (x[at + k] & mask) + xo;
                int x1 = (x[at + k + 1] & mask) + xo;
                int x2 = (x[at + k + 2] & mask) + xo;
                int x3 = (x[at + k + 3] & mask) + xo;
                int w0 = w + k * width;
                int w1 = w0 + width;
                int w2 = w1 + width;
                int w3 = w2 + width;
                for (int o = 0; o < width; o++) {
                    a[o] += x0 * wt[w0 + o] + x1 * wt[w1 + o] + x2 * wt[w2 + o] + x3 * wt[w3 + o];
                }
            }
            for (; k < len; k++) {
                int x0 = (x[at + k] & mask) + xo;
                int w0 = w + k * width;
                for (int o = 0; o < width; o++) {
                    a[o] += x0 * wt[w0 + o];
                }
            }
        }

        @Override
        void finishPixel(int chunk, int dst, int n0, int width) {
            stage.store(acc[chunk], n0, width, arena, g.out() + dst);
        }
    }

    /** float32: the reference's float sum, one product at a time, left to right, then the bias. */
    private static final class FloatGemm extends Gemm {
        private final byte[] arena;
        private final float[] weights;
        private final float[] bias;
        private final float actMin;
        private final float actMax;
        private final float[][] acc;

        FloatGemm(Geometry g, TensorSpec filter, TensorSpec bias, Requant q, KernelContext ctx) {
            super(g, ctx, 4);
            this.arena = ctx.arena();
            float[] f = KernelContext.floats(filter);
            this.weights = new float[g.outC() * depth];
            for (int b = 0; b < blocks; b++) {
                int n0 = b * blockWidth;
                int width = width(b);
                int base = n0 * depth;
                for (int o = 0; o < width; o++) {
                    int from = (n0 + o) * depth;
                    for (int k = 0; k < depth; k++) {
                        weights[base + k * width + o] = f[from + k];
                    }
                }
            }
            this.bias = bias == null ? new float[g.outC()] : KernelContext.floats(bias);
            this.actMin = q.actMinF();
            this.actMax = q.actMaxF();
            this.acc = new float[ctx.parallel().threads()][blockWidth];
        }

        @Override
        void startPixel(int chunk, int n0, int width) {
            java.util.Arrays.fill(acc[chunk], 0, width, 0f);
        }

        @Override
        void accumulate(int chunk, int src, int len, int w, int width) {
            float[] a = acc[chunk];
            float[] wt = weights;
            byte[] x = arena;
            int at = g.in() + src * 4;
            int k = 0;
            for (; k + 4 <= len; k += 4) {
                float x0 = (float) KernelContext.FLOATS.get(x, at + k * 4);
                float x1 = (float) KernelContext.FLOATS.get(x, at + k * 4 + 4);
                float x2 = (float) KernelContext.FLOATS.get(x, at + k * 4 + 8);
                float x3 = (float) KernelContext.FLOATS.get(x, at + k * 4 + 12);
                int w0 = w + k * width;
                int w1 = w0 + width;
                int w2 = w1 + width;
                int w3 = w2 + width;
                for (int o = 0; o < width; o++) {
                    // Four separate roundings in the reference's order: ((((a + p0) + p1) + p2) + p3).
                    a[o] = a[o] + x0 * wt[w0 + o] + x1 * wt[w1 + o] + x2 * wt[w2 + o] + x3 * wt[w3 + o];
                }
            }
            for (; k < len; k++) {
                float x0 = (float) KernelContext.FLOATS.get(x, at + k * 4);
                int w0 = w + k * width;
                for (int o = 0; o < width; o++) {
                    a[o] += x0 * wt[w0 + o];
                }
            }
        }

        @Override
        void finishPixel(int chunk, int dst, int n0, int width) {
            float[] a = acc[chunk];
            int at = g.out() + dst * 4;
            for (int o = 0; o < width; o++) {
                float v = a[o] + bias[n0 + o];
                KernelContext.FLOATS.set(arena, at + o * 4, Math.max(actMin, Math.min(actMax, v)));
            }
        }
    }
}
