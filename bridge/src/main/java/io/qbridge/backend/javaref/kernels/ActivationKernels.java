package io.qbridge.backend.javaref.kernels;

import io.qbridge.DataType;
import io.qbridge.backend.javaref.JavaKernel;
import io.qbridge.backend.javaref.KernelContext;
import io.qbridge.backend.javaref.Parallel;
import io.qbridge.numerics.FixedPoint;
import io.qbridge.numerics.GemmlowpFixedPoint;
import io.qbridge.plan.PlannedOp;
import io.qbridge.plan.ops.ActivationOps.LogisticTanhParams;
import io.qbridge.plan.ops.ActivationOps.ReluParams;
import io.qbridge.plan.ops.ActivationOps.SoftmaxParams;

import static io.qbridge.backend.javaref.KernelContext.FLOATS;

/**
 * RELU, RELU6, LOGISTIC, TANH and SOFTMAX as TFLite's reference kernels. Quantized RELU,
 * LOGISTIC and TANH map each 8-bit input through the plan's 256-entry table; quantized SOFTMAX
 * sums the plan's exponentials in gemmlowp fixed point ({@link GemmlowpFixedPoint}). Inputs are
 * read through a mask (0xFF uint8, -1 int8).
 */
final class ActivationKernels {
    private static final int MIN_CHUNK = 16_384;

    private ActivationKernels() {
    }

