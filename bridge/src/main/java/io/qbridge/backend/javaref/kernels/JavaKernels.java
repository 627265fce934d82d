package io.qbridge.backend.javaref.kernels;

import io.qbridge.backend.javaref.JavaKernel;
import io.qbridge.backend.javaref.KernelContext;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.PlannedOp;
import io.qbridge.plan.ops.ActivationOps;
import io.qbridge.plan.ops.Conv2DOps;
import io.qbridge.plan.ops.DepthwiseConv2DOps;
import io.qbridge.plan.ops.FullyConnectedOps;
import io.qbridge.plan.ops.PoolOps;
import io.qbridge.plan.ops.ReduceOps;
import io.qbridge.plan.ops.ElementwiseOps;
import io.qbridge.plan.ops.QuantizeOps;
import io.qbridge.plan.ops.ShapeOps;
import io.qbridge.plan.ops.FakeQuantOps;

import java.util.HashMap;
import java.util.Map;

/** Builds the Java kernel of a planned op, by the class of its prepared parameters. */
public final class JavaKernels {
    /** Makes one op's kernel. */
    @FunctionalInterface
    interface Factory {
        JavaKernel create(PlannedOp op, KernelContext ctx);
    }

    private static final Map<Class<? extends OpParams>, Factory> FACTORIES = new HashMap<>();

    static {
        FACTORIES.put(Conv2DOps.Conv2DParams.class, Conv2DKernels::conv2D);
        FACTORIES.put(DepthwiseConv2DOps.DepthwiseConv2DParams.class, DepthwiseConv2DKernels::depthwiseConv2D);
        FACTORIES.put(FullyConnectedOps.FullyConnectedParams.class, FullyConnectedKernels::fullyConnected);
        FACTORIES.put(PoolOps.Pool2DParams.class, PoolKernels::pool);
        FACTORIES.put(ReduceOps.MeanParams.class, ReduceKernels::mean);
        FACTORIES.put(ActivationOps.SoftmaxParams.class, ActivationKernels::softmax);
        FACTORIES.put(ActivationOps.LogisticTanhParams.class, ActivationKernels::logisticTanh);
        FACTORIES.put(ActivationOps.ReluParams.class, ActivationKernels::relu);
        FACTORIES.put(ElementwiseOps.AddParams.class, ElementwiseKernels::add);
        FACTORIES.put(ElementwiseOps.MulParams.class, ElementwiseKernels::mul);
        FACTORIES.put(ShapeOps.ConcatenationParams.class, ShapeKernels::concatenation);
        FACTORIES.put(ShapeOps.ReshapeParams.class, ShapeKernels::reshape);
        FACTORIES.put(ShapeOps.PadParams.class, ShapeKernels::pad);
        FACTORIES.put(QuantizeOps.QuantizeParams.class, QuantizeKernels::quantize);
        FACTORIES.put(QuantizeOps.RequantizeParams.class, QuantizeKernels::requantize);
        FACTORIES.put(QuantizeOps.DequantizeParams.class, QuantizeKernels::dequantize);
        FACTORIES.put(FakeQuantOps.FakeQuantParams.class, FakeQuantKernels::fakeQuant);
    }

    private JavaKernels() {
    }

    public static JavaKernel create(PlannedOp op, KernelContext ctx) {
        Factory f = FACTORIES.get(op.params().getClass());
        if (f == null) {
            throw new IllegalStateException("no Java kernel for " + op.params().getClass().getSimpleName());
        }
        return f.create(op, ctx);
    }
}
