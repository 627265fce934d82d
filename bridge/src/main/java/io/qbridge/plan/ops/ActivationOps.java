package io.qbridge.plan.ops;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.numerics.FixedPoint;
import io.qbridge.numerics.GemmlowpFixedPoint;
import io.qbridge.numerics.QuantMath;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.PrepareContext;

/**
 * RELU, RELU6, LOGISTIC, TANH and SOFTMAX: element-wise (or row-wise) activations with TFLite's
 * quantized parameters prepared once. Facts from TFLite {@code kernels/activations.cc},
 * {@code kernels/internal/quantization_util.cc} and TFLite Micro {@code logistic_common.cc},
 * {@code tanh.cc}, {@code softmax_common.cc}.
 */
public final class ActivationOps {
    /** Integer bits of the fixed-point input of gemmlowp's logistic and tanh (Q4.27). */
    private static final int LOGISTIC_TANH_INPUT_INTEGER_BITS = 4;
    /** Integer bits of the scaled input differences fed to exp in SOFTMAX (Q5.26). */
    private static final int SOFTMAX_SCALED_DIFF_INTEGER_BITS = 5;

    /** Longest quantized SOFTMAX row whose Q12.19 sum of exponentials (each <= 1) cannot overflow. */
    public static final int MAX_QUANTIZED_SOFTMAX_DEPTH = 4095;

    private ActivationOps() {
    }

    /**
     * RELU (clamp to [0, inf)) and RELU6 ([0, 6]). Quantized: {@code table} holds TFLite's
     * {@code ReluX} of every 8-bit input value, indexed by its raw byte: {@code output_zp +
     * MultiplyByQuantizedMultiplier(q - input_zp, m, shift)} clamped to the activation range of the
     * output's parameters. Float: clamp to {@code [lowF, highF]} ({@code table} null).
     */
    public record ReluParams(DataType type, int size, float lowF, float highF, byte[] table) implements OpParams {
    }

    /**
     * LOGISTIC or TANH. Quantized: {@code table} holds, for every 8-bit input value indexed by its
     * raw byte, the result of TFLite's integer reference kernels (reference_integer_ops::Logistic
     * and Tanh; reference_ops::Tanh for uint8), as {@code logisticTanhTable} computes it. The output
     * parameters are fixed: 1/256 (LOGISTIC) or 1/128 (TANH). Float: {@code table} null.
     */
    public record LogisticTanhParams(DataType type, boolean tanh, int size, byte[] table) implements OpParams {
    }

    /**
     * SOFTMAX over the last dimension ({@code outer} rows of {@code depth}). Quantized: TFLite's
     * reference integer softmax. An input difference d to the row maximum (0..-255) indexes
     * {@code expOfDiff[-d]}: gemmlowp's exp_on_negative_values of d scaled by beta * input scale
     * (Q5.26), in Q0.31, and 0 below {@code diffMin}; {@code expOfDiffQ12[-d]} is the same value in
     * Q12.19, as the row's exponentials are summed. The sum's reciprocal scales each exponential
     * to the output: 1/256, zero point -128 (int8) or 0 (uint8). Float: the tables are null.
     */
    public record SoftmaxParams(DataType type, int outer, int depth, float beta, int diffMin, int[] expOfDiff,
                                int[] expOfDiffQ12) implements OpParams {
    }

    public static OpParams prepareRelu(PrepareContext ctx) {
        return prepareReluX(ctx, Activation.RELU, 0f, Float.POSITIVE_INFINITY);
    }

    public static OpParams prepareRelu6(PrepareContext ctx) {
        return prepareReluX(ctx, Activation.RELU6, 0f, 6f);
    }

    private static OpParams prepareReluX(PrepareContext ctx, Activation activation, float low, float high) {
        TensorSpec input = elementwiseInput(ctx);
        TensorSpec output = ctx.output(0);
        DataType type = input.type();
        int size = (int) input.elementCount();
        if (type == DataType.FLOAT32) {
            return new ReluParams(type, size, low, high, null);
        }
        QuantParams inQ = ctx.requirePerTensorQuant(input, "input");
        QuantParams outQ = ctx.requirePerTensorQuant(output, "output");
        // TFLite divides the scales in float, then widens (ReluPrepare).
        int[] qs = quantizeMultiplier(ctx, (double) (inQ.scale() / outQ.scale()), "input/output scale ratio");
        int[] range = QuantMath.activationRange(activation, type, outQ.scale(), outQ.zeroPoint());
        byte[] table = new byte[256];
        for (int q = type.minValue(); q <= type.maxValue(); q++) {
            int v = outQ.zeroPoint() + FixedPoint.multiplyByQuantizedMultiplier(q - inQ.zeroPoint(), qs[0], qs[1]);
            table[q & 0xFF] = (byte) Math.min(range[1], Math.max(range[0], v));
        }
        return new ReluParams(type, size, low, high, table);
    }