    static JavaKernel relu(PlannedOp op, KernelContext ctx) {
        ReluParams p = (ReluParams) op.params();
        byte[] arena = ctx.arena();
        int in = ctx.offset(op.input(0));
        int out = ctx.offset(op.output(0));
        Parallel par = ctx.parallel();
        if (p.type() == DataType.FLOAT32) {
            float low = p.lowF();
            float high = p.highF();
            return () -> par.forRange(p.size(), MIN_CHUNK, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    float v = (float) FLOATS.get(arena, in + i * 4);
                    // reference Relu/Relu6: val > upper ? upper : val < lower ? lower : val
                    FLOATS.set(arena, out + i * 4, v > high ? high : v < low ? low : v);
                }
            });
        }
        return lookup(arena, in, out, p.size(), p.table(), par);
    }

    static JavaKernel logisticTanh(PlannedOp op, KernelContext ctx) {
        LogisticTanhParams p = (LogisticTanhParams) op.params();
        byte[] arena = ctx.arena();
        int in = ctx.offset(op.input(0));
        int out = ctx.offset(op.output(0));
        Parallel par = ctx.parallel();
        if (p.type() == DataType.FLOAT32) {
            boolean tanh = p.tanh();
            return () -> par.forRange(p.size(), MIN_CHUNK / 8, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    float v = (float) FLOATS.get(arena, in + i * 4);
                    FLOATS.set(arena, out + i * 4, tanh ? (float) Math.tanh(v) : logisticFloat(v));
                }
            });
        }
        return lookup(arena, in, out, p.size(), p.table(), par);
    }

    /** reference_ops::Logistic (float): exact cutoffs, then 1 / (1 + exp(-x)). */
    static float logisticFloat(float v) {
        if (v > 16.619047164916992188f) {
            return 1.0f;
        }
        if (v < -9.f) {
            return (float) Math.exp(v);
        }
        return 1.f / (1.f + (float) Math.exp(-v));
    }

    /** Maps every 8-bit element through a 256-entry table indexed by its raw byte. */
    private static JavaKernel lookup(byte[] arena, int in, int out, int size, byte[] table, Parallel par) {
        return () -> par.forRange(size, MIN_CHUNK, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                arena[out + i] = table[arena[in + i] & 0xFF];
            }
        });
    }

    static JavaKernel softmax(PlannedOp op, KernelContext ctx) {
        SoftmaxParams p = (SoftmaxParams) op.params();
        byte[] arena = ctx.arena();
        int in = ctx.offset(op.input(0));
        int out = ctx.offset(op.output(0));
        Parallel par = ctx.parallel();
        int minRows = Math.max(1, 4096 / Math.max(1, p.depth()));
        if (p.type() == DataType.FLOAT32) {
            return () -> par.forRange(p.outer(), minRows, (r0, r1) -> softmaxFloat(p, arena, in, out, r0, r1));
        }
        int mask = p.type() == DataType.UINT8 ? 0xFF : -1;
        int outputMin = p.type().minValue();
        int outputMax = p.type().maxValue();
        return () -> par.forRange(p.outer(), minRows,
                (r0, r1) -> softmaxQuantized(p, arena, in, out, mask, outputMin, outputMax, r0, r1));
    }

    /** reference_ops::Softmax (float): exp((x - max) * beta), divided by the row's sum. */
    private static void softmaxFloat(SoftmaxParams p, byte[] arena, int in, int out, int r0, int r1) {
        int depth = p.depth();
        float beta = p.beta();
        for (int r = r0; r < r1; r++) {
            int rowIn = in + r * depth * 4;
            int rowOut = out + r * depth * 4;
            float max = -Float.MAX_VALUE;
            for (int c = 0; c < depth; c++) {
                float v = (float) FLOATS.get(arena, rowIn + c * 4);
                max = max < v ? v : max;
            }
            float sum = 0f;
            for (int c = 0; c < depth; c++) {
                float e = (float) Math.exp(((float) FLOATS.get(arena, rowIn + c * 4) - max) * beta);
                FLOATS.set(arena, rowOut + c * 4, e);
                sum += e;
            }
            for (int c = 0; c < depth; c++) {
                FLOATS.set(arena, rowOut + c * 4, (float) FLOATS.get(arena, rowOut + c * 4) / sum);
            }
        }
    }

    /**
     * reference_ops::Softmax for 8-bit input and output: the exponentials (from the plan's tables)
     * are summed in Q12.19, the sum's reciprocal scales each exponential down to the output step.
     */
    private static void softmaxQuantized(SoftmaxParams p, byte[] arena, int in, int out, int mask, int outputMin,
                                         int outputMax, int r0, int r1) {
        int depth = p.depth();
        int[] expOfDiff = p.expOfDiff();
        int[] expOfDiffQ12 = p.expOfDiffQ12();
        for (int r = r0; r < r1; r++) {
            int rowIn = in + r * depth;
            int rowOut = out + r * depth;
            int max = outputMin;                            // numeric_limits<InputT>::min()
            for (int c = 0; c < depth; c++) {
                max = Math.max(max, arena[rowIn + c] & mask);
            }
            int sumOfExps = 0;                              // Q12.19
            for (int c = 0; c < depth; c++) {
                sumOfExps += expOfDiffQ12[max - (arena[rowIn + c] & mask)];
            }
            int shiftedScale = GemmlowpFixedPoint.reciprocalScale(sumOfExps);
            int exponent = GemmlowpFixedPoint.reciprocalBitsOverUnit(sumOfExps, 12) + 31 - 8;
            // A sum of exponentials of 512 or more (many values at the row's maximum) makes the
            // exponent exceed 31: TFLite's reference kernel stops on TFLITE_CHECK there. Every
            // probability is then at most 1/512, half an output step: qbridge writes the minimum,
            // which is RoundingDivideByPOT extended to such exponents.
            if (exponent > 31) {
                for (int c = 0; c < depth; c++) {
                    arena[rowOut + c] = (byte) outputMin;
                }
                continue;
            }
            for (int c = 0; c < depth; c++) {
                int exp = expOfDiff[max - (arena[rowIn + c] & mask)];
                int unsaturated = FixedPoint.roundingDivideByPOT(GemmlowpFixedPoint.mul(shiftedScale, exp), exponent);
                arena[rowOut + c] = (byte) Math.max(outputMin, Math.min(outputMax, unsaturated + outputMin));
            }
        }
    }

}
