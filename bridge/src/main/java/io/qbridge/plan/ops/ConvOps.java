package io.qbridge.plan.ops;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.graph.TensorSpec;
import io.qbridge.numerics.FixedPoint;
import io.qbridge.numerics.QuantMath;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.PrepareContext;

/** CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: shapes, padding and requantization. */
public final class ConvOps {
    private ConvOps() {
    }

    /**
     * Quantized output stage shared by conv-like ops: offsets added to input and filter values,
     * the output zero point, one multiplier/shift per output channel, the activation clamp.
     * For float ops only {@code actMinF}/{@code actMaxF} matter.
     */
    public record Requant(int inputOffset, int filterOffset, int outputOffset, int[] multiplier, int[] shift,
                          int actMin, int actMax, float actMinF, float actMaxF) {
    }

    /**
     * CONV_2D and DEPTHWISE_CONV_2D, NHWC. Filter layout: [outC, fH, fW, inC] for CONV_2D,
     * [1, fH, fW, outC] for DEPTHWISE_CONV_2D (outC = inC * depthMultiplier). Bias may be null.
     */
    public record ConvParams(DataType type, boolean depthwise,
                             int batches, int inH, int inW, int inC, int outH, int outW, int outC,
                             int filterH, int filterW, int depthMultiplier,
                             int strideH, int strideW, int dilationH, int dilationW, int padTop, int padLeft,
                             TensorSpec filter, TensorSpec bias, Requant requant) implements OpParams {
    }

    /** FULLY_CONNECTED: output[b][o] = sum_i filter[o][i] * input[b][i] (+ bias[o]). Bias may be null. */
    public record FullyConnectedParams(DataType type, int batches, int inDepth, int outDepth,
                                       TensorSpec filter, TensorSpec bias, Requant requant) implements OpParams {
    }

    public static OpParams prepareConv2D(PrepareContext ctx) {
        OpOptions.Conv2D o = ctx.options(OpOptions.Conv2D.class, null);
        return prepareConv(ctx, false, o.padding(), o.strideH(), o.strideW(), o.dilationH(), o.dilationW(), 1,
                o.activation());
    }

    public static OpParams prepareDepthwiseConv2D(PrepareContext ctx) {
        OpOptions.DepthwiseConv2D o = ctx.options(OpOptions.DepthwiseConv2D.class, null);
        return prepareConv(ctx, true, o.padding(), o.strideH(), o.strideW(), o.dilationH(), o.dilationW(),
                o.depthMultiplier(), o.activation());
    }

    private static OpParams prepareConv(PrepareContext ctx, boolean depthwise, Padding padding, int strideH,
                                        int strideW, int dilationH, int dilationW, int depthMultiplierOption,
                                        Activation activation) {
        ctx.requireArity(2, 3, 1);
        TensorSpec input = ctx.input(0);
        TensorSpec filter = ctx.input(1);
        TensorSpec bias = ctx.optionalInput(2);
        TensorSpec output = ctx.output(0);
        if (input.isConstant()) {   // the kernels read the input from the arena, where constants are not
            throw ctx.unsupported("with a constant input " + PrepareContext.describe(input));
        }
        ctx.requireRank(input, 4, "input");
        ctx.requireRank(filter, 4, "filter");
        ctx.requireRank(output, 4, "output");
        ctx.requireConstant(filter, "filter");
        int batches = input.dim(0);
        int inH = input.dim(1);
        int inW = input.dim(2);
        int inC = input.dim(3);
        int filterH = filter.dim(1);
        int filterW = filter.dim(2);
        int outC;
        int depthMultiplier = 1;
        if (depthwise) {
            if (filter.dim(0) != 1) {
                throw ctx.invalid("depthwise filter " + PrepareContext.describe(filter) + " has first dimension "
                        + filter.dim(0) + ", expected 1");
            }
            outC = filter.dim(3);
            if (inC == 0 || outC % inC != 0) {
                throw ctx.invalid("filter has " + outC + " channels, not a multiple of the input's " + inC);
            }
            depthMultiplier = outC / inC;
            if (depthMultiplierOption != 0 && depthMultiplierOption != depthMultiplier && inC != 1) {
                throw ctx.invalid("depth_multiplier is " + depthMultiplierOption + " but the filter implies "
                        + depthMultiplier);
            }
        } else {
            outC = filter.dim(0);
            if (filter.dim(3) != inC) {
                throw ctx.invalid("filter " + PrepareContext.describe(filter) + " has " + filter.dim(3)
                        + " input channels, the input has " + inC);
            }
        }
        int outH = outputSize(padding, inH, filterH, strideH, dilationH);
        int outW = outputSize(padding, inW, filterW, strideW, dilationW);
        ctx.requireShape(output, new int[] {batches, outH, outW, outC}, "output");
        int padTop = paddingBefore(padding, inH, filterH, strideH, dilationH, outH);
        int padLeft = paddingBefore(padding, inW, filterW, strideW, dilationW, outW);
        Requant requant = requant(ctx, input, filter, bias, output, outC, depthwise ? 3 : 0, activation);
        ctx.setMacs((long) batches * outH * outW * outC * filterH * filterW * (depthwise ? 1 : inC));
        return new ConvParams(input.type(), depthwise, batches, inH, inW, inC, outH, outW, outC, filterH, filterW,
                depthMultiplier, strideH, strideW, dilationH, dilationW, padTop, padLeft, filter, bias, requant);
    }

