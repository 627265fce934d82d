package io.qbridge.plan.ops;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.TensorSpec;
import io.qbridge.numerics.FixedPoint;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.PrepareContext;

import java.util.Arrays;

/**
 * QUANTIZE (kernels/quantize.cc with reference/quantize.h and reference/requantize.h) and
 * DEQUANTIZE (kernels/dequantize.cc, reference/dequantize.h).
 */
public final class QuantizeOps {
    private QuantizeOps() {
    }

    /**
     * Per-tensor or per-channel parameters laid over a flat tensor: element i belongs to channel
     * {@code (i / innerSize) % channelCount} (channelCount 1 and innerSize = elementCount when per
     * tensor).
     */
    public record Channels(float[] scales, int[] zeroPoints, int channelCount, int innerSize) {
        static Channels of(QuantParams q, TensorSpec t) {
            int inner = 1;
            if (q.isPerChannel()) {
                for (int d = q.axis() + 1; d < t.rank(); d++) {
                    inner *= t.dim(d);
                }
            } else {
                inner = (int) Math.max(1, t.elementCount());
            }
            return new Channels(q.scales(), q.zeroPoints(), q.channelCount(), inner);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Channels c && Arrays.equals(scales, c.scales) && Arrays.equals(zeroPoints, c.zeroPoints)
                    && channelCount == c.channelCount && innerSize == c.innerSize;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(scales) * 31 + innerSize;
        }

        @Override
        public String toString() {
            return "Channels[" + channelCount + " x " + innerSize + "]";
        }
    }

    /**
     * QUANTIZE float32 to uint8/int8/int16 (AffineQuantize, PerChannelQuantize):
     * {@code clamp(round_half_away(x / scale) + zeroPoint)}, the division in float.
     */
    public record QuantizeParams(DataType outputType, int elementCount, Channels channels) implements OpParams {
    }

    /**
     * QUANTIZE between integer types (Requantize): {@link #requantize}. Between 8-bit types
     * {@code table} holds the result for every input byte (indexed by the unsigned byte); null
     * otherwise.
     */
    public record RequantizeParams(DataType inputType, DataType outputType, int elementCount, int inputZeroPoint,
                                   int outputZeroPoint, int multiplier, int shift, byte[] table) implements OpParams {
    }

    /**
     * Requantize of one input value: {@code clamp(MultiplyByQuantizedMultiplier(q - inputZeroPoint,
     * multiplier, shift) + outputZeroPoint)} to the output type's range.
     */
    public static int requantize(int q, int inputZeroPoint, int outputZeroPoint, int multiplier, int shift,
                                 DataType outputType) {
        int r = FixedPoint.multiplyByQuantizedMultiplier(q - inputZeroPoint, multiplier, shift) + outputZeroPoint;
        return Math.max(outputType.minValue(), Math.min(outputType.maxValue(), r));
    }

    /**
     * DEQUANTIZE uint8/int8/int16 (per tensor, or per channel) to float32:
     * {@code (float) (scale * (q - zeroPoint))}; FLOAT16 is widened exactly (channels null).
     */
    public record DequantizeParams(DataType inputType, int elementCount, Channels channels) implements OpParams {
    }

    public static OpParams prepareQuantize(PrepareContext ctx) {
        ctx.requireArity(1, 1, 1);
        TensorSpec input = ctx.input(0);
        TensorSpec output = ctx.output(0);
        DataType in = input.type();
        DataType out = output.type();
        ctx.requireShape(output, input.shape(), "output");
        int count = (int) input.elementCount();
        if (out != DataType.UINT8 && out != DataType.INT8 && out != DataType.INT16 && out != DataType.INT32) {
            throw ctx.unsupported("to " + out);
        }
        if (in == DataType.FLOAT32) {
            if (out == DataType.INT32) {
                throw ctx.unsupported("from FLOAT32 to INT32");
            }
            QuantParams q = output.quant();
            if (!q.isQuantized()) {
                throw ctx.invalid("output " + PrepareContext.describe(output) + " has no quantization parameters");
            }
            for (int c = 0; c < q.channelCount(); c++) {
                if (!(q.scale(c) > 0) || Float.isInfinite(q.scale(c))) {
                    throw ctx.invalid("output " + PrepareContext.describe(output) + " has scale " + q.scale(c));
                }
            }
            return new QuantizeParams(out, count, Channels.of(q, output));
        }
        if (in != DataType.UINT8 && in != DataType.INT8 && in != DataType.INT16 && in != DataType.INT32) {
            throw ctx.unsupported("from " + in);
        }
        QuantParams qi = ctx.requirePerTensorQuant(input, "input");
        QuantParams qo = ctx.requirePerTensorQuant(output, "output");
        // quantize.cc: both scales widened to double, then QuantizeMultiplier.
        double effective = (double) qi.scale() / (double) qo.scale();
        int[] m;
        try {
            m = FixedPoint.quantizeMultiplier(effective);
        } catch (IllegalArgumentException e) {
            throw ctx.invalid("requantization multiplier: " + e.getMessage());
        }
        byte[] table = null;
        if (in.byteSize() == 1 && out.byteSize() == 1) {
            table = new byte[256];
            for (int u = 0; u < 256; u++) {
                int q = in == DataType.UINT8 ? u : (byte) u;
                table[u] = (byte) requantize(q, qi.zeroPoint(), qo.zeroPoint(), m[0], m[1], out);
            }
        }
        return new RequantizeParams(in, out, count, qi.zeroPoint(), qo.zeroPoint(), m[0], m[1], table);
    }

    public static OpParams prepareDequantize(PrepareContext ctx) {
        ctx.requireArity(1, 1, 1);
        TensorSpec input = ctx.input(0);
        TensorSpec output = ctx.output(0);
        ctx.requireType(output, DataType.FLOAT32, "output");
        ctx.requireShape(output, input.shape(), "output");
        int count = (int) input.elementCount();
        DataType in = input.type();
        if (in == DataType.FLOAT16) {
            return new DequantizeParams(in, count, null);
        }
        if (in != DataType.UINT8 && in != DataType.INT8 && in != DataType.INT16) {
            throw ctx.unsupported("from " + in);
        }
        QuantParams q = input.quant();
        if (!q.isQuantized()) {
            throw ctx.invalid("input " + PrepareContext.describe(input) + " is " + in
                    + " but has no quantization parameters");
        }
        for (int c = 0; c < q.channelCount(); c++) {
            if (!(q.scale(c) > 0) || Float.isInfinite(q.scale(c))) {
                throw ctx.invalid("input " + PrepareContext.describe(input) + " has scale " + q.scale(c));
            }
        }
        return new DequantizeParams(in, count, Channels.of(q, input));
    }
}