    public static OpParams prepareLogistic(PrepareContext ctx) {
        return prepareLogisticTanh(ctx, false);
    }

    public static OpParams prepareTanh(PrepareContext ctx) {
        return prepareLogisticTanh(ctx, true);
    }

    private static OpParams prepareLogisticTanh(PrepareContext ctx, boolean tanh) {
        TensorSpec input = elementwiseInput(ctx);
        TensorSpec output = ctx.output(0);
        DataType type = input.type();
        int size = (int) input.elementCount();
        if (type == DataType.FLOAT32) {
            return new LogisticTanhParams(type, tanh, size, null);
        }
        QuantParams inQ = ctx.requirePerTensorQuant(input, "input");
        QuantParams outQ = ctx.requirePerTensorQuant(output, "output");
        float fixedScale = tanh ? 1f / 128 : 1f / 256;
        int fixedZeroPoint = tanh ? (type == DataType.UINT8 ? 128 : 0) : (type == DataType.UINT8 ? 0 : -128);
        requireFixedOutput(ctx, output, outQ, fixedScale, fixedZeroPoint);
        // input_scale * 2^(31 - 4): real input to Q4.27 (TFLite's frexp + round, i.e. QuantizeMultiplier).
        int[] qs = quantizeMultiplier(ctx, (double) inQ.scale() * (1 << (31 - LOGISTIC_TANH_INPUT_INTEGER_BITS)),
                "input scale");
        if (qs[1] < 0) {
            throw ctx.unsupported("with input scale " + inQ.scale() + " below 2^-27");
        }
        int radius = calculateInputRadius(LOGISTIC_TANH_INPUT_INTEGER_BITS, qs[1], 31);
        return new LogisticTanhParams(type, tanh, size,
                logisticTanhTable(type, tanh, inQ.zeroPoint(), radius, qs[0], qs[1]));
    }

    /**
     * The quantized LOGISTIC or TANH of every 8-bit input value, indexed by its raw byte
     * (reference_integer_ops::Logistic/Tanh for int8, reference_ops::Logistic/Tanh for uint8, which
     * give the int8 result plus 128): {@code x = q - inputZeroPoint}; saturate when
     * {@code |x| >= inputRangeRadius}, else {@code x * 2^inputLeftShift * inputMultiplier / 2^31} is
     * the input in Q4.27 of gemmlowp's logistic/tanh, whose Q0.31 result is rounded to 8 bits.
     */
    private static byte[] logisticTanhTable(DataType type, boolean tanh, int inputZeroPoint, int inputRangeRadius,
                                            int inputMultiplier, int inputLeftShift) {
        byte[] table = new byte[256];
        for (int q = type.minValue(); q <= type.maxValue(); q++) {
            int x = q - inputZeroPoint;
            int int8Result;
            if (x <= -inputRangeRadius) {
                int8Result = Byte.MIN_VALUE;
            } else if (x >= inputRangeRadius) {
                int8Result = Byte.MAX_VALUE;
            } else {
                int inputQ4 = FixedPoint.multiplyByQuantizedMultiplier(x, inputMultiplier, inputLeftShift);
                int v;
                if (tanh) {
                    // Q0.31 to Q24.7 (scale 1/128, zero point 0)
                    v = FixedPoint.roundingDivideByPOT(
                            GemmlowpFixedPoint.tanh(inputQ4, LOGISTIC_TANH_INPUT_INTEGER_BITS), 24);
                } else {
                    // Q0.31 to Q23.8 (scale 1/256), then zero point -128
                    v = FixedPoint.roundingDivideByPOT(
                            GemmlowpFixedPoint.logistic(inputQ4, LOGISTIC_TANH_INPUT_INTEGER_BITS), 23) - 128;
                }
                int8Result = Math.min(Byte.MAX_VALUE, Math.max(Byte.MIN_VALUE, v));
            }
            table[q & 0xFF] = (byte) (type == DataType.UINT8 ? int8Result + 128 : int8Result);
        }
        return table;
    }

