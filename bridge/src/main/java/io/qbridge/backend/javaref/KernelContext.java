package io.qbridge.backend.javaref;

import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.Plan;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** What a Java kernel is built from: the plan, the arena, the thread pool; constant unpacking. */
public final class KernelContext {
    /** Little-endian float/int views of the byte arena (intrinsified by the JIT). */
    public static final VarHandle FLOATS = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    public static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    public static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private final Plan plan;
    private final byte[] arena;
    private final Parallel parallel;

    KernelContext(Plan plan, byte[] arena, Parallel parallel) {
        this.plan = plan;
        this.arena = arena;
        this.parallel = parallel;
    }

    public Plan plan() {
        return plan;
    }

    public byte[] arena() {
        return arena;
    }

    public Parallel parallel() {
        return parallel;
    }

    /** Arena offset of a non-constant tensor. */
    public int offset(int tensorIndex) {
        long o = plan.offset(tensorIndex);
        if (o < 0) {
            throw new IllegalStateException("tensor " + tensorIndex + " has no arena offset");
        }
        return (int) o;
    }

    /** Constant data as bytes (int8/uint8 raw). */
    public static byte[] bytes(TensorSpec t) {
        ByteBuffer d = t.data();
        byte[] v = new byte[d.remaining()];
        d.get(v);
        return v;
    }

    /** Constant int8/uint8 data as shorts with {@code offset} added (uint8 read unsigned). */
    public static short[] shortsWithOffset(TensorSpec t, boolean unsigned, int offset) {
        ByteBuffer d = t.data();
        short[] v = new short[d.remaining()];
        for (int i = 0; i < v.length; i++) {
            byte b = d.get(i);
            v[i] = (short) ((unsigned ? b & 0xFF : b) + offset);
        }
        return v;
    }

    public static float[] floats(TensorSpec t) {
        ByteBuffer d = t.data();
        float[] v = new float[d.remaining() / 4];
        d.asFloatBuffer().get(v);
        return v;
    }
}
