package io.qbridge.graph;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.tflite.GraphValidator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link Graph} in code: tests make single-op models with it, the converter and the
 * trainer emit whole models. Tensors get indices in the order they are added.
 */
public final class GraphBuilder {
    private final List<TensorSpec> tensors = new ArrayList<>();
    private final List<Operator> operators = new ArrayList<>();
    private final List<Integer> inputs = new ArrayList<>();
    private final List<Integer> outputs = new ArrayList<>();
    private final List<Graph.Metadata> metadata = new ArrayList<>();
    private String description = "";

    /** An activation tensor (no data). */
    public int tensor(String name, DataType type, int[] shape, QuantParams quant) {
        tensors.add(new TensorSpec(tensors.size(), name, type, shape, quant, null, false));
        return tensors.size() - 1;
    }

    /** A graph input. */
    public int input(String name, DataType type, int[] shape, QuantParams quant) {
        int t = tensor(name, type, shape, quant);
        inputs.add(t);
        return t;
    }

    /** A constant with raw little-endian bytes. */
    public int constant(String name, DataType type, int[] shape, QuantParams quant, ByteBuffer data) {
        tensors.add(new TensorSpec(tensors.size(), name, type, shape, quant, data, false));
        return tensors.size() - 1;
    }

    public int constantBytes(String name, DataType type, int[] shape, QuantParams quant, byte[] values) {
        return constant(name, type, shape, quant, ByteBuffer.wrap(values.clone()));
    }

    /** An INT8 or UINT8 constant from int values (stored as bytes). */
    public int constantQuantized(String name, DataType type, int[] shape, QuantParams quant, int[] values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return constant(name, type, shape, quant, ByteBuffer.wrap(b));
    }

    public int constantInt32(String name, int[] shape, QuantParams quant, int[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return constant(name, DataType.INT32, shape, quant, b);
    }

    public int constantFloat32(String name, int[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return constant(name, DataType.FLOAT32, shape, QuantParams.NONE, b);
    }

    /** Appends a builtin operator (version 1). */
    public GraphBuilder op(int builtinCode, int[] in, int[] out, OpOptions options) {
        return op(builtinCode, null, 1, in, out, options);
    }

    public GraphBuilder op(int builtinCode, String customCode, int version, int[] in, int[] out, OpOptions options) {
        operators.add(new Operator(operators.size(), builtinCode, customCode, version, in, out, options));
        return this;
    }

    public GraphBuilder output(int tensor) {
        outputs.add(tensor);
        return this;
    }

    public GraphBuilder description(String text) {
        this.description = text;
        return this;
    }

    public GraphBuilder metadata(String name, byte[] data) {
        metadata.add(new Graph.Metadata(name, ByteBuffer.wrap(data.clone())));
        return this;
    }

    /** The graph, checked for well-formed data flow. */
    public Graph build() {
        Graph g = new Graph(tensors, operators, inputs.stream().mapToInt(Integer::intValue).toArray(),
                outputs.stream().mapToInt(Integer::intValue).toArray(), description, metadata);
        GraphValidator.validateDataflow(g);
        return g;
    }
}
