package io.qbridge.converter.graph;

import io.qbridge.DataType;
import io.qbridge.graph.TensorSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Reading and making constant tensor data (little-endian, as in a .tflite buffer). */
public final class Constants {
    private Constants() {
    }

    public static float[] floats(TensorSpec t) {
        if (t.type() != DataType.FLOAT32 || !t.isConstant()) {
            throw new IllegalArgumentException(t + " is not a FLOAT32 constant");
        }
        float[] v = new float[(int) t.elementCount()];
        t.data().asFloatBuffer().get(v);
        return v;
    }

    public static int[] ints(TensorSpec t) {
        if (t.type() != DataType.INT32 || !t.isConstant()) {
            throw new IllegalArgumentException(t + " is not an INT32 constant");
        }
        int[] v = new int[(int) t.elementCount()];
        t.data().asIntBuffer().get(v);
        return v;
    }

    public static ByteBuffer of(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b;
    }

    public static ByteBuffer of(int[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(v);
        return b;
    }

    /** Bytes of int values in [-128, 255] (INT8 or UINT8 storage). */
    public static ByteBuffer ofBytes(int[] v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
