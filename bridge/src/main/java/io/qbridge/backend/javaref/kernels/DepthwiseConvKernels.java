package io.qbridge.backend.javaref.kernels;

import io.qbridge.DataType;
import io.qbridge.backend.javaref.JavaKernel;
import io.qbridge.backend.javaref.KernelContext;
import io.qbridge.backend.javaref.Parallel;
import io.qbridge.plan.PlannedOp;
import io.qbridge.plan.ops.ConvOps.ConvParams;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * DEPTHWISE_CONV_2D: {@code out[pixel][c] = sum over valid taps of filter[tap][c] * input[pixel + tap][c / m] + bias[c]}.
 *
 * <p>The reference loops channel by channel over the taps; here a tap adds to many outputs at
 * once in loops that C2 vectorizes: every array indexed by the loop variable alone, one element
 * type, long trip counts (see {@link GemmConvKernels}). Input rows are converted once into int
 * (or float) arrays, offset added, in a small ring per thread holding the rows that the current
 * output row reads. Two shapes:
 * <ul>
 * <li><b>pixels</b>: per output pixel, {@code acc[c] += w[tap][c] * x[ix][c]} over its channels,
 *     the taps of a filter row three per pass; for many channels, and for floats (whose sums skip
 *     padded taps, in the reference's order, so they round the same).</li>
 * <li><b>rows</b> (quantized, fewer than {@value #ROWS_BELOW} channels, depth multiplier 1): per
 *     output row, {@code acc[ox*C + c] += w[tap][c] * x[ox*stride + kx][c]} over the whole row, from
 *     input rows converted once per kx into that shifted layout, with 0 at padded taps (which adds
 *     nothing to an integer sum) and the weights tiled along the row.</li>
 * </ul>
 * Each output is computed by one thread: any thread count gives the same bytes. Threads split
 * output pixels (pixels) or output rows (rows).
 */
final class DepthwiseConvKernels {
    /** Channels below which quantized layers take the row shape (short per-pixel loops do not pay). */
    static final int ROWS_BELOW = 64;
    /** Multiply-adds below which a chunk is not worth a thread. */
    private static final long MIN_MACS_PER_CHUNK = 100_000;

    private DepthwiseConvKernels() {
    }

    static JavaKernel create(ConvParams p, PlannedOp op, KernelContext ctx) {
        if (p.type() == DataType.FLOAT32) {
            return new FloatPixels(p, op, ctx);
        }
        if (p.outC() < ROWS_BELOW && p.depthMultiplier() == 1) {
            return new QuantizedRows(p, op, ctx);
        }
        return new QuantizedPixels(p, op, ctx);
    }

    private static int[][] quantizedTaps(ConvParams p) {
        ByteBuffer f = p.filter().data();
        boolean unsigned = p.type() == DataType.UINT8;
        int[][] taps = new int[p.filterH() * p.filterW()][p.outC()];
        for (int t = 0; t < taps.length; t++) {
            for (int c = 0; c < p.outC(); c++) {
                byte v = f.get(t * p.outC() + c);
                taps[t][c] = (unsigned ? v & 0xFF : v) + p.requant().filterOffset();
            }
        }
        return taps;
    }

    /** Walks output pixels and their valid taps; the subclass converts rows and does the arithmetic. */
    private abstract static class Pixels implements JavaKernel {
        final ConvParams p;
        final int in;
        final int out;
        /** Rows in a ring: enough for the rows one output row reads. */
        final int ringRows;
        private final Parallel par;
        private final Parallel.ChunkBody body;
        private final int minPixels;
        /** Per chunk and ring slot: the input row (batch * inH + iy) it holds, or -1. */
        private final int[][] ringTag;

        Pixels(ConvParams p, PlannedOp op, KernelContext ctx) {
            this.p = p;
            this.in = ctx.offset(op.input(0));
            this.out = ctx.offset(op.output(0));
            this.ringRows = (p.filterH() - 1) * p.dilationH() + 1;
            this.par = ctx.parallel();
            this.minPixels = (int) Math.max(1, MIN_MACS_PER_CHUNK
                    / Math.max(1L, (long) p.outC() * p.filterH() * p.filterW()));
            this.ringTag = new int[par.threads()][ringRows];
            this.body = this::compute;
        }

        @Override
        public final void run() {
            par.forChunks(p.batches() * p.outH() * p.outW(), minPixels, body);
        }

        private void compute(int chunk, int p0, int p1) {
            ConvParams p = this.p;
            int[] tags = ringTag[chunk];
            Arrays.fill(tags, -1);   // the arena changed since the last run
            int perImage = p.outH() * p.outW();
            int dW = p.dilationW();
            for (int pixel = p0; pixel < p1; pixel++) {
                int b = pixel / perImage;
                int rest = pixel - b * perImage;
                int oy = rest / p.outW();
                int ox = rest - oy * p.outW();
                int iy0 = oy * p.strideH() - p.padTop();
                int ix0 = ox * p.strideW() - p.padLeft();
                // The valid kx are one range: ix0 + kx * dW in [0, inW).
                int kx0 = 0;
                while (kx0 < p.filterW() && ix0 + kx0 * dW < 0) {
                    kx0++;
                }
                int kx1 = kx0;
                while (kx1 < p.filterW() && ix0 + kx1 * dW < p.inW()) {
                    kx1++;
                }
                startPixel(chunk);
                for (int ky = 0; ky < p.filterH(); ky++) {
                    int iy = iy0 + ky * p.dilationH();
                    if (iy < 0 || iy >= p.inH()) {
                        continue;
                    }
                    int slot = Math.floorMod(iy, ringRows);
                    int tag = b * p.inH() + iy;
                    if (tags[slot] != tag) {
                        convertRow(chunk, slot, tag * p.inW() * p.inC());
                        tags[slot] = tag;
                    }
                    int tap = ky * p.filterW();
                    int kx = kx0;
                    for (; kx + 3 <= kx1; kx += 3) {
                        accumulate3(chunk, slot, ix0 + kx * dW, dW, tap + kx);
                    }
                    for (; kx < kx1; kx++) {
                        accumulate(chunk, slot, ix0 + kx * dW, tap + kx);
                    }
                }
                finishPixel(chunk, pixel * p.outC());
            }
        }

        /** Sets the chunk's accumulators to their start value. */
        abstract void startPixel(int chunk);

        /** Converts the input row starting at element {@code src} into ring slot {@code slot}. */
        abstract void convertRow(int chunk, int slot, int src);

        /** Adds pixel {@code ix} of ring slot {@code slot} times filter tap {@code tap}. */
        abstract void accumulate(int chunk, int slot, int ix, int tap);

        /** The same for pixels ix, ix + step, ix + 2 step and taps tap, tap + 1, tap + 2, in that order. */
        abstract void accumulate3(int chunk, int slot, int ix, int step, int tap);

        /** Writes the accumulators to output elements {@code dst ..}. */
        abstract void finishPixel(int chunk, int dst);
    }

    /** uint8 (per-tensor) and int8 (per-channel), per pixel. */
    private static final class QuantizedPixels extends Pixels {
        private final byte[] arena;
        /** {@code taps[tap][c]}, offset added. */
        private final int[][] taps;
        private final int[] bias;
        private final int mask;
        private final int inputOffset;
        private final OutputStage stage;
        private final int[][] acc;
        /** Per chunk: {@code ring[slot][ix][ic]}, offset added. */
        private final int[][][][] ring;

        QuantizedPixels(ConvParams p, PlannedOp op, KernelContext ctx) {
            super(p, op, ctx);
            this.arena = ctx.arena();
            this.mask = p.type() == DataType.UINT8 ? 0xFF : -1;
            this.taps = quantizedTaps(p);
            this.bias = p.bias() == null ? new int[p.outC()] : KernelContext.ints(p.bias());
            this.inputOffset = p.requant().inputOffset();
            this.stage = new OutputStage(p.requant());
            int threads = ctx.parallel().threads();
            this.acc = new int[threads][p.outC()];
            this.ring = new int[threads][ringRows][p.inW()][p.inC()];
        }

        @Override
        void startPixel(int chunk) {
            System.arraycopy(bias, 0, acc[chunk], 0, bias.length);
        }

        @Override
        void convertRow(int chunk, int slot, int src) {
            byte[] x = arena;
            int at = in + src;
            int mask = this.mask;
            int xo = inputOffset;
            for (int[] pixel : ring[chunk][slot]) {
                for (int c = 0; c < pixel.length; c++) {
                    pixel[c] = (x[at + c] & mask) + xo;
                }
                at += pixel.length;
            }
        }

        @Override
        void accumulate(int chunk, int slot, int ix, int tap) {
            int[] a = acc[chunk];
            int[] w = taps[tap];
            int[] x = ring[chunk][slot][ix];
            int m = p.depthMultiplier();
            if (m == 1) {
                for (int c = 0; c < w.length; c++) {
                    a[c] += w[c] * x[c];
                }
            } else {
                for (int ic = 0, oc = 0; ic < x.length; ic++) {
                    for (int j = 0; j < m; j++, oc++) {
                        a[oc] += w[oc] * x[ic];
                    }
                }
            }
        }

        @Override
        void accumulate3(int chunk, int slot, int ix, int step, int tap) {
            if (p.depthMultiplier() != 1) {
                accumulate(chunk, slot, ix, tap);
                accumulate(chunk, slot, ix + step, tap + 1);
                accumulate(chunk, slot, ix + 2 * step, tap + 2);
                return;
            }
            int[] a = acc[chunk];
            int[][] row = ring[chunk][slot];
            int[] x0 = row[ix];
            int[] x1 = row[ix + step];
            int[] x2 = row[ix + 2 * step];
            int[] w0 = taps[tap];
            int[] w1 = taps[tap + 1];
            int[] w2 = taps[tap + 2];
            for (int c = 0; c < w0.length; c++) {
                a[c] += w0[c] * x0[c] + w1[c] * x1[c] + w2[c] * x2[c];
            }
        }

        @Override
        void finishPixel(int chunk, int dst) {
            stage.store(acc[chunk], 0, p.outC(), arena, out + dst);
        }
    }

    /** float32: per channel, one product per tap in the reference's order, then the bias. */
    private static final class FloatPixels extends Pixels {
        private final byte[] arena;
        private final FloatBuffer input;
        private final float[][] taps;
        private final float[] bias;
        private final float[][] acc;
        /** Per chunk: {@code ring[slot][ix][ic]}. */
        private final float[][][][] ring;

        FloatPixels(ConvParams p, PlannedOp op, KernelContext ctx) {
            super(p, op, ctx);
            this.arena = ctx.arena();
            this.input = ByteBuffer.wrap(arena).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] f = KernelContext.floats(p.filter());
            this.taps = new float[p.filterH() * p.filterW()][p.outC()];
            for (int t = 0; t < taps.length; t++) {
                System.arraycopy(f, t * p.outC(), taps[t], 0, p.outC());
            }
            this.bias = p.bias() == null ? new float[p.outC()] : KernelContext.floats(p.bias());
            int threads = ctx.parallel().threads();
            this.acc = new float[threads][p.outC()];
            this.ring = new float[threads][ringRows][p.inW()][p.inC()];
        }

        @Override
        void startPixel(int chunk) {
            Arrays.fill(acc[chunk], 0f);
        }

        @Override
        void convertRow(int chunk, int slot, int src) {
            int at = in / 4 + src;   // arena offsets are multiples of Plan.ALIGNMENT
            for (float[] pixel : ring[chunk][slot]) {
                input.get(at, pixel, 0, pixel.length);
                at += pixel.length;
            }
        }

        @Override
        void accumulate(int chunk, int slot, int ix, int tap) {
            float[] a = acc[chunk];
            float[] w = taps[tap];
            float[] x = ring[chunk][slot][ix];
            int m = p.depthMultiplier();
            if (m == 1) {
                for (int c = 0; c < w.length; c++) {
                    a[c] += w[c] * x[c];
                }
            } else {
                for (int ic = 0, oc = 0; ic < x.length; ic++) {
                    for (int j = 0; j < m; j++, oc++) {
                        a[oc] += w[oc] * x[ic];
                    }
                }
            }
        }

        @Override
        void accumulate3(int chunk, int slot, int ix, int step, int tap) {
            if (p.depthMultiplier() != 1) {
                accumulate(chunk, slot, ix, tap);
                accumulate(chunk, slot, ix + step, tap + 1);
                accumulate(chunk, slot, ix + 2 * step, tap + 2);
                return;
            }
            float[] a = acc[chunk];
            float[][] row = ring[chunk][slot];
            float[] x0 = row[ix];
            float[] x1 = row[ix + step];
            float[] x2 = row[ix + 2 * step];
            float[] w0 = taps[tap];
            float[] w1 = taps[tap + 1];
            float[] w2 = taps[tap + 2];
            for (int c = 0; c < w0.length; c++) {
                // Three roundings in the reference's order: (((a + p0) + p1) + p2).
                a[c] = a[c] + w0[c] * x0[c] + w1[c] * x1[c] + w2[c] * x2[c];
            }
        }

        @Override
        void finishPixel(int chunk, int dst) {
            float[] a = acc[chunk];
            int at = out + dst * 4;
            float actMin = p.requant().actMinF();
            float actMax = p.requant().actMaxF();
            for (int c = 0; c < a.length; c++) {
                float v = a[c] + bias[c];
                KernelContext.FLOATS.set(arena, at + c * 4, Math.max(actMin, Math.min(actMax, v)));
            }
        }
    }

    /** Quantized, few channels, depth multiplier 1: whole output rows per vector loop. */
    private static final class QuantizedRows implements JavaKernel {
        private final ConvParams p;
        private final byte[] arena;
        private final int in;
        private final int out;
        private final int mask;
        private final int inputOffset;
        private final OutputStage stage;
        /** outW * C: the length of every vector loop. */
        private final int rowLength;
        /** {@code tiled[tap][ox * C + c]}: tap's weight of channel c, offset added, for every pixel of a row. */
        private final int[][] tiled;
        private final int[] tiledBias;
        private final int ringRows;
        /** Per chunk: the accumulators of one output row. */
        private final int[][] acc;
        /** Per chunk: {@code ring[slot][kx][ox * C + c]}, the input under tap column kx of output pixel ox (0 if padded). */
        private final int[][][][] ring;
        private final int[][] ringTag;
        private final Parallel par;
        private final Parallel.ChunkBody body;
        private final int minRows;

        QuantizedRows(ConvParams p, PlannedOp op, KernelContext ctx) {
            this.p = p;
            this.arena = ctx.arena();
            this.in = ctx.offset(op.input(0));
            this.out = ctx.offset(op.output(0));
            this.mask = p.type() == DataType.UINT8 ? 0xFF : -1;
            this.inputOffset = p.requant().inputOffset();
            this.stage = new OutputStage(p.requant());
            int channels = p.outC();
            this.rowLength = p.outW() * channels;
            int[][] taps = quantizedTaps(p);
            this.tiled = new int[taps.length][rowLength];
            for (int t = 0; t < taps.length; t++) {
                for (int i = 0; i < rowLength; i++) {
                    tiled[t][i] = taps[t][i % channels];
                }
            }
            int[] bias = p.bias() == null ? new int[channels] : KernelContext.ints(p.bias());
            this.tiledBias = new int[rowLength];
            for (int i = 0; i < rowLength; i++) {
                tiledBias[i] = bias[i % channels];
            }
            this.ringRows = (p.filterH() - 1) * p.dilationH() + 1;
            this.par = ctx.parallel();
            int threads = par.threads();
            this.acc = new int[threads][rowLength];
            this.ring = new int[threads][ringRows][p.filterW()][rowLength];
            this.ringTag = new int[threads][ringRows];
            this.minRows = (int) Math.max(1, MIN_MACS_PER_CHUNK
                    / Math.max(1L, (long) rowLength * p.filterH() * p.filterW()));
            this.body = this::compute;
        }

        @Override
        public void run() {
            par.forChunks(p.batches() * p.outH(), minRows, body);
        }

        private void compute(int chunk, int r0, int r1) {
            ConvParams p = this.p;
            int[] a = acc[chunk];
            int[] tags = ringTag[chunk];
            Arrays.fill(tags, -1);   // the arena changed since the last run
            int n = rowLength;
            for (int row = r0; row < r1; row++) {
                int b = row / p.outH();
                int oy = row - b * p.outH();
                System.arraycopy(tiledBias, 0, a, 0, n);
                for (int ky = 0; ky < p.filterH(); ky++) {
                    int iy = oy * p.strideH() - p.padTop() + ky * p.dilationH();
                    if (iy < 0 || iy >= p.inH()) {
                        continue;
                    }
                    int slot = Math.floorMod(iy, ringRows);
                    int tag = b * p.inH() + iy;
                    if (tags[slot] != tag) {
                        convertRow(ring[chunk][slot], tag);
                        tags[slot] = tag;
                    }
                    int[][] shifted = ring[chunk][slot];
                    int tap = ky * p.filterW();
                    int kx = 0;
                    for (; kx + 3 <= p.filterW(); kx += 3) {
                        int[] x0 = shifted[kx];
                        int[] x1 = shifted[kx + 1];
                        int[] x2 = shifted[kx + 2];
                        int[] w0 = tiled[tap + kx];
                        int[] w1 = tiled[tap + kx + 1];
                        int[] w2 = tiled[tap + kx + 2];
                        for (int i = 0; i < n; i++) {
                            a[i] += w0[i] * x0[i] + w1[i] * x1[i] + w2[i] * x2[i];
                        }
                    }
                    for (; kx < p.filterW(); kx++) {
                        int[] x0 = shifted[kx];
                        int[] w0 = tiled[tap + kx];
                        for (int i = 0; i < n; i++) {
                            a[i] += w0[i] * x0[i];
                        }
                    }
                }
                int channels = p.outC();
                int dst = out + row * n;
                for (int i = 0; i < n; i += channels) {
                    stage.store(a, i, 0, channels, arena, dst + i);
                }
            }
        }

        /** Fills {@code shifted[kx][ox * C + c]} from input row {@code tag} (= batch * inH + iy). */
        private void convertRow(int[][] shifted, int tag) {
            ConvParams p = this.p;
            byte[] x = arena;
            int channels = p.inC();
            int mask = this.mask;
            int xo = inputOffset;
            int rowStart = in + tag * p.inW() * channels;
            for (int kx = 0; kx < p.filterW(); kx++) {
                int[] s = shifted[kx];
                for (int ox = 0; ox < p.outW(); ox++) {
                    int ix = ox * p.strideW() - p.padLeft() + kx * p.dilationW();
                    int to = ox * channels;
                    if (ix < 0 || ix >= p.inW()) {
                        Arrays.fill(s, to, to + channels, 0);
                        continue;
                    }
                    int at = rowStart + ix * channels;
                    for (int c = 0; c < channels; c++) {
                        s[to + c] = (x[at + c] & mask) + xo;
                    }
                }
            }
        }
    }
}
