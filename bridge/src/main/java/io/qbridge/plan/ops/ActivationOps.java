package io.qbridge.plan.ops;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.numerics.FixedPoint;
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
    public static final int LOGISTIC_TANH_INPUT_INTEGER_BITS = 4;
    /** Integer bits of the scaled input differences fed to exp in SOFTMAX (Q5.26). */
    public static final int SOFTMAX_SCALED_DIFF_INTEGER_BITS = 5;

    /** Longest quantized SOFTMAX row whose Q12.19 sum of exponentials (each <= 1) cannot overflow. */
    public static final int MAX_QUANTIZED_SOFTMAX_DEPTH = 4095;

    private ActivationOps() {
    }

    /**
     * RELU (clamp to [0, inf)) and RELU6 ([0, 6]). Quantized: TFLite's {@code ReluX}, which
     * requantizes {@code output_zp + MultiplyByQuantizedMultiplier(q - input_zp, m, shift)} to the
     * output's parameters, then clamps to {@code [actMin, actMax]}. Float: {@code [lowF, highF]}.
     */
    public record ReluParams(DataType type, int size, int inputZeroPoint, int outputZeroPoint, int multiplier,
                             int shift, int actMin, int actMax, float lowF, float highF) implements OpParams {
    }

    /**
     * LOGISTIC or TANH. Quantized: TFLite's integer reference kernels (reference_integer_ops::Logistic
     * and Tanh; reference_ops::Tanh for uint8): {@code x = q - inputZeroPoint}; saturate when
     * {@code |x| >= inputRangeRadius}, else {@code x * 2^inputLeftShift * inputMultiplier / 2^31}
     * is the input in Q4.27 of gemmlowp's logistic/tanh, whose Q0.31 result is rounded to 8 bits.
     * The output parameters are fixed: 1/256 (LOGISTIC) or 1/128 (TANH).
     */
    public record LogisticTanhParams(DataType type, boolean tanh, int size, int inputZeroPoint,
                                     int inputRangeRadius, int inputMultiplier, int inputLeftShift)
            implements OpParams {
    }

    /**
     * SOFTMAX over the last dimension ({@code outer} rows of {@code depth}). Quantized: TFLite's
     * reference integer softmax; input differences to the row maximum at least {@code diffMin}
     * are scaled by {@code inputMultiplier * 2^inputLeftShift} (beta * input scale in Q5.26),
     * exponentiated with gemmlowp, summed in Q12.19 and normalised. Output 1/256, zero point
     * -128 (int8) or 0 (uint8).
     */
    public record SoftmaxParams(DataType type, int outer, int depth, float beta, int inputMultiplier,
                                int inputLeftShift, int diffMin) implements OpParams {
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
            return new ReluParams(type, size, 0, 0, 0, 0, 0, 0, low, high);
        }
        QuantParams inQ = ctx.requirePerTensorQuant(input, "input");
        QuantParams outQ = ctx.requirePerTensorQuant(output, "output");
        // TFLite divides the scales in float, then widens (ReluPrepare).
        int[] qs = quantizeMultiplier(ctx, (double) (inQ.scale() / outQ.scale()), "input/output scale ratio");
        int[] range = QuantMath.activationRange(activation, type, outQ.scale(), outQ.zeroPoint());
        return new ReluParams(type, size, inQ.zeroPoint(), outQ.zeroPoint(), qs[0], qs[1], range[0], range[1], low,
                high);
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
            return new LogisticTanhParams(type, tanh, size, 0, 0, 0, 0);
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
        return new LogisticTanhParams(type, tanh, size, inQ.zeroPoint(), radius, qs[0], qs[1]);
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
            return new SoftmaxParams(type, outer, depth, beta, 0, 0, 0);
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
        return new SoftmaxParams(type, outer, depth, beta, qs[0], qs[1], diffMin);
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
