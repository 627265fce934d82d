package io.qbridge.graph;

import io.qbridge.DataType;
import io.qbridge.QuantParams;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One tensor of a {@link Graph}: its name, type, shape, quantization and, for constants, its data
 * (a read-only little-endian view, typically into the memory-mapped model file). Immutable.
 */
public final class TensorSpec {
    private final int index;
    private final String name;
    private final DataType type;
    private final int[] shape;
    private final QuantParams quant;
    private final ByteBuffer data;
    private final boolean variable;

    public TensorSpec(int index, String name, DataType type, int[] shape, QuantParams quant,
                      ByteBuffer data, boolean variable) {
        this.index = index;
        this.name = name == null ? "" : name;
        this.type = type;
        this.shape = shape.clone();
        this.quant = quant == null ? QuantParams.NONE : quant;
        this.data = data == null ? null : data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        this.variable = variable;
    }

    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    public DataType type() {
        return type;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    public QuantParams quant() {
        return quant;
    }

    /** Whether the tensor holds constant data (weights, biases, shapes). */
    public boolean isConstant() {
        return data != null;
    }

    /** The constant data, positioned at 0, little-endian; null for activations. */
    public ByteBuffer data() {
        return data == null ? null : data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    public boolean isVariable() {
        return variable;
    }

    /** Number of elements (1 for a scalar). */
    public long elementCount() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** Size in bytes of the tensor's elements. */
    public long byteSize() {
        return elementCount() * type.byteSize();
    }

    /** A copy with other quantization parameters (used by the converter). */
    public TensorSpec withQuant(QuantParams q) {
        return new TensorSpec(index, name, type, shape, q, data, variable);
    }

    /** A copy with another type and constant data (used by the converter). */
    public TensorSpec withTypeAndData(DataType t, QuantParams q, ByteBuffer d) {
        return new TensorSpec(index, name, t, shape, q, d, variable);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TensorSpec)) {
            return false;
        }
        TensorSpec t = (TensorSpec) o;
        return index == t.index && variable == t.variable && name.equals(t.name) && type == t.type
                && Arrays.equals(shape, t.shape) && quant.equals(t.quant)
                && (data == null ? t.data == null : t.data != null && data().equals(t.data()));
    }

    @Override
    public int hashCode() {
        return 31 * (31 * index + name.hashCode()) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "tensor " + index + " '" + Printable.of(name) + "' " + type + Arrays.toString(shape)
                + (quant.isQuantized() ? " " + quant : "") + (data != null ? " const" : "");
    }
}
