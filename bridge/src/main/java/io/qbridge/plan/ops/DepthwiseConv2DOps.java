package io.qbridge.plan.ops;

import io.qbridge.DataType;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.PrepareContext;

/** DEPTHWISE_CONV_2D (kernels/depthwise_conv.cc): shapes, padding and the output stage. */
public final class DepthwiseConv2DOps {
    private DepthwiseConv2DOps() {
    }

    /**
     * DEPTHWISE_CONV_2D, NHWC: output channel oc reads input channel oc / depthMultiplier alone,
     * output[b][y][x][oc] sums filter[0][ky][kx][oc] * input[b][iy][ix][oc / depthMultiplier] over
     * the window. Filter layout [1, fH, fW, outC] (outC = inC * depthMultiplier); bias may be null.
     */
    public record DepthwiseConv2DParams(DataType type, int batches, int inH, int inW, int inC, int outH, int outW,
                                        int outC, int filterH, int filterW, int depthMultiplier, int strideH,
                                        int strideW, int dilationH, int dilationW, int padTop, int padLeft,
                                        TensorSpec filter, TensorSpec bias, ConvQuantization quantization) implements OpParams {
    }

    public static OpParams prepareDepthwiseConv2D(PrepareContext ctx) {
        OpOptions.DepthwiseConv2D o = ctx.options(OpOptions.DepthwiseConv2D.class, null);
        SlidingWindow.Operands operands = SlidingWindow.Operands.of(ctx);
        TensorSpec input = operands.input();
        TensorSpec filter = operands.filter();
        TensorSpec bias = operands.bias();
        TensorSpec output = operands.output();
        int batches = input.dim(0);
        int inH = input.dim(1);
        int inW = input.dim(2);
        int inC = input.dim(3);
        int filterH = filter.dim(1);
        int filterW = filter.dim(2);
        if (filter.dim(0) != 1) {
            throw ctx.invalid("depthwise filter " + PrepareContext.describe(filter) + " has first dimension "
                    + filter.dim(0) + ", expected 1");
        }
        int outC = filter.dim(3);
        if (inC == 0 || outC % inC != 0) {
            throw ctx.invalid("filter has " + outC + " channels, not a multiple of the input's " + inC);
        }
        int depthMultiplier = outC / inC;
        if (o.depthMultiplier() != 0 && o.depthMultiplier() != depthMultiplier && inC != 1) {
            throw ctx.invalid("depth_multiplier is " + o.depthMultiplier() + " but the filter implies "
                    + depthMultiplier);
        }
        int outH = SlidingWindow.outputSize(o.padding(), inH, filterH, o.strideH(), o.dilationH());
        int outW = SlidingWindow.outputSize(o.padding(), inW, filterW, o.strideW(), o.dilationW());
        ctx.requireShape(output, new int[] {batches, outH, outW, outC}, "output");
        int padTop = SlidingWindow.paddingBefore(o.padding(), inH, filterH, o.strideH(), o.dilationH(), outH);
        int padLeft = SlidingWindow.paddingBefore(o.padding(), inW, filterW, o.strideW(), o.dilationW(), outW);
        ConvQuantization quantization = ConvQuantization.prepare(ctx, input, filter, bias, output, outC, 3, o.activation());
        ctx.setMacs((long) batches * outH * outW * outC * filterH * filterW);
        return new DepthwiseConv2DParams(input.type(), batches, inH, inW, inC, outH, outW, outC, filterH, filterW,
                depthMultiplier, o.strideH(), o.strideW(), o.dilationH(), o.dilationW(), padTop, padLeft, filter,
                bias, quantization);
    }
}
