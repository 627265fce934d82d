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

    /**
     * How a float sample reaches a quantized input. For an input whose parameters come from
     * {@code --mean/--std} the sample is an image's pixels mapped through (pixel - mean) / std, and
     * deployed code feeds the pixels themselves ({@code classify}: q = pixel shifted to the type); the
     * quantized model must be measured with those integers, not with the float sample rounded again
     * (which lands half a step off on every pixel when the mean is 127.5).
     */
    public interface InputWriter {
        void write(ByteBuffer dst, TensorSpec t, float[] values);

        InputWriter QUANTIZE = TensorValues::write;

        /** Pixels recovered as round(x * std + mean), fed as pixel - round(mean) + zero point. */
        static InputWriter pixels(float mean, float std) {
            return (dst, t, values) -> {
                DataType type = t.type();
                if (type != DataType.INT8 && type != DataType.UINT8) {
                    TensorValues.write(dst, t, values);
                    return;
                }
                int shift = t.quant().zeroPoint() - Math.round(mean);
                for (int i = 0; i < values.length; i++) {
                    int pixel = Math.round(values[i] * std + mean);
                    dst.put(i, (byte) Math.max(type.minValue(), Math.min(type.maxValue(), pixel + shift)));
                }
            };
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
