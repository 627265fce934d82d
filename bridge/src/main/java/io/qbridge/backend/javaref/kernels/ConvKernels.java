package io.qbridge.backend.javaref.kernels;

import io.qbridge.backend.javaref.JavaKernel;
import io.qbridge.backend.javaref.KernelContext;
import io.qbridge.plan.PlannedOp;
import io.qbridge.plan.ops.ConvOps.ConvParams;
import io.qbridge.plan.ops.ConvOps.FullyConnectedParams;

/**
 * CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED for float32, uint8 (per-tensor) and int8
 * (per-channel), bit-exact with TFLite's reference kernels (reference/conv.h,
 * reference/depthwiseconv_uint8.h, reference/integer_ops/conv.h, depthwise_conv.h,
 * fully_connected.h): accumulate (filter + filterOffset) * (input + inputOffset) in int32, add
 * bias, requantize per channel, add the output zero point, clamp. The loops are arranged for
 * speed in {@link GemmConvKernels} and {@link DepthwiseConvKernels}; the tests hold them to a
 * plain transcription of the reference loops, bit for bit.
 */
final class ConvKernels {
    private ConvKernels() {
    }

    static JavaKernel conv(PlannedOp op, KernelContext ctx) {
        ConvParams p = (ConvParams) op.params();
        return p.depthwise() ? DepthwiseConvKernels.create(p, op, ctx) : GemmConvKernels.conv(p, op, ctx);
    }

    static JavaKernel fullyConnected(PlannedOp op, KernelContext ctx) {
        return GemmConvKernels.fullyConnected((FullyConnectedParams) op.params(), op, ctx);
    }
}
