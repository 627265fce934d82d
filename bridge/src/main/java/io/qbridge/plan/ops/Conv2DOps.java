package io.qbridge.plan.ops;

import io.qbridge.DataType;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.PrepareContext;

/** CONV_2D (kernels/conv.cc): shapes, padding and the output stage. */
public final class Conv2DOps {
    private Conv2DOps() {
    }

    /**
     * CONV_2D, NHWC: output[b][y][x][oc] sums filter[oc][ky][kx][ic] * input[b][iy][ix][ic] over
     * the window and every input channel. Filter layout [outC, fH, fW, inC]; bias may be null.
     */
    public record Conv2DParams(DataType type, int batches, int inH, int inW, int inC, int outH, int outW, int outC,
                               int filterH, int filterW, int strideH, int strideW, int dilationH, int dilationW,
                               int padTop, int padLeft, TensorSpec filter, TensorSpec bias, ConvQuantization quantization)
            implements OpParams {
    }

    public static OpParams prepareConv2D(PrepareContext ctx) {
        OpOptions.Conv2D o = ctx.options(OpOptions.Conv2D.class, null);
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
        int outC = filter.dim(0);
        if (filter.dim(3) != inC) {
            throw ctx.invalid("filter " + PrepareContext.describe(filter) + " has " + filter.dim(3)
                    + " input channels, the input has " + inC);
        }
        int outH = SlidingWindow.outputSize(o.padding(), inH, filterH, o.strideH(), o.dilationH());
        int outW = SlidingWindow.outputSize(o.padding(), inW, filterW, o.strideW(), o.dilationW());
        ctx.requireShape(output, new int[] {batches, outH, outW, outC}, "output");
        int padTop = SlidingWindow.paddingBefore(o.padding(), inH, filterH, o.strideH(), o.dilationH(), outH);
        int padLeft = SlidingWindow.paddingBefore(o.padding(), inW, filterW, o.strideW(), o.dilationW(), outW);
        ConvQuantization quantization = ConvQuantization.prepare(ctx, input, filter, bias, output, outC, 0, o.activation());
        ctx.setMacs((long) batches * outH * outW * outC * filterH * filterW * inC);
        return new Conv2DParams(input.type(), batches, inH, inW, inC, outH, outW, outC, filterH, filterW,
                o.strideH(), o.strideW(), o.dilationH(), o.dilationW(), padTop, padLeft, filter, bias, quantization);
    }
}
