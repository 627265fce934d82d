package io.qbridge.plan.ops;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.TensorSpec;
import io.qbridge.numerics.FixedPoint;
import io.qbridge.numerics.QuantMath;
import io.qbridge.plan.PrepareContext;
import io.qbridge.tflite.schema.BuiltinOperator;

/**
 * The quantized arithmetic of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, under the names the
 * program record gives it (native/src/program.def): the input and filter zero points, and the
 * output stage: one multiplier and shift per output channel, the output zero point, the clamp of
 * the fused activation. (TFLite's reference kernels add offsets, -zero point; the Java kernels
 * take them from the zero points at their entry.) For float ops only {@code outputMinF} and
 * {@code outputMaxF} matter.
 */
public record ConvQuantization(int inputZeroPoint, int filterZeroPoint, int[] outputMultiplier, int[] outputShift,
                               int outputZeroPoint, int outputMin, int outputMax, float outputMinF, float outputMaxF) {

    /** Checks the types of a conv-like op and computes its output stage (channelAxis: the filter's). */
    static ConvQuantization prepare(PrepareContext ctx, TensorSpec input, TensorSpec filter, TensorSpec bias,
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
            return new ConvQuantization(0, 0, null, null, 0, 0, 0, range[0], range[1]);
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
                && ctx.op().builtinCode() == BuiltinOperator.FULLY_CONNECTED);
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
        int filterZeroPoint = weightsOffsetAllowed ? fQ.zeroPoint() : 0;
        if (bias != null) {
            ctx.requireType(bias, DataType.INT32, "bias");
            ctx.requireConstant(bias, "bias");
            requireBiasLength(ctx, bias, outChannels);
            requireBiasQuantization(ctx, bias, inQ, fQ);
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
        return new ConvQuantization(inQ.zeroPoint(), filterZeroPoint, multiplier, shift, outQ.zeroPoint(), range[0],
                range[1], 0f, 0f);
    }

    /** The int32 bias of each output channel: zeros where the op has none (TFLite's optional bias). */
    public static int[] biasValues(TensorSpec bias, int channels) {
        int[] v = new int[channels];
        if (bias != null) {
            bias.data().order(java.nio.ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(v);
        }
        return v;
    }

    /** The float bias of each output channel: zeros where the op has none. */
    public static float[] floatBiasValues(TensorSpec bias, int channels) {
        float[] v = new float[channels];
        if (bias != null) {
            bias.data().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        }
        return v;
    }

    /**
     * TFLite's checks of a quantized bias (conv.cc / fully_connected.cc Prepare, kernel_util.cc
     * GetQuantizedConvolutionMultipler): its zero point is 0, and with a per-tensor filter its scale
     * is input scale x filter scale to within a relative 1e-6, computed in double. (TFLite reads no
     * bias scale for per-channel filters, so neither does qbridge.)
     */
    private static void requireBiasQuantization(PrepareContext ctx, TensorSpec bias, QuantParams inQ, QuantParams fQ) {
        QuantParams bQ = bias.quant();
        for (int zeroPoint : bQ.zeroPoints()) {
            if (zeroPoint != 0) {
                throw ctx.invalid("bias " + PrepareContext.describe(bias) + " has zero point " + zeroPoint
                        + "; a quantized bias has zero point 0");
            }
        }
        if (!fQ.isPerChannel()) {
            double product = (double) inQ.scale() * (double) fQ.scale();
            double biasScale = bQ.isQuantized() ? bQ.scale() : 0;
            if (!(Math.abs(product - biasScale) <= 1e-6 * Math.min(product, biasScale))) {
                throw ctx.invalid("bias " + PrepareContext.describe(bias) + " has scale " + biasScale
                        + ", expected input scale x filter scale = " + product);
            }
        }
    }

    private static void requireBiasLength(PrepareContext ctx, TensorSpec bias, int outChannels) {
        if (bias.elementCount() != outChannels) {
            throw ctx.invalid("bias " + PrepareContext.describe(bias) + " has " + bias.elementCount()
                    + " elements, expected " + outChannels);
        }
    }
}
