package io.qbridge.armnn;

import io.qbridge.graph.Graph;
import io.qbridge.graph.Operator;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.List;

/**
 * Models that Java's validator accepts but that make Arm NN 20.08 crash the process (not throw):
 * refused here, before Arm NN sees them. A C++ exception is caught by the façade; heap corruption
 * or an abort inside Arm NN cannot be, so each pattern found is listed here with its symptom.
 */
final class ArmNnPreflight {
    private ArmNnPreflight() {
    }

    /** One line per operator Arm NN 20.08 must not be given; empty when the model may go to it. */
    static List<String> crashingOperators(Graph graph) {
        List<String> problems = new ArrayList<>();
        for (Operator op : graph.operators()) {
            // TfLiteParser::ParseMean copies the axis buffer by the axis tensor's shape; a rank-0
            // (scalar) axis corrupts the heap ("realloc(): invalid next size", SIGABRT), seen with
            // ../shared/models/single-op-float/single_mean.tflite.
            if (op.builtinCode() == BuiltinOperator.MEAN && op.inputCount() > 1 && op.input(1) >= 0) {
                TensorSpec axis = graph.tensor(op.input(1));
                if (axis.rank() == 0) {
                    problems.add("MEAN (operator " + op.index() + ") with a scalar axis tensor '" + axis.name()
                            + "': Arm NN 20.08 corrupts its heap on it, so it is not handed to Arm NN");
                }
            }
        }
        return problems;
    }
}
