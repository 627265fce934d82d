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
import java.util.Arrays;

/**
 * CONV_2D and FULLY_CONNECTED as a matrix product over output pixels:
 * {@code out[pixel][oc] = sum over the receptive field k of filter[oc][k] * input[pixel][k] + bias[oc]}
 * (FULLY_CONNECTED is a 1x1 convolution of a 1x1 image with one pixel per batch row). Quantized,
 * the factors are {@code filter + filterOffset} and {@code input + inputOffset}, then the
 * {@link OutputStage}; float, the activation clamp.
 *
 * <p>Same bits as the reference loops: each output is summed by one thread; float sums run in the
 * reference's order (taps row by row, then input channels; padded taps skipped), so they round
 * identically; int32 sums wrap modulo 2^32, so their order is free. Any thread count gives the
 * same bytes.
 *
 * <p>Speed comes from loops that HotSpot's C2 vectorizes, also on aarch64: C2 (JDK 17) vectorizes
 * {@code a[i] += x * b[i] + ...} only when every array has one element type and is indexed by the
 * loop variable alone; an offset ({@code b[base + i]}) or a byte-to-int conversion in the loop
 * leaves it scalar. And each vector loop costs a few hundred instructions of scalar pre- and
 * post-loop, so it must run long. Hence two shapes of the product:
 * <ul>
 * <li><b>wide</b> (many output channels, or few pixels): per pixel, {@code acc[o] += x * w[k][o]}
 *     over the channels of a block, four k per pass; weights unpacked once into one array per
 *     (block, k); a block (at most {@value #BLOCK_BYTES} bytes) stays in cache while a tile of
 *     pixels uses it. Along a filter row with dilation 1 the valid taps are one contiguous run of
 *     input and of k.</li>
 * <li><b>narrow</b> (quantized, fewer than {@value #NARROW} output channels, as MobileNet's
 *     projections): per column of {@value #COLUMN} pixels, the input is gathered as int rows
 *     {@code xt[k][pixel]} (offset added, 0 at padded taps, which adds nothing to an integer sum),
 *     then {@code acc[o][p] += w[o][k] * xt[k][p]} over the column, four k per pass.</li>
 * </ul>
 * Threads split the pixels, or the channel blocks when there are few pixels (FULLY_CONNECTED).
 */
