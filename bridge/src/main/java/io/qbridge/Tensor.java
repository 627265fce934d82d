package io.qbridge;

import io.qbridge.graph.TensorSpec;
import io.qbridge.numerics.QuantMath;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An input or output tensor of an {@link Interpreter}: shape, type, quantization, and copies in
 * and out of its bytes. Float helpers quantize and dequantize with the tensor's own parameters.
 * Its data is the interpreter's: every access after the interpreter is closed throws
 * IllegalStateException.
 */
public final class Tensor {
    private final TensorSpec spec;
    private final ByteBuffer buffer;
    private final RunGuard guard;

    Tensor(TensorSpec spec, ByteBuffer buffer, RunGuard guard) {
        this.spec = spec;
        this.buffer = buffer;
        this.guard = guard;
    }

    public String name() {
        return spec.name();
    }

    /** Index of the tensor in the model. */
    public int index() {
        return spec.index();
    }

    public int[] shape() {
        return spec.shape();
    }

    public DataType dataType() {
        return spec.type();
    }

    public QuantParams quantParams() {
        return spec.quant();
    }

    public int numElements() {
        return (int) spec.elementCount();
    }

    public int numBytes() {
        return (int) spec.byteSize();
    }

    /**
     * A little-endian view of the tensor's bytes in the interpreter's memory: zero-copy access,
     * valid until the interpreter is closed.
     */
    public ByteBuffer buffer() {
        guard.checkOpen();   // every copy in or out comes through here
        // slice: index 0 is the tensor's first byte even when the backend's buffer starts further in
        return buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Copies exactly {@link #numBytes()} bytes from src's position (which advances). */
    public void copyFrom(ByteBuffer src) {
        checkBytes(src.remaining());
        ByteBuffer dst = buffer();
        if (src.order() == ByteOrder.LITTLE_ENDIAN || spec.type().byteSize() == 1) {
            dst.put(src);
        } else {
            throw new IllegalArgumentException("buffer for " + describe() + " must be little-endian (ByteOrder.nativeOrder() on Arm and x86)");
        }
    }

    public void copyFrom(byte[] src) {
        checkBytes(src.length);
        buffer().put(src);
    }

    /** Copies int32 values into an INT32 tensor. */
    public void copyFrom(int[] src) {
        requireType(DataType.INT32);
        checkElements(src.length);
        buffer().asIntBuffer().put(src);
    }

    /**
     * Copies floats in: stored as is into a FLOAT32 tensor, quantized with the tensor's scale and
     * zero point (rounding half away from zero, clamped) into UINT8/INT8/INT16 tensors.
     */
    public void copyFrom(float[] src) {
        checkElements(src.length);
        ByteBuffer dst = buffer();
        switch (spec.type()) {
            case FLOAT32:
                dst.asFloatBuffer().put(src);
                return;
            case UINT8:
            case INT8:
            case INT16: {
                QuantParams q = requireQuantized();
                int min = spec.type().minValue();
                int max = spec.type().maxValue();
                for (int i = 0; i < src.length; i++) {
                    int v = QuantMath.quantizeClamped(src[i], q.scale(), q.zeroPoint(), min, max);
                    if (spec.type() == DataType.INT16) {
                        dst.putShort(i * 2, (short) v);
                    } else {
                        dst.put(i, (byte) v);
                    }
                }
                return;
            }
            default:
                throw new IllegalArgumentException(describe() + " is " + spec.type() + "; floats cannot be copied into it");
        }
    }

    public void copyTo(ByteBuffer dst) {
        if (dst.remaining() < numBytes()) {
            throw new IllegalArgumentException("destination has " + dst.remaining() + " bytes, " + describe()
                    + " has " + numBytes());
        }
        dst.put(buffer());
    }

    public void copyTo(byte[] dst) {
        checkBytes(dst.length);
        buffer().get(dst);
    }

    public byte[] bytes() {
        byte[] b = new byte[numBytes()];
        buffer().get(b);
        return b;
    }

    public void copyTo(int[] dst) {
        requireType(DataType.INT32);
        checkElements(dst.length);
        buffer().asIntBuffer().get(dst);
    }

    /** The values as floats: dequantized ({@code scale * (q - zeroPoint)}) for quantized types. */
    public float[] floats() {
        float[] v = new float[numElements()];
        copyTo(v);
        return v;
    }

    public void copyTo(float[] dst) {
        checkElements(dst.length);
        ByteBuffer src = buffer();
        switch (spec.type()) {
            case FLOAT32:
                src.asFloatBuffer().get(dst);
                return;
            case UINT8:
            case INT8:
            case INT16: {
                QuantParams q = requireQuantized();
                for (int i = 0; i < dst.length; i++) {
                    int v = spec.type() == DataType.UINT8 ? src.get(i) & 0xFF
                            : spec.type() == DataType.INT8 ? src.get(i) : src.getShort(i * 2);
                    dst[i] = q.scale() * (v - q.zeroPoint());
                }
                return;
            }
            case INT32:
                for (int i = 0; i < dst.length; i++) {
                    dst[i] = src.getInt(i * 4);
                }
                return;
            default:
                throw new IllegalArgumentException(describe() + " is " + spec.type() + "; it cannot be read as floats");
        }
    }

    private QuantParams requireQuantized() {
        QuantParams q = spec.quant();
        if (!q.isQuantized() || q.isPerChannel()) {
            throw new IllegalStateException(describe() + " has no per-tensor quantization parameters");
        }
        return q;
    }

    private void requireType(DataType t) {
        if (spec.type() != t) {
            throw new IllegalArgumentException(describe() + " is " + spec.type() + ", not " + t);
        }
    }

    private void checkBytes(int n) {
        if (n != numBytes()) {
            throw new IllegalArgumentException(n + " bytes given, " + describe() + " has " + numBytes());
        }
    }

    private void checkElements(int n) {
        if (n != numElements()) {
            throw new IllegalArgumentException(n + " values given, " + describe() + " has " + numElements());
        }
    }

    private String describe() {
        return "tensor '" + io.qbridge.graph.Printable.of(spec.name()) + "' " + spec.type() + Arrays.toString(spec.shape());
    }

    @Override
    public String toString() {
        return describe() + (spec.quant().isQuantized() ? " (" + spec.quant() + ")" : "");
    }
}
