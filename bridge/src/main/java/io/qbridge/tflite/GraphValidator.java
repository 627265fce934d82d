package io.qbridge.tflite;

import io.qbridge.InvalidModelException;
import io.qbridge.graph.Graph;
import io.qbridge.graph.Operator;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

/**
 * Checks that a graph's data flow is well formed: every tensor an operator reads is a constant, a
 * graph input or the output of an earlier operator; no tensor is written twice or is both a
 * constant and an output; every graph output is produced and is not a constant.
 * <p>
 * A CUSTOM operator's contract is its own: TFLite hands it every tensor it names as an allocated
 * buffer, and some read tensors nothing writes (Ethos-U's scratch areas). Those are left to the
 * planner, which refuses an operator it has no kernel for by name.
 */
public final class GraphValidator {
    private GraphValidator() {
    }

    public static void validateDataflow(Graph graph) {
        int n = graph.tensors().size();
        boolean[] available = new boolean[n];
        for (TensorSpec t : graph.tensors()) {
            available[t.index()] = t.isConstant() || t.isVariable();
        }
        for (int in : graph.inputs()) {
            if (graph.tensor(in).isConstant()) {
                // TFLite allows it, but feeding a constant makes no sense and would overwrite weights.
                throw new InvalidModelException("graph input " + graph.tensor(in) + " is a constant");
            }
            available[in] = true;
        }
        boolean[] written = new boolean[n];
        for (Operator op : graph.operators()) {
            for (int k = 0; k < op.inputCount(); k++) {
                int t = op.input(k);
                if (t >= 0 && !available[t] && op.builtinCode() != BuiltinOperator.CUSTOM) {
                    throw new InvalidModelException(describe(op) + ": input " + k + " " + graph.tensor(t)
                            + " is read before any operator writes it");
                }
            }
            for (int k = 0; k < op.outputCount(); k++) {
                int t = op.output(k);
                TensorSpec spec = graph.tensor(t);
                if (spec.isConstant()) {
                    throw new InvalidModelException(describe(op) + ": output " + k + " " + spec + " is a constant");
                }
                if (written[t] || isGraphInput(graph, t)) {
                    throw new InvalidModelException(describe(op) + ": output " + k + " " + spec
                            + " is already written by another operator or is a graph input");
                }
                written[t] = true;
                available[t] = true;
            }
        }
        for (int out : graph.outputs()) {
            if (graph.tensor(out).isConstant()) {
                // Outputs live in the arena, constants do not; no converter emits a constant output.
                throw new InvalidModelException("graph output " + graph.tensor(out) + " is a constant");
            }
            if (!available[out]) {
                throw new InvalidModelException("graph output " + graph.tensor(out) + " is never computed");
            }
        }
    }

    private static boolean isGraphInput(Graph g, int t) {
        for (int in : g.inputs()) {
            if (in == t) {
                return true;
            }
        }
        return false;
    }

    static String describe(Operator op) {
        return "operator " + op.index() + " (" + op.opName() + ")";
    }
}