    public static OpParams prepareFullyConnected(PrepareContext ctx) {
        OpOptions.FullyConnected o = ctx.options(OpOptions.FullyConnected.class, null);
        ctx.requireArity(2, 3, 1);
        if (o.weightsFormat() != 0) {
            throw ctx.unsupported("with shuffled weights format " + o.weightsFormat());
        }
        TensorSpec input = ctx.input(0);
        TensorSpec filter = ctx.input(1);
        TensorSpec bias = ctx.optionalInput(2);
        TensorSpec output = ctx.output(0);
        if (input.isConstant()) {   // the kernels read the input from the arena, where constants are not
            throw ctx.unsupported("with a constant input " + PrepareContext.describe(input));
        }
        ctx.requireRank(filter, 2, "filter");
        ctx.requireConstant(filter, "filter");
        int outDepth = filter.dim(0);
        int inDepth = filter.dim(1);
        long inElements = input.elementCount();
        if (inDepth == 0 || inElements % inDepth != 0) {
            throw ctx.invalid("input " + PrepareContext.describe(input) + " of " + inElements
                    + " elements is not a whole number of rows of " + inDepth);
        }
        int batches = (int) (inElements / inDepth);
        if (output.elementCount() != (long) batches * outDepth || output.rank() == 0
                || output.dim(output.rank() - 1) != outDepth) {
            throw ctx.invalid("output " + PrepareContext.describe(output) + " has shape "
                    + java.util.Arrays.toString(output.shape()) + ", expected " + batches + " rows of " + outDepth);
        }
        Requant requant = requant(ctx, input, filter, bias, output, outDepth, 0, o.activation());
        ctx.setMacs((long) batches * inDepth * outDepth);
        return new FullyConnectedParams(input.type(), batches, inDepth, outDepth, filter, bias, requant);
    }

    /** TFLite's output size for SAME/VALID padding with dilation. */
    static int outputSize(Padding padding, int in, int filter, int stride, int dilation) {
        int effective = (filter - 1) * dilation + 1;
        return padding == Padding.SAME ? (in + stride - 1) / stride
                : Math.max(0, (in - effective + stride) / stride);
    }

    /** TFLite's ComputePaddingHeightWidth: padding before (top/left); the odd pixel goes after. */
    static int paddingBefore(Padding padding, int in, int filter, int stride, int dilation, int out) {
        if (padding == Padding.VALID) {
            return 0;
        }
        int effective = (filter - 1) * dilation + 1;
        int total = (out - 1) * stride + effective - in;
        return Math.max(total, 0) / 2;
    }

