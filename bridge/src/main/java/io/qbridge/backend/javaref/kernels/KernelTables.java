package io.qbridge.backend.javaref.kernels;

import io.qbridge.plan.ops.ActivationOps.LogisticTanhParams;
import io.qbridge.plan.ops.ActivationOps.ReluParams;
import io.qbridge.plan.ops.ActivationOps.SoftmaxParams;
import io.qbridge.plan.ops.ShapeOps.ConcatenationParams;
import io.qbridge.plan.ops.ElementwiseOps.AddParams;

/**
 * The 256-entry tables the Java reference kernels use for 8-bit element-wise ops, for other
 * backends (the native one ships them in its program) so that both sides share one computation.
 */
public final class KernelTables {
    private KernelTables() {
    }

    /** Quantized RELU/RELU6 of every input byte. */
    public static byte[] relu(ReluParams p) {
        return ActivationKernels.reluTable(p);
    }

    /** Quantized LOGISTIC or TANH of every input byte. */
    public static byte[] logisticTanh(LogisticTanhParams p) {
        return ActivationKernels.logisticTanhTable(p);
    }

    /**
     * SOFTMAX's exponential of every 8-bit difference d to the row maximum, at index d (0 where
     * d is below diffMin).
     */
    public static int[] softmaxExp(SoftmaxParams p) {
        return ActivationKernels.softmaxExpTable(p);
    }

    /** CONCATENATION input i's requantization of every byte, or null when it is copied as it is. */
    public static byte[] concatenation(ConcatenationParams p, int input) {
        return ShapeKernels.concatenationTable(p, input);
    }

    /** 8-bit ADD input i's rescaled value of every byte (indexed by the unsigned byte). */
    public static int[] addInput(AddParams p, int input) {
        return ElementwiseKernels.addInputTable(p, input);
    }
}
