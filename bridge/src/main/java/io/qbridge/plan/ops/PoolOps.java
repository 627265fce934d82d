package io.qbridge.plan.ops;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.numerics.QuantMath;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.PrepareContext;

/**
 * AVERAGE_POOL_2D and MAX_POOL_2D (NHWC): output size and padding as TFLite's
 * {@code ComputePaddingHeightWidth} (dilation 1), fused activation clamp. Quantized pooling
 * keeps the input's parameters: TFLite's kernels never requantize, so the output must have the
 * input's scale and zero point (TFLite {@code kernels/pooling.cc} checks the same).
 */
public final class PoolOps {
    private PoolOps() {
    }

    /**
     * One pooling op. The window of output (y, x) starts at input row {@code y * strideH - padTop},
     * column {@code x * strideW - padLeft}, and is clipped to the input; quantized results are
     * clamped to {@code [actMin, actMax]}, float results to {@code [actMinF, actMaxF]}.
     */
    public record Pool2DParams(DataType type, boolean average, int batches, int inH, int inW, int channels,
                               int outH, int outW, int filterH, int filterW, int strideH, int strideW,
                               int padTop, int padLeft, int actMin, int actMax, float actMinF, float actMaxF)
            implements OpParams {
    }

    public static OpParams prepareAveragePool2D(PrepareContext ctx) {
        return preparePool(ctx, true);
    }

    public static OpParams prepareMaxPool2D(PrepareContext ctx) {
        return preparePool(ctx, false);
    }

    private static OpParams preparePool(PrepareContext ctx, boolean average) {
        OpOptions.Pool2D o = ctx.options(OpOptions.Pool2D.class, null);
        ctx.requireArity(1, 1, 1);
        TensorSpec input = ctx.input(0);
        TensorSpec output = ctx.output(0);
        ctx.requireRank(input, 4, "input");
        DataType type = input.type();
        if (type != DataType.FLOAT32 && type != DataType.UINT8 && type != DataType.INT8) {
            throw ctx.unsupported("with " + type + " input");
        }
        ctx.requireType(output, type, "output");
        if (o.filterHeight() < 1 || o.filterWidth() < 1 || o.strideH() < 1 || o.strideW() < 1) {
            throw ctx.invalid("has filter " + o.filterHeight() + "x" + o.filterWidth() + " and stride "
                    + o.strideH() + "x" + o.strideW() + "; both must be at least 1");
        }
        Activation activation = o.activation();
        if (activation == Activation.TANH || activation == Activation.SIGN_BIT) {
            throw ctx.unsupported("with fused activation " + activation);
        }
        int batches = input.dim(0);
        int inH = input.dim(1);
        int inW = input.dim(2);
        int channels = input.dim(3);
        int outH = SlidingWindow.outputSize(o.padding(), inH, o.filterHeight(), o.strideH(), 1);
        int outW = SlidingWindow.outputSize(o.padding(), inW, o.filterWidth(), o.strideW(), 1);
        ctx.requireShape(output, new int[] {batches, outH, outW, channels}, "output");
        int padTop = SlidingWindow.paddingBefore(o.padding(), inH, o.filterHeight(), o.strideH(), 1, outH);
        int padLeft = SlidingWindow.paddingBefore(o.padding(), inW, o.filterWidth(), o.strideW(), 1, outW);
        if (type == DataType.FLOAT32) {
            float[] range = QuantMath.activationRange(activation);
            return new Pool2DParams(type, average, batches, inH, inW, channels, outH, outW, o.filterHeight(),
                    o.filterWidth(), o.strideH(), o.strideW(), padTop, padLeft, 0, 0, range[0], range[1]);
        }
        QuantParams inQ = ctx.requirePerTensorQuant(input, "input");
        QuantParams outQ = ctx.requirePerTensorQuant(output, "output");
        if (Math.abs(inQ.scale() - outQ.scale()) > 1e-6f || inQ.zeroPoint() != outQ.zeroPoint()) {
            throw ctx.invalid("output " + PrepareContext.describe(output) + " has scale " + outQ.scale()
                    + " and zero point " + outQ.zeroPoint() + " but the input has " + inQ.scale() + " and "
                    + inQ.zeroPoint() + "; quantized pooling keeps the input's parameters");
        }
        int[] range = QuantMath.activationRange(activation, type, outQ.scale(), outQ.zeroPoint());
        return new Pool2DParams(type, average, batches, inH, inW, channels, outH, outW, o.filterHeight(),
                o.filterWidth(), o.strideH(), o.strideW(), padTop, padLeft, range[0], range[1], 0f, 0f);
    }
}
