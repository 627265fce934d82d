package io.qbridge.plan.ops;

import io.qbridge.DataType;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.PrepareContext;

import java.util.Arrays;

/** FULLY_CONNECTED (kernels/fully_connected.cc): shapes and the output stage. */
public final class FullyConnectedOps {
    private FullyConnectedOps() {
    }

    /** FULLY_CONNECTED: output[b][o] = sum_i filter[o][i] * input[b][i] (+ bias[o]). Bias may be null. */
    public record FullyConnectedParams(DataType type, int batches, int inDepth, int outDepth,
                                       TensorSpec filter, TensorSpec bias, ConvQuantization quantization) implements OpParams {
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
                    + Arrays.toString(output.shape()) + ", expected " + batches + " rows of " + outDepth);
        }
        ConvQuantization quantization = ConvQuantization.prepare(ctx, input, filter, bias, output, outDepth, 0, o.activation());
        ctx.setMacs((long) batches * inDepth * outDepth);
        return new FullyConnectedParams(input.type(), batches, inDepth, outDepth, filter, bias, quantization);
    }
}
