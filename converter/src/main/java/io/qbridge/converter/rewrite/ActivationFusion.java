package io.qbridge.converter.rewrite;

import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.graph.Activation;
import io.qbridge.graph.OpOptions;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.List;

/**
 * Fuses a standalone RELU, RELU6 or RELU_N1_TO_1 into the operator that produces its input, when
 * that operator has a fused activation slot that is still NONE and nothing else reads its output.
 * The quantized model then clamps in the producer's output stage instead of running an extra op.
 */
public final class ActivationFusion {
    private ActivationFusion() {
    }

    /** @return number of activations fused */
    public static int apply(EditableGraph e) {
        int fused = 0;
        for (EditableGraph.Op relu : List.copyOf(e.ops())) {
            Activation a = activationOf(relu.code);
            if (a == null) {
                continue;
            }
            int x = relu.input(0);
            EditableGraph.Op producer = e.producer(x);
            if (producer == null || e.useCount(x) != 1 || producer.outputs.length != 1) {
                continue;
            }
            if (Activations.of(producer.options) != Activation.NONE) {
                continue;
            }
            OpOptions fusedOptions = Activations.with(producer.options, a);
            producer.options = fusedOptions;
            producer.outputs = new int[] {relu.output(0)};
            e.ops().remove(relu);
            fused++;
        }
        return fused;
    }

    private static Activation activationOf(int code) {
        if (code == BuiltinOperator.RELU) {
            return Activation.RELU;
        } else if (code == BuiltinOperator.RELU6) {
            return Activation.RELU6;
        } else if (code == BuiltinOperator.RELU_N1_TO_1) {
            return Activation.RELU_N1_TO_1;
        }
        return null;
    }
}
