package io.qbridge.plan;

import io.qbridge.DataType;
import io.qbridge.InvalidModelException;
import io.qbridge.QuantParams;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Operator;
import io.qbridge.graph.Printable;
import io.qbridge.graph.TensorSpec;

import java.util.Arrays;

/**
 * What an {@link OpPreparer} sees of one operator, with checks that throw an
 * {@link InvalidModelException} naming the operator and tensor at fault, or an
 * {@link UnsupportedOpException} when the op is valid but qbridge cannot run that variant.
 */
public final class PrepareContext {
    private final Graph graph;
    private final Operator op;
    private long macs;

    PrepareContext(Graph graph, Operator op) {
        this.graph = graph;
        this.op = op;
    }

    public Graph graph() {
        return graph;
    }

    public Operator op() {
        return op;
    }

    /** Records the op's multiply-accumulate count (for inspect, bench and MACs/s). */
    public void setMacs(long macs) {
        this.macs = macs;
    }

    long macs() {
        return macs;
    }

    public String describe() {
        return "operator " + op.index() + " (" + op.opName() + ")";
    }

    public InvalidModelException invalid(String message) {
        return new InvalidModelException(describe() + ": " + message);
    }

    public UnsupportedOpException unsupported(String message) {
        return new UnsupportedOpException(op.opName() + " " + message);
    }

    /** Checks the number of inputs (counting omitted optional inputs) and outputs. */
    public void requireArity(int minInputs, int maxInputs, int outputs) {
        if (op.inputCount() < minInputs || op.inputCount() > maxInputs) {
            throw invalid("has " + op.inputCount() + " inputs, expected "
                    + (minInputs == maxInputs ? String.valueOf(minInputs) : minInputs + " to " + maxInputs));
        }
        if (op.outputCount() != outputs) {
            throw invalid("has " + op.outputCount() + " outputs, expected " + outputs);
        }
    }

    /** Input i, which must be present. */
    public TensorSpec input(int i) {
        int t = op.input(i);
        if (t < 0) {
            throw invalid("input " + i + " is missing");
        }
        return graph.tensor(t);
    }

    /** Input i, or null when that optional input is omitted. */
    public TensorSpec optionalInput(int i) {
        int t = op.input(i);
        return t < 0 ? null : graph.tensor(t);
    }

    public TensorSpec output(int i) {
        return graph.tensor(op.output(i));
    }

    /** The op's options as the expected record type (a missing table reads as {@code defaults}). */
    public <T extends OpOptions> T options(Class<T> type, T defaults) {
        OpOptions o = op.options();
        if (type.isInstance(o)) {
            return type.cast(o);
        }
        if (o instanceof OpOptions.None && defaults != null) {
            return defaults;
        }
        throw invalid("options are " + o + ", expected " + type.getSimpleName());
    }

    public void requireRank(TensorSpec t, int rank, String role) {
        if (t.rank() != rank) {
            throw invalid(role + " " + describe(t) + " has rank " + t.rank() + ", expected " + rank);
        }
    }

    public void requireConstant(TensorSpec t, String role) {
        if (!t.isConstant()) {
            throw unsupported("with a non-constant " + role + " " + describe(t));
        }
    }

    public void requireType(TensorSpec t, DataType type, String role) {
        if (t.type() != type) {
            throw invalid(role + " " + describe(t) + " is " + t.type() + ", expected " + type);
        }
    }

    /** Checks the output has exactly the shape the op computes. */
    public void requireShape(TensorSpec t, int[] expected, String role) {
        if (!Arrays.equals(t.shape(), expected)) {
            throw invalid(role + " " + describe(t) + " has shape " + Arrays.toString(t.shape()) + ", the op computes "
                    + Arrays.toString(expected));
        }
    }

    /** Per-tensor quantization with a positive scale, as the kernels need. */
    public QuantParams requirePerTensorQuant(TensorSpec t, String role) {
        QuantParams q = t.quant();
        if (!q.isQuantized()) {
            throw invalid(role + " " + describe(t) + " is " + t.type() + " but has no quantization parameters");
        }
        if (q.isPerChannel()) {
            throw unsupported("with per-channel quantized " + role + " " + describe(t));
        }
        if (!(q.scale() > 0)) {
            throw invalid(role + " " + describe(t) + " has scale " + q.scale());
        }
        return q;
    }

    public static String describe(TensorSpec t) {
        return "tensor " + t.index() + (t.name().isEmpty() ? "" : " '" + Printable.of(t.name()) + "'");
    }
}
