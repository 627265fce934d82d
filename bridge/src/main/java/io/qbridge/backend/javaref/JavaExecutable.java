package io.qbridge.backend.javaref;

import io.qbridge.QbridgeException;
import io.qbridge.backend.Executable;
import io.qbridge.backend.javaref.kernels.JavaKernels;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.Plan;
import io.qbridge.plan.PlannedOp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A plan compiled for the Java backend: one heap arena and one kernel object per operator. */
final class JavaExecutable implements Executable {
    private final Plan plan;
    private final byte[] arena;
    private final JavaKernel[] kernels;
    private final Parallel parallel;

    JavaExecutable(Plan plan, int threads) {
        this.plan = plan;
        if (plan.arenaBytes() > Integer.MAX_VALUE - 64) {
            throw new QbridgeException("the model needs a " + plan.arenaBytes()
                    + "-byte arena, more than the Java backend can allocate");
        }
        try {
            this.arena = new byte[(int) plan.arenaBytes()];
        } catch (OutOfMemoryError e) {
            // One failed large allocation leaves the JVM intact: report it like any bad model.
            throw new QbridgeException("the model needs a " + plan.arenaBytes() + "-byte arena; the Java heap (max "
                    + Runtime.getRuntime().maxMemory() + " bytes) cannot hold it");
        }
        this.parallel = new Parallel(threads);
        KernelContext ctx = new KernelContext(plan, arena, parallel);
        this.kernels = new JavaKernel[plan.ops().size()];
        for (int i = 0; i < kernels.length; i++) {
            PlannedOp op = plan.ops().get(i);
            kernels[i] = JavaKernels.create(op, ctx);
        }
    }

    @Override
    public ByteBuffer tensorBuffer(int tensorIndex) {
        TensorSpec t = plan.graph().tensor(tensorIndex);
        long offset = plan.offset(tensorIndex);
        if (offset < 0) {
            throw new IllegalArgumentException(t + " has no place in the arena");
        }
        return ByteBuffer.wrap(arena, (int) offset, (int) t.byteSize()).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void run() {
        for (JavaKernel k : kernels) {
            k.run();
        }
    }

    @Override
    public void close() {
        parallel.close();
    }
}