final class GemmConvKernels {
    /** Wide: weights of one channel block, small enough to stay in a core's cache while pixels reuse them. */
    static final int BLOCK_BYTES = 256 * 1024;
    /** Wide: pixels that reuse one weight block before the next block is loaded. */
    private static final int PIXEL_TILE = 16;
    /** Output channels below which quantized layers with a column of pixels take the narrow form. */
    static final int NARROW = 128;
    /** Narrow: pixels per column (the length of the vector loops). */
    static final int COLUMN = 256;
    /** Narrow: k rows gathered at a time (with a column, 16 KiB: stays in L1). */
    private static final int K_CHUNK = 16;
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
            return new WideFloat(g, filter, bias, q, ctx);
        }
        if (g.outC() < NARROW && g.pixels() >= COLUMN) {
            return new NarrowQuantized(g, type, filter, bias, q, ctx);
        }
        return new WideQuantized(g, type, filter, bias, q, ctx);
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

    /** The filter as {@code value(oc, k)}: quantized values with the filter offset added. */
    private static int[][] quantizedFilter(TensorSpec filter, DataType type, int filterOffset, int outC, int depth) {
        ByteBuffer f = filter.data();
        boolean unsigned = type == DataType.UINT8;
        int[][] w = new int[outC][depth];
        for (int o = 0; o < outC; o++) {
            for (int k = 0; k < depth; k++) {
                byte v = f.get(o * depth + k);
                w[o][k] = (unsigned ? v & 0xFF : v) + filterOffset;
            }
        }
        return w;
    }

    /** Walks the valid taps of output pixels as runs of k; the subclasses do the arithmetic. */
    private abstract static class Gemm implements JavaKernel {
        final Geometry g;
        final int depth;
        final Parallel par;

        Gemm(Geometry g, KernelContext ctx) {
            this.g = g;
            this.depth = g.depth();
            this.par = ctx.parallel();
        }

        /** Pixels per chunk below which a second thread is not worth it. */
        final int minPixels() {
            return (int) Math.max(1, MIN_MACS_PER_CHUNK / Math.max(1L, (long) depth * g.outC()));
        }

        /**
         * Calls {@link #tapRun} for each run of valid taps of {@code pixel}, in the reference's
         * order: input elements {@code src .. src + len} (indices into the input tensor) are the
         * receptive field's elements {@code k0 .. k0 + len}.
         */
        final void walkTaps(int chunk, int pixel, int slot) {
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
                        tapRun(chunk, slot, (row + ix0 + kx0) * inC, (kx1 - kx0) * inC, (tapRow + kx0) * inC);
                    }
                } else {
                    for (int kx = 0; kx < g.filterW(); kx++) {
                        int ix = ix0 + kx * g.dilationW();
                        if (ix >= 0 && ix < g.inW()) {
                            tapRun(chunk, slot, (row + ix) * inC, inC, (tapRow + kx) * inC);
                        }
                    }
                }
            }
        }

        /** One run of valid taps; {@code slot} is what the caller of {@link #walkTaps} passed. */
        abstract void tapRun(int chunk, int slot, int src, int len, int k0);
    }

    /** Per pixel, accumulators over a block of output channels; weights as one array per (block, k). */
    private abstract static class Wide extends Gemm {
        /** Channels per weight block (the last block may be narrower). */
        final int blockWidth;
        final int blocks;
        private final Parallel.ChunkBody overPixels;
        private final Parallel.ChunkBody overBlocks;

        Wide(Geometry g, KernelContext ctx) {
            super(g, ctx);
            int width = (int) Math.min(g.outC(), Math.max(8, BLOCK_BYTES / (4L * Math.max(1, depth))));
            this.blockWidth = width >= g.outC() ? Math.max(1, g.outC()) : width & ~7;
            this.blocks = (g.outC() + blockWidth - 1) / blockWidth;
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
                par.forChunks(pixels, minPixels(), overPixels);
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
                        walkTaps(chunk, pixel, b);
                        finishPixel(chunk, pixel * g.outC() + n0, n0, width);
                    }
                }
            }
        }

        /** Sets the chunk's accumulators of channels {@code n0 .. n0 + width} to their start value. */
        abstract void startPixel(int chunk, int n0, int width);

        /** Writes the accumulators to output elements {@code dst ..}. */
        abstract void finishPixel(int chunk, int dst, int n0, int width);
    }

    private static final class WideQuantized extends Wide {
        private final byte[] arena;
        private final int mask;
        private final int inputOffset;
        /** {@code rows[block * depth + k][o]}: the weight of channel {@code block * blockWidth + o}, offset added. */
        private final int[][] rows;
        private final int[] bias;
        private final OutputStage stage;
        private final int[][] acc;

        WideQuantized(Geometry g, DataType type, TensorSpec filter, TensorSpec bias, Requant q, KernelContext ctx) {
            super(g, ctx);
            this.arena = ctx.arena();
            this.mask = type == DataType.UINT8 ? 0xFF : -1;
            this.inputOffset = q.inputOffset();
            int[][] w = quantizedFilter(filter, type, q.filterOffset(), g.outC(), depth);
            this.rows = new int[blocks * depth][];
            for (int b = 0; b < blocks; b++) {
                for (int k = 0; k < depth; k++) {
                    int[] row = new int[width(b)];
                    for (int o = 0; o < row.length; o++) {
                        row[o] = w[b * blockWidth + o][k];
                    }
                    rows[b * depth + k] = row;
                }
            }
            this.bias = bias == null ? new int[g.outC()] : KernelContext.ints(bias);
            this.stage = new OutputStage(q);
            this.acc = new int[par.threads()][blockWidth];
        }

        @Override
        void startPixel(int chunk, int n0, int width) {
            System.arraycopy(bias, n0, acc[chunk], 0, width);
        }

        @Override
        void tapRun(int chunk, int block, int src, int len, int k0) {
            int[] a = acc[chunk];
            byte[] x = arena;
            int at = g.in() + src;
            int mask = this.mask;
            int xo = inputOffset;
            int base = block * depth + k0;
            int k = 0;
            for (; k + 4 <= len; k += 4) {
                int x0 = (x[at + k] & mask) + xo;
                int x1 = (x[at + k + 1] & mask) + xo;
                int x2 = (x[at + k + 2] & mask) + xo;
                int x3 = (x[at + k + 3] & mask) + xo;
                int[] r0 = rows[base + k];
                int[] r1 = rows[base + k + 1];
                int[] r2 = rows[base + k + 2];
                int[] r3 = rows[base + k + 3];
                for (int o = 0; o < r0.length; o++) {
                    a[o] += x0 * r0[o] + x1 * r1[o] + x2 * r2[o] + x3 * r3[o];
                }
            }
            for (; k < len; k++) {
                int x0 = (x[at + k] & mask) + xo;
                int[] r0 = rows[base + k];
                for (int o = 0; o < r0.length; o++) {
                    a[o] += x0 * r0[o];
                }
            }
        }

        @Override
        void finishPixel(int chunk, int dst, int n0, int width) {
            stage.store(acc[chunk], n0, width, arena, g.out() + dst);
        }
    }

    /** float32: the reference's float sum, one product at a time in its order, then the bias. */
    private static final class WideFloat extends Wide {
        private final byte[] arena;
        private final float[][] rows;
        private final float[] bias;
        private final float actMin;
        private final float actMax;
        private final float[][] acc;

        WideFloat(Geometry g, TensorSpec filter, TensorSpec bias, Requant q, KernelContext ctx) {
            super(g, ctx);
            this.arena = ctx.arena();
            float[] f = KernelContext.floats(filter);
            this.rows = new float[blocks * depth][];
            for (int b = 0; b < blocks; b++) {
                for (int k = 0; k < depth; k++) {
                    float[] row = new float[width(b)];
                    for (int o = 0; o < row.length; o++) {
                        row[o] = f[(b * blockWidth + o) * depth + k];
                    }
                    rows[b * depth + k] = row;
                }
            }
            this.bias = bias == null ? new float[g.outC()] : KernelContext.floats(bias);
            this.actMin = q.actMinF();
            this.actMax = q.actMaxF();
            this.acc = new float[par.threads()][blockWidth];
        }

        @Override
        void startPixel(int chunk, int n0, int width) {
            Arrays.fill(acc[chunk], 0, width, 0f);
        }

        @Override
        void tapRun(int chunk, int block, int src, int len, int k0) {
            float[] a = acc[chunk];
            byte[] x = arena;
            int at = g.in() + src * 4;
            int base = block * depth + k0;
            int k = 0;
            for (; k + 4 <= len; k += 4) {
                float x0 = (float) KernelContext.FLOATS.get(x, at + k * 4);
                float x1 = (float) KernelContext.FLOATS.get(x, at + k * 4 + 4);
                float x2 = (float) KernelContext.FLOATS.get(x, at + k * 4 + 8);
                float x3 = (float) KernelContext.FLOATS.get(x, at + k * 4 + 12);
                float[] r0 = rows[base + k];
                float[] r1 = rows[base + k + 1];
                float[] r2 = rows[base + k + 2];
                float[] r3 = rows[base + k + 3];
                for (int o = 0; o < r0.length; o++) {
                    // Four roundings in the reference's order: ((((a + p0) + p1) + p2) + p3).
                    a[o] = a[o] + x0 * r0[o] + x1 * r1[o] + x2 * r2[o] + x3 * r3[o];
                }
            }
            for (; k < len; k++) {
                float x0 = (float) KernelContext.FLOATS.get(x, at + k * 4);
                float[] r0 = rows[base + k];
                for (int o = 0; o < r0.length; o++) {
                    a[o] += x0 * r0[o];
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

    /** Quantized, few output channels: the input gathered per column of pixels, vector loops over pixels. */
    private static final class NarrowQuantized extends Gemm {
        private final byte[] arena;
        private final int mask;
        private final int inputOffset;
        /** Depth rounded up to whole passes of four k (the extra weights and inputs are 0). */
        private final int paddedDepth;
        /** {@code weights[o][k]}, offset added. */
        private final int[][] weights;
        private final int[] bias;
        private final OutputStage stage;
        /** Per chunk: {@code xt[k - chunkStart][p]}, input element k of the column's pixel p. */
        private final int[][][] xt;
        /** Per chunk: {@code acc[o][p]}. */
        private final int[][][] acc;
        /** Per chunk: the first k being gathered. */
        private final int[] kStart;
        private final Parallel.ChunkBody body;

        NarrowQuantized(Geometry g, DataType type, TensorSpec filter, TensorSpec bias, Requant q, KernelContext ctx) {
            super(g, ctx);
            this.arena = ctx.arena();
            this.mask = type == DataType.UINT8 ? 0xFF : -1;
            this.inputOffset = q.inputOffset();
            this.paddedDepth = (depth + 3) & ~3;
            int[][] w = quantizedFilter(filter, type, q.filterOffset(), g.outC(), depth);
            this.weights = new int[g.outC()][];
            for (int o = 0; o < g.outC(); o++) {
                weights[o] = Arrays.copyOf(w[o], paddedDepth);
            }
            this.bias = bias == null ? new int[g.outC()] : KernelContext.ints(bias);
            this.stage = new OutputStage(q);
            int threads = par.threads();
            this.xt = new int[threads][K_CHUNK][COLUMN];
            this.acc = new int[threads][g.outC()][COLUMN];
            this.kStart = new int[threads];
            this.body = this::compute;
        }

        @Override
        public void run() {
            par.forChunks(g.pixels(), Math.max(minPixels(), COLUMN / 2), body);
        }

        private void compute(int chunk, int p0, int p1) {
            int outC = g.outC();
            int[][] xt = this.xt[chunk];
            int[][] acc = this.acc[chunk];
            for (int c0 = p0; c0 < p1; c0 += COLUMN) {
                int n = Math.min(COLUMN, p1 - c0);
                for (int o = 0; o < outC; o++) {
                    Arrays.fill(acc[o], 0, n, bias[o]);
                }
                for (int k0 = 0; k0 < paddedDepth; k0 += K_CHUNK) {
                    int kn = Math.min(K_CHUNK, paddedDepth - k0);
                    for (int k = 0; k < kn; k++) {
                        Arrays.fill(xt[k], 0, n, 0);
                    }
                    kStart[chunk] = k0;
                    for (int p = 0; p < n; p++) {
                        walkTaps(chunk, c0 + p, p);
                    }
                    for (int o = 0; o < outC; o++) {
                        accumulate(acc[o], weights[o], k0, xt, kn, n);
                    }
                }
                for (int o = 0; o < outC; o++) {
                    stage.storeStrided(acc[o], o, n, arena, g.out() + c0 * outC + o, outC);
                }
            }
        }

        /** {@code a[p] += sum over k of w[k0 + k] * xt[k][p]}, four k per pass. */
        private static void accumulate(int[] a, int[] w, int k0, int[][] xt, int kn, int n) {
            for (int k = 0; k < kn; k += 4) {
                int w0 = w[k0 + k];
                int w1 = w[k0 + k + 1];
                int w2 = w[k0 + k + 2];
                int w3 = w[k0 + k + 3];
                int[] x0 = xt[k];
                int[] x1 = xt[k + 1];
                int[] x2 = xt[k + 2];
                int[] x3 = xt[k + 3];
                for (int p = 0; p < n; p++) {
                    a[p] += w0 * x0[p] + w1 * x1[p] + w2 * x2[p] + w3 * x3[p];
                }
            }
        }

        /** Gathers the part of a run inside the chunk's k window into column {@code p}. */
        @Override
        void tapRun(int chunk, int p, int src, int len, int k0) {
            int[][] xt = this.xt[chunk];
            int from = kStart[chunk];
            int k = Math.max(k0, from);
            int end = Math.min(k0 + len, from + K_CHUNK);
            byte[] x = arena;
            int at = g.in() + src - k0;
            int mask = this.mask;
            int xo = inputOffset;
            for (; k < end; k++) {
                xt[k - from][p] = (x[at + k] & mask) + xo;
            }
        }
    }
}
