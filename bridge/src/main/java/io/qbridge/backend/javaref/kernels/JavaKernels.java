package io.qbridge.backend.javaref.kernels;

import io.qbridge.backend.javaref.JavaKernel;
import io.qbridge.backend.javaref.KernelContext;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.PlannedOp;
import io.qbridge.plan.ops.ConvOps;
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
        FACTORIES.put(ConvOps.ConvParams.class, ConvKernels::conv);
        FACTORIES.put(ConvOps.FullyConnectedParams.class, ConvKernels::fullyConnected);
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
