package io.qbridge.converter.report;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.TensorSpec;
import io.qbridge.numerics.QuantMath;

import java.nio.ByteBuffer;

/** Moves float values in and out of a tensor's bytes, quantizing or dequantizing as its type needs. */
public final class TensorValues {
    private TensorValues() {
    }

    public static void write(ByteBuffer dst, TensorSpec t, float[] values) {
        DataType type = t.type();
        if (type == DataType.FLOAT32) {
            dst.asFloatBuffer().put(values);
            return;
        }
        if (type != DataType.INT8 && type != DataType.UINT8) {
            throw new IllegalArgumentException(t + ": floats can only be written into FLOAT32, INT8 or UINT8 tensors");
        }
        QuantParams q = t.quant();
        for (int i = 0; i < values.length; i++) {
            dst.put(i, (byte) QuantMath.quantizeClamped(values[i], q.scale(), q.zeroPoint(), type.minValue(), type.maxValue()));
        }
    }

    /** Values as floats (dequantized for INT8/UINT8) into {@code into}; returns the count. */
    public static int read(ByteBuffer src, TensorSpec t, float[] into) {
        int n = (int) t.elementCount();
        DataType type = t.type();
        if (type == DataType.FLOAT32) {
            src.asFloatBuffer().get(into, 0, n);
            return n;
        }
        if (type != DataType.INT8 && type != DataType.UINT8) {
            throw new IllegalArgumentException(t + " cannot be read as floats");
        }
        float scale = t.quant().scale();
        int zero = t.quant().zeroPoint();
        boolean unsigned = type == DataType.UINT8;
        for (int i = 0; i < n; i++) {
            int v = unsigned ? src.get(i) & 0xFF : src.get(i);
            into[i] = scale * (v - zero);
        }
        return n;
    }
}