    public static OpParams prepareSoftmax(PrepareContext ctx) {
        OpOptions.Softmax o = ctx.options(OpOptions.Softmax.class, null);
        TensorSpec input = elementwiseInput(ctx);
        TensorSpec output = ctx.output(0);
        if (input.rank() < 1) {
            throw ctx.invalid("input " + PrepareContext.describe(input) + " is a scalar; SOFTMAX needs rank >= 1");
        }
        DataType type = input.type();
        int depth = input.dim(input.rank() - 1);
        int outer = depth == 0 ? 0 : (int) (input.elementCount() / depth);
        float beta = o.beta();
        if (type == DataType.FLOAT32) {
            return new SoftmaxParams(type, outer, depth, beta, 0, null, null);
        }
        QuantParams inQ = ctx.requirePerTensorQuant(input, "input");
        QuantParams outQ = ctx.requirePerTensorQuant(output, "output");
        requireFixedOutput(ctx, output, outQ, 1f / 256, type == DataType.UINT8 ? 0 : -128);
        if (depth > MAX_QUANTIZED_SOFTMAX_DEPTH) {
            throw ctx.unsupported("with rows of " + depth + " quantized values: the Q12.19 sum of exponentials"
                    + " could overflow (at most " + MAX_QUANTIZED_SOFTMAX_DEPTH + ")");
        }
        if (!(beta > 0) || Float.isInfinite(beta)) {
            throw ctx.unsupported("with beta " + beta + " on quantized input");
        }
        // TFLite's PreprocessSoftmaxScaling: beta * input_scale in Q5.26, capped at 2^31 - 1.
        double real = Math.min((double) beta * (double) inQ.scale() * (1 << (31 - SOFTMAX_SCALED_DIFF_INTEGER_BITS)),
                (1L << 31) - 1.0);
        int[] qs = quantizeMultiplier(ctx, real, "beta * input scale");
        if (qs[1] < 0) {
            throw ctx.unsupported("with beta * input scale " + ((double) beta * inQ.scale())
                    + " below 2^-26 (TFLite requires a left shift)");
        }
        int diffMin = -calculateInputRadius(SOFTMAX_SCALED_DIFF_INTEGER_BITS, qs[1], 31);
        // Differences below diffMin are skipped by TFLite: they add nothing to the sum and give the
        // minimum output, exactly as an exponential of 0 does.
        int[] expOfDiff = new int[256];
        int[] expOfDiffQ12 = new int[256];
        for (int d = 0; d < 256; d++) {
            if (-d >= diffMin) {
                int scaledDiff = FixedPoint.multiplyByQuantizedMultiplierGreaterThanOne(-d, qs[0], qs[1]);
                expOfDiff[d] = GemmlowpFixedPoint.expOnNegativeValues(scaledDiff, SOFTMAX_SCALED_DIFF_INTEGER_BITS);
            }
            expOfDiffQ12[d] = GemmlowpFixedPoint.rescale(expOfDiff[d], 0, 12);
        }
        return new SoftmaxParams(type, outer, depth, beta, diffMin, expOfDiff, expOfDiffQ12);
    }

    /** One input, one output of the same type and shape, float32/uint8/int8. */
    private static TensorSpec elementwiseInput(PrepareContext ctx) {
        ctx.requireArity(1, 1, 1);
        TensorSpec input = ctx.input(0);
        TensorSpec output = ctx.output(0);
        DataType type = input.type();
        if (type != DataType.FLOAT32 && type != DataType.UINT8 && type != DataType.INT8) {
            throw ctx.unsupported("with " + type + " input");
        }
        ctx.requireType(output, type, "output");
        ctx.requireShape(output, input.shape(), "output");
        if (input.elementCount() > Integer.MAX_VALUE) {
            throw ctx.invalid("input " + PrepareContext.describe(input) + " has too many elements");
        }
        return input;
    }

    /** The fixed output parameters TFLite requires (scale within 0.1%, as its TF_LITE_ENSURE_NEAR). */
    private static void requireFixedOutput(PrepareContext ctx, TensorSpec output, QuantParams q, float scale,
                                           int zeroPoint) {
        if (Math.abs(q.scale() - scale) > 0.001f * scale || q.zeroPoint() != zeroPoint) {
            throw ctx.invalid("output " + PrepareContext.describe(output) + " has scale " + q.scale()
                    + " and zero point " + q.zeroPoint() + "; " + ctx.op().opName() + " on "
                    + output.type() + " requires scale " + scale + " and zero point " + zeroPoint);
        }
    }

    private static int[] quantizeMultiplier(PrepareContext ctx, double m, String what) {
        try {
            return FixedPoint.quantizeMultiplier(m);
        } catch (IllegalArgumentException e) {
            throw ctx.unsupported("with " + what + " out of range: " + e.getMessage());
        }
    }

    /**
     * TFLite's {@code CalculateInputRadius}: the largest |input difference| whose rescaled value
     * still fits in Q(integerBits): floor((2^integerBits - 1) * 2^(totalBits - integerBits) / 2^leftShift).
     */
    public static int calculateInputRadius(int integerBits, int leftShift, int totalSignedBits) {
        double max = 1.0 * ((1 << integerBits) - 1) * (double) (1L << (totalSignedBits - integerBits))
                / (double) (1L << leftShift);
        return (int) Math.floor(max);
    }
}
