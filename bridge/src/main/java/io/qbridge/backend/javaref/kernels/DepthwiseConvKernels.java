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

/**
 * DEPTHWISE_CONV_2D: {@code out[pixel][c] = sum over valid taps of filter[tap][c] * input[pixel + tap][c / m] + bias[c]}.
 *
 * <p>The reference loops channel by channel over the taps; here each valid tap adds to all
 * channels of an output pixel at once, {@code acc[c] += w[tap][c] * x[c]}, with every array
 * indexed by the loop variable alone so that C2 vectorizes it (see {@link GemmConvKernels}).
 * For that the filter is unpacked once into one array per tap (offset added), and input rows are
 * converted, as needed, into one array per pixel (offset added; floats copied out in bulk) in a
 * small ring per thread that holds the rows the current output row reads, so each input row is
 * converted once. Every channel sums its taps in the reference's order (float results round the
 * same) and each pixel is computed by one thread: any thread count gives the same bytes. Threads
 * split the output pixels.
 */
final class DepthwiseConvKernels {
    /** Multiply-adds below which a chunk is not worth a thread. */
    private static final long MIN_MACS_PER_CHUNK = 100_000;

    private DepthwiseConvKernels() {
    }

    static JavaKernel create(ConvParams p, PlannedOp op, KernelContext ctx) {
        return p.type() == DataType.FLOAT32 ? new FloatDepthwise(p, op, ctx) : new QuantizedDepthwise(p, op, ctx);
    }

    /** Walks output pixels and their valid taps, keeping converted input rows in a ring per chunk. */
    private abstract static class Depthwise implements JavaKernel {
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

        Depthwise(ConvParams p, PlannedOp op, KernelContext ctx) {
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
            java.util.Arrays.fill(tags, -1);   // the arena changed since the last run
            int perImage = p.outH() * p.outW();
            for (int pixel = p0; pixel < p1; pixel++) {
                int b = pixel / perImage;
                int rest = pixel - b * perImage;
                int oy = rest / p.outW();
                int ox = rest - oy * p.outW();
                int iy0 = oy * p.strideH() - p.padTop();
                int ix0 = ox * p.strideW() - p.padLeft();
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
                    for (int kx = 0; kx < p.filterW(); kx++) {
                        int ix = ix0 + kx * p.dilationW();
                        if (ix >= 0 && ix < p.inW()) {
                            accumulate(chunk, slot, ix, ky * p.filterW() + kx);
                        }
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

        /** Writes the accumulators to output elements {@code dst ..}. */
        abstract void finishPixel(int chunk, int dst);
    }

    /** uint8 (per-tensor) and int8 (per-channel). */
    private static final class QuantizedDepthwise extends Depthwise {
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

        QuantizedDepthwise(ConvParams p, PlannedOp op, KernelContext ctx) {
            super(p, op, ctx);
            this.arena = ctx.arena();
            boolean unsigned = p.type() == DataType.UINT8;
            this.mask = unsigned ? 0xFF : -1;
            ByteBuffer f = p.filter().data();
            this.taps = new int[p.filterH() * p.filterW()][p.outC()];
            for (int t = 0; t < taps.length; t++) {
                for (int c = 0; c < p.outC(); c++) {
                    byte v = f.get(t * p.outC() + c);
                    taps[t][c] = (unsigned ? v & 0xFF : v) + p.requant().filterOffset();
                }
            }
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
            int[][] row = ring[chunk][slot];
            byte[] x = arena;
            int at = in + src;
            int mask = this.mask;
            int xo = inputOffset;
            for (int[] pixel : row) {
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
        void finishPixel(int chunk, int dst) {
            stage.store(acc[chunk], 0, p.outC(), arena, out + dst);
        }
    }

    /** float32: per channel, one product per tap in the reference's order, then the bias. */
    private static final class FloatDepthwise extends Depthwise {
        private final byte[] arena;
        private final FloatBuffer input;
        private final float[][] taps;
        private final float[] bias;
        private final float[][] acc;
        /** Per chunk: {@code ring[slot][ix][ic]}. */
        private final float[][][][] ring;

        FloatDepthwise(ConvParams p, PlannedOp op, KernelContext ctx) {
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
            java.util.Arrays.fill(acc[chunk], 0f);
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
}
