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
 * channels of an output pixel at once ({@code acc[c] += w[tap][c] * x[c]}, contiguous, vectorized
 * by the JIT), with the filter unpacked once (offset added). Every channel still sums its taps in
 * the reference's order, so float results round the same, and each pixel is computed by one
 * thread: the bytes do not depend on the thread count. Threads split the output pixels.
 */
final class DepthwiseConvKernels {
    /** Multiply-adds below which a chunk is not worth a thread. */
    private static final long MIN_MACS_PER_CHUNK = 100_000;

    private DepthwiseConvKernels() {
    }

    static JavaKernel create(ConvParams p, PlannedOp op, KernelContext ctx) {
        return p.type() == DataType.FLOAT32 ? new FloatDepthwise(p, op, ctx) : new QuantizedDepthwise(p, op, ctx);
    }

    /** Walks output pixels and their valid taps; the subclass supplies the arithmetic. */
    private abstract static class Depthwise implements JavaKernel {
        final ConvParams p;
        final int in;
        final int out;
        private final Parallel par;
        private final Parallel.ChunkBody body;
        private final int minPixels;

        Depthwise(ConvParams p, PlannedOp op, KernelContext ctx) {
            this.p = p;
            this.in = ctx.offset(op.input(0));
            this.out = ctx.offset(op.output(0));
            this.par = ctx.parallel();
            this.minPixels = (int) Math.max(1, MIN_MACS_PER_CHUNK
                    / Math.max(1L, (long) p.outC() * p.filterH() * p.filterW()));
            this.body = this::compute;
        }

        @Override
        public final void run() {
            par.forChunks(p.batches() * p.outH() * p.outW(), minPixels, body);
        }

        private void compute(int chunk, int p0, int p1) {
            ConvParams p = this.p;
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
                    for (int kx = 0; kx < p.filterW(); kx++) {
                        int ix = ix0 + kx * p.dilationW();
                        if (ix >= 0 && ix < p.inW()) {
                            accumulate(chunk, ((b * p.inH() + iy) * p.inW() + ix) * p.inC(),
                                    (ky * p.filterW() + kx) * p.outC());
                        }
                    }
                }
                finishPixel(chunk, pixel * p.outC());
            }
        }

        /** Sets the chunk's accumulators to their start value. */
        abstract void startPixel(int chunk);

        /** Adds input pixel {@code src} (element index of its first channel) times filter tap {@code w}. */
        abstract void accumulate(int chunk, int src, int w);

        /** Writes the accumulators to output elements {@code dst ..}. */
        abstract void finishPixel(int chunk, int dst);
    }

    /** uint8 (per-tensor) and int8 (per-channel). */
    private static final class QuantizedDepthwise extends Depthwise {
        private final byte[] arena;
        private final int[] weights;
        private final int[] bias;
        private final boolean unsigned;
        private final int inputOffset;
        private final OutputStage stage;
        private final int[][] acc;

        QuantizedDepthwise(ConvParams p, PlannedOp op, KernelContext ctx) {
            super(p, op, ctx);
            this.arena = ctx.arena();
            this.unsigned = p.type() == DataType.UINT8;
            ByteBuffer f = p.filter().data();
            this.weights = new int[f.remaining()];
            for (int i = 0; i < weights.length; i++) {
                byte v = f.get(i);
                weights[i] = (unsigned ? v & 0xFF : v) + p.requant().filterOffset();
            }
            this.bias = p.bias() == null ? new int[p.outC()] : KernelContext.ints(p.bias());
            this.inputOffset = p.requant().inputOffset();
            this.stage = new OutputStage(p.requant());
            this.acc = new int[ctx.parallel().threads()][p.outC()];
        }

        @Override
        void startPixel(int chunk) {
            System.arraycopy(bias, 0, acc[chunk], 0, bias.length);
        }

        @Override
        void accumulate(int chunk, int src, int w) {
            int[] a = acc[chunk];
            int[] wt = weights;
            byte[] x = arena;
            int at = in + src;
            int xo = inputOffset;
            int m = p.depthMultiplier();
            int inC = p.inC();
            if (m != 1) {
                for (int ic = 0, oc = 0; ic < inC; ic++) {
                    int v = (unsigned ? x[at + ic] & 0xFF : x[at + ic]) + xo;
                    for (int j = 0; j < m; j++, oc++) {
                        a[oc] += wt[w + oc] * v;
                    }
                }
            } else if (unsigned) {   // two loops with constant masks: each vectorizes
                for (int c = 0; c < inC; c++) {
                    a[c] += wt[w + c] * ((x[at + c] & 0xFF) + xo);
                }
            } else {
                for (int c = 0; c < inC; c++) {
                    a[c] += wt[w + c] * (x[at + c] + xo);
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
        private final float[] weights;
        private final float[] bias;
        private final float[][] acc;
        /** One input pixel's channels per chunk, copied out of the arena in bulk so the loop vectorizes. */
        private final float[][] pixel;

        FloatDepthwise(ConvParams p, PlannedOp op, KernelContext ctx) {
            super(p, op, ctx);
            this.arena = ctx.arena();
            this.input = ByteBuffer.wrap(arena).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            this.weights = KernelContext.floats(p.filter());
            this.bias = p.bias() == null ? new float[p.outC()] : KernelContext.floats(p.bias());
            this.acc = new float[ctx.parallel().threads()][p.outC()];
            this.pixel = new float[ctx.parallel().threads()][p.inC()];
        }

        @Override
        void startPixel(int chunk) {
            java.util.Arrays.fill(acc[chunk], 0f);
        }

        @Override
        void accumulate(int chunk, int src, int w) {
            float[] a = acc[chunk];
            float[] x = pixel[chunk];
            float[] wt = weights;
            int inC = p.inC();
            input.get(in / 4 + src, x, 0, inC);   // arena offsets are multiples of Plan.ALIGNMENT
            int m = p.depthMultiplier();
            if (m != 1) {
                for (int ic = 0, oc = 0; ic < inC; ic++) {
                    for (int j = 0; j < m; j++, oc++) {
                        a[oc] += wt[w + oc] * x[ic];
                    }
                }
            } else {
                for (int c = 0; c < inC; c++) {
                    a[c] += wt[w + c] * x[c];
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
