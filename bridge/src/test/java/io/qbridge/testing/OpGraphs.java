package io.qbridge.testing;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

/** Graphs for op tests: single ops with one activation input and one output, and copies of model parts. */
public final class OpGraphs {
    private OpGraphs() {
    }

    /** A graph of one op with one input and one output (quantization may be {@link QuantParams#NONE}). */
    public static Graph unary(int builtinCode, OpOptions options, DataType type, int[] inShape, QuantParams inQ,
                              int[] outShape, QuantParams outQ) {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("input", type, inShape, inQ);
        int out = g.tensor("output", type, outShape, outQ);
        g.op(builtinCode, new int[] {in}, new int[] {out}, options);
        g.output(out);
        return g.build();
    }

    /** MEAN with a constant int32 axis tensor. */
    public static Graph mean(DataType type, int[] inShape, QuantParams inQ, int[] axes, boolean keepDims,
                             int[] outShape, QuantParams outQ) {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("input", type, inShape, inQ);
        int axis = g.constantInt32("axis", new int[] {axes.length}, QuantParams.NONE, axes);
        int out = g.tensor("output", type, outShape, outQ);
        g.op(BuiltinOperator.MEAN, new int[] {in, axis}, new int[] {out}, new OpOptions.Reducer(keepDims));
        g.output(out);
        return g.build();
    }

    /**
     * A builder holding every tensor of {@code model} at its own index (constants with their data),
     * the given ones as graph inputs, and no operators yet: for tests that rebuild part of a model.
     */
    public static GraphBuilder copyTensors(Graph model, int... inputs) {
        GraphBuilder g = new GraphBuilder();
        for (TensorSpec t : model.tensors()) {
            int index = t.index();
            if (java.util.Arrays.stream(inputs).anyMatch(i -> i == index)) {
                g.input(t.name(), t.type(), t.shape(), t.quant());
            } else if (t.isConstant()) {
                g.constant(t.name(), t.type(), t.shape(), t.quant(), t.data());
            } else {
                g.tensor(t.name(), t.type(), t.shape(), t.quant());
            }
        }
        return g;
    }
}
