package io.qbridge.plan.ops;

import io.qbridge.graph.Padding;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.PrepareContext;

/**
 * A window sliding over H and W (CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, MAX_POOL_2D): TFLite's
 * output size and padding (kernels/padding.h).
 */
final class SlidingWindow {
    private SlidingWindow() {
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

    /**
     * The operands of CONV_2D and DEPTHWISE_CONV_2D, checked alike: input, constant filter,
     * optional bias, output, all of rank 4 but the bias; the input in the arena (the kernels read it
     * there, where constants are not).
     */
    record Operands(TensorSpec input, TensorSpec filter, TensorSpec bias, TensorSpec output) {
        static Operands of(PrepareContext ctx) {
            ctx.requireArity(2, 3, 1);
            TensorSpec input = ctx.input(0);
            TensorSpec filter = ctx.input(1);
            TensorSpec output = ctx.output(0);
            if (input.isConstant()) {
                throw ctx.unsupported("with a constant input " + PrepareContext.describe(input));
            }
            ctx.requireRank(input, 4, "input");
            ctx.requireRank(filter, 4, "filter");
            ctx.requireRank(output, 4, "output");
            ctx.requireConstant(filter, "filter");
            return new Operands(input, filter, ctx.optionalInput(2), output);
        }
    }
}
