package io.qbridge.plan.ops;

import io.qbridge.graph.Padding;

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
}
