package io.qbridge.backend.neon;

import io.qbridge.backend.Executable;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.Plan;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A plan compiled by the native executor. The arena is a direct buffer shared with native code:
 * inputs and outputs are views into it (no copies), and {@link #run()} is a single JNI call
 * that allocates nothing.
 */
final class NeonExecutable implements Executable {
    private final Plan plan;
    private final ByteBuffer arena;   // referenced here so that it lives as long as the native plan
    private long handle;

    NeonExecutable(Plan plan, ByteBuffer arena, long handle) {
        this.plan = plan;
        this.arena = arena;
        this.handle = handle;
    }

    @Override
    public ByteBuffer tensorBuffer(int tensorIndex) {
        TensorSpec t = plan.graph().tensor(tensorIndex);
        long offset = plan.offset(tensorIndex);
        if (offset < 0) {
            throw new IllegalArgumentException(t + " has no place in the arena");
        }
        return arena.duplicate().position((int) offset).limit((int) (offset + t.byteSize())).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void run() {
        if (handle == 0) {
            throw new IllegalStateException("the neon executable is closed");
        }
        NeonNative.qb_run(handle);
    }

    @Override
    public void close() {
        if (handle != 0) {
            NeonNative.qb_release(handle);
            handle = 0;
        }
    }
}
