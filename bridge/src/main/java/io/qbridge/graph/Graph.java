package io.qbridge.graph;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A model's main subgraph, validated and immutable: tensors, operators in execution order, the
 * graph's inputs and outputs, plus the file's description and metadata entries (kept so that a
 * rewritten model carries them on).
 */
public final class Graph {
    /** A named metadata entry of the model file (e.g. labels, min runtime version). */
    public record Metadata(String name, ByteBuffer data) {
    }

    private final List<TensorSpec> tensors;
    private final List<Operator> operators;
    private final int[] inputs;
    private final int[] outputs;
    private final String description;
    private final List<Metadata> metadata;

    public Graph(List<TensorSpec> tensors, List<Operator> operators, int[] inputs, int[] outputs,
                 String description, List<Metadata> metadata) {
        this.tensors = List.copyOf(tensors);
        this.operators = List.copyOf(operators);
        this.inputs = inputs.clone();
        this.outputs = outputs.clone();
        this.description = description == null ? "" : description;
        this.metadata = List.copyOf(metadata);
    }

    public List<TensorSpec> tensors() {
        return tensors;
    }

    public TensorSpec tensor(int index) {
        return tensors.get(index);
    }

    public List<Operator> operators() {
        return operators;
    }

    public int[] inputs() {
        return inputs.clone();
    }

    public int[] outputs() {
        return outputs.clone();
    }

    public TensorSpec input(int i) {
        return tensors.get(inputs[i]);
    }

    public TensorSpec output(int i) {
        return tensors.get(outputs[i]);
    }

    public String description() {
        return description;
    }

    public List<Metadata> metadata() {
        return metadata;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Graph)) {
            return false;
        }
        Graph g = (Graph) o;
        return tensors.equals(g.tensors) && operators.equals(g.operators) && Arrays.equals(inputs, g.inputs)
                && Arrays.equals(outputs, g.outputs) && description.equals(g.description)
                && metadata.equals(g.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tensors, operators, Arrays.hashCode(inputs), Arrays.hashCode(outputs));
    }
}
