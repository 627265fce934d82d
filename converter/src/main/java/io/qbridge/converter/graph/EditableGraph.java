package io.qbridge.converter.graph;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Operator;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.GraphValidator;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A mutable copy of a {@link Graph} for the converter's rewrites: tensors can be replaced or
 * appended, operators removed, rewired or inserted. {@link #build()} gives an immutable Graph again;
 * tensor indices are kept (unused tensors stay, so that a rewritten graph's tensor i is still the
 * original tensor i), {@link #buildCompacted()} drops the unused ones.
 */
public final class EditableGraph {
    /** One operator being edited. Inputs may contain -1 for omitted optional inputs. */
    public static final class Op {
        public final int code;
        public final String customCode;
        public int version;
        public int[] inputs;
        public int[] outputs;
        public OpOptions options;

        public Op(int code, String customCode, int version, int[] inputs, int[] outputs, OpOptions options) {
            this.code = code;
            this.customCode = customCode;
            this.version = version;
            this.inputs = inputs.clone();
            this.outputs = outputs.clone();
            this.options = options == null ? OpOptions.None.INSTANCE : options;
        }

        public int input(int i) {
            return i < inputs.length ? inputs[i] : -1;
        }

        public int output(int i) {
            return outputs[i];
        }

        public String name() {
            return Operator.opName(code, customCode);
        }

        @Override
        public String toString() {
            return name() + " in " + Arrays.toString(inputs) + " out " + Arrays.toString(outputs);
        }
    }

    private final List<TensorSpec> tensors = new ArrayList<>();
    private final List<Op> ops = new ArrayList<>();
    private int[] inputs;
    private int[] outputs;
    private final String description;
    private final List<Graph.Metadata> metadata;

    public EditableGraph(Graph g) {
        tensors.addAll(g.tensors());
        for (Operator o : g.operators()) {
            ops.add(new Op(o.builtinCode(), o.customCode(), o.version(), o.inputs(), o.outputs(), o.options()));
        }
        inputs = g.inputs();
        outputs = g.outputs();
        description = g.description();
        metadata = g.metadata();
    }

    public List<Op> ops() {
        return ops;
    }

    public int tensorCount() {
        return tensors.size();
    }

    public TensorSpec tensor(int i) {
        return tensors.get(i);
    }

    public void setTensor(int i, TensorSpec t) {
        tensors.set(i, new TensorSpec(i, t.name(), t.type(), t.shape(), t.quant(), t.data(), t.isVariable()));
    }

    /** Replaces a tensor's type, quantization and data (null data: an activation). */
    public void setTensor(int i, DataType type, QuantParams quant, ByteBuffer data) {
        TensorSpec t = tensors.get(i);
        tensors.set(i, new TensorSpec(i, t.name(), type, t.shape(), quant, data, t.isVariable()));
    }

    public int addTensor(String name, DataType type, int[] shape, QuantParams quant, ByteBuffer data) {
        int i = tensors.size();
        tensors.add(new TensorSpec(i, name, type, shape, quant, data, false));
        return i;
    }

    public int[] inputs() {
        return inputs.clone();
    }

    public int[] outputs() {
        return outputs.clone();
    }

    public void setInputs(int[] in) {
        inputs = in.clone();
    }

    public void setOutputs(int[] out) {
        outputs = out.clone();
    }

    public boolean isGraphOutput(int t) {
        for (int o : outputs) {
            if (o == t) {
                return true;
            }
        }
        return false;
    }

    public boolean isGraphInput(int t) {
        for (int o : inputs) {
            if (o == t) {
                return true;
            }
        }
        return false;
    }

    /** The operator producing tensor t, or null (graph inputs, constants). */
    public Op producer(int t) {
        for (Op op : ops) {
            for (int o : op.outputs) {
                if (o == t) {
                    return op;
                }
            }
        }
        return null;
    }

    /** The operators reading tensor t (an op reading it twice is listed once). */
    public List<Op> consumers(int t) {
        List<Op> result = new ArrayList<>();
        for (Op op : ops) {
            for (int i : op.inputs) {
                if (i == t) {
                    result.add(op);
                    break;
                }
            }
        }
        return result;
    }

    /** Number of readers of t, counting the graph outputs as one. */
    public int useCount(int t) {
        return consumers(t).size() + (isGraphOutput(t) ? 1 : 0);
    }

    /** Makes every reader of {@code from} (operators and graph outputs) read {@code to} instead. */
    public void replaceUses(int from, int to) {
        for (Op op : ops) {
            for (int k = 0; k < op.inputs.length; k++) {
                if (op.inputs[k] == from) {
                    op.inputs[k] = to;
                }
            }
        }
        for (int k = 0; k < outputs.length; k++) {
            if (outputs[k] == from) {
                outputs[k] = to;
            }
        }
    }

    /** Immutable graph with the same tensor indices. */
    public Graph build() {
        List<Operator> list = new ArrayList<>();
        for (Op op : ops) {
            list.add(new Operator(list.size(), op.code, op.customCode, op.version, op.inputs, op.outputs, op.options));
        }
        Graph g = new Graph(tensors, list, inputs, outputs, description, metadata);
        GraphValidator.validateDataflow(g);
        return g;
    }

    /** A compacted graph and where each old tensor went ({@code map[old]}, -1 when dropped). */
    public record Compacted(Graph graph, int[] map) {
    }

    /** Immutable graph without the tensors no operator or graph input/output refers to. */
    public Compacted buildCompacted() {
        boolean[] used = new boolean[tensors.size()];
        for (int t : inputs) {
            used[t] = true;
        }
        for (int t : outputs) {
            used[t] = true;
        }
        for (Op op : ops) {
            for (int t : op.inputs) {
                if (t >= 0) {
                    used[t] = true;
                }
            }
            for (int t : op.outputs) {
                used[t] = true;
            }
        }
        int[] map = new int[tensors.size()];
        List<TensorSpec> kept = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            if (used[i]) {
                TensorSpec t = tensors.get(i);
                map[i] = kept.size();
                kept.add(new TensorSpec(kept.size(), t.name(), t.type(), t.shape(), t.quant(), t.data(), t.isVariable()));
            } else {
                map[i] = -1;
            }
        }
        List<Operator> list = new ArrayList<>();
        for (Op op : ops) {
            list.add(new Operator(list.size(), op.code, op.customCode, op.version, remap(op.inputs, map),
                    remap(op.outputs, map), op.options));
        }
        Graph g = new Graph(kept, list, remap(inputs, map), remap(outputs, map), description, metadata);
        GraphValidator.validateDataflow(g);
        return new Compacted(g, map);
    }

    private static int[] remap(int[] indices, int[] map) {
        int[] r = new int[indices.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = indices[i] < 0 ? -1 : map[indices[i]];
        }
        return r;
    }
}