    /** Checks types and computes the output stage of a conv-like op. */
    static Requant requant(PrepareContext ctx, TensorSpec input, TensorSpec filter, TensorSpec bias,
                           TensorSpec output, int outChannels, int channelAxis, Activation activation) {
        DataType type = input.type();
        if (activation == Activation.TANH || activation == Activation.SIGN_BIT) {
            throw ctx.unsupported("with fused activation " + activation);
        }
        if (type == DataType.FLOAT32) {
            ctx.requireType(filter, DataType.FLOAT32, "filter");
            ctx.requireType(output, DataType.FLOAT32, "output");
            if (bias != null) {
                ctx.requireType(bias, DataType.FLOAT32, "bias");
                requireBiasLength(ctx, bias, outChannels);
                ctx.requireConstant(bias, "bias");
            }
            float[] range = QuantMath.activationRange(activation);
            return new Requant(0, 0, 0, null, null, 0, 0, range[0], range[1]);
        }
        if (type != DataType.UINT8 && type != DataType.INT8) {
            throw ctx.unsupported("with " + type + " input");
        }
        ctx.requireType(filter, type, "filter");
        ctx.requireType(output, type, "output");
        QuantParams inQ = ctx.requirePerTensorQuant(input, "input");
        QuantParams outQ = ctx.requirePerTensorQuant(output, "output");
        QuantParams fQ = filter.quant();
        if (!fQ.isQuantized()) {
            throw ctx.invalid("filter " + PrepareContext.describe(filter) + " has no quantization parameters");
        }
        if (fQ.isPerChannel()) {
            if (type == DataType.UINT8) {
                throw ctx.unsupported("with per-channel uint8 filter");
            }
            if (fQ.axis() != channelAxis || fQ.channelCount() != outChannels) {
                throw ctx.invalid("filter " + PrepareContext.describe(filter) + " is quantized per channel on axis "
                        + fQ.axis() + " with " + fQ.channelCount() + " scales, expected axis " + channelAxis
                        + " with " + outChannels);
            }
        }
        // Legacy int8 FULLY_CONNECTED has a per-tensor weights zero point (TFLite's weights_offset);
        // int8 convolutions and per-channel weights are symmetric.
        boolean weightsOffsetAllowed = type == DataType.UINT8 || (channelAxis == 0 && !fQ.isPerChannel()
                && ctx.op().builtinCode() == io.qbridge.tflite.schema.BuiltinOperator.FULLY_CONNECTED);
        for (int c = 0; c < fQ.channelCount(); c++) {
            if (!weightsOffsetAllowed && fQ.zeroPoint(c) != 0) {
                throw ctx.invalid("int8 filter " + PrepareContext.describe(filter) + " has zero point "
                        + fQ.zeroPoint(c) + " on channel " + c + "; int8 weights are symmetric");
            }
            if (!(fQ.scale(c) > 0)) {
                throw ctx.invalid("filter " + PrepareContext.describe(filter) + " has scale " + fQ.scale(c)
                        + " on channel " + c);
            }
        }
        int filterOffset = weightsOffsetAllowed ? -fQ.zeroPoint() : 0;
        if (bias != null) {
            ctx.requireType(bias, DataType.INT32, "bias");
            ctx.requireConstant(bias, "bias");
            requireBiasLength(ctx, bias, outChannels);
        }
        int[] multiplier = new int[outChannels];
        int[] shift = new int[outChannels];
        for (int c = 0; c < outChannels; c++) {
            float filterScale = fQ.isPerChannel() ? fQ.scale(c) : fQ.scale();
            double effective = (double) inQ.scale() * (double) filterScale / (double) outQ.scale();
            int[] qs;
            try {
                qs = FixedPoint.quantizeMultiplier(effective);
            } catch (IllegalArgumentException e) {
                throw ctx.invalid("output channel " + c + ": " + e.getMessage());
            }
            multiplier[c] = qs[0];
            shift[c] = qs[1];
        }
        int[] range = QuantMath.activationRange(activation, type, outQ.scale(), outQ.zeroPoint());
        return new Requant(-inQ.zeroPoint(), filterOffset, outQ.zeroPoint(), multiplier, shift, range[0], range[1],
                0f, 0f);
    }

    private static void requireBiasLength(PrepareContext ctx, TensorSpec bias, int outChannels) {
        if (bias.elementCount() != outChannels) {
            throw ctx.invalid("bias " + PrepareContext.describe(bias) + " has " + bias.elementCount()
                    + " elements, expected " + outChannels);
        }
    }
}
