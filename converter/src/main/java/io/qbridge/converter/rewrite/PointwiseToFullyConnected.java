package io.qbridge.converter.rewrite;

import io.qbridge.DataType;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.graph.Activation;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.Arrays;

/**
 * A CONV_2D with a 1x1 filter over a 1x1 image (a classifier's logits layer after global pooling)
 * is a matrix multiply: it becomes a FULLY_CONNECTED with the same weights (an [O, 1, 1, I] filter
 * is an [O, I] matrix byte for byte) keeping the output's dimensions. In int8 the spec quantizes
 * FULLY_CONNECTED weights per tensor, which saves the per-channel parameters of what is often the
 * widest layer (1001 classes: 8 kB of scales and zero points) at no measured cost in accuracy.
 */
public final class PointwiseToFullyConnected {
    private PointwiseToFullyConnected() {
    }

    /** @return number of convolutions rewritten */
    public static int apply(EditableGraph e) {
        int n = 0;
        for (EditableGraph.Op op : e.ops()) {
            if (op.code != BuiltinOperator.CONV_2D || op.input(1) < 0 || op.inputs.length < 2) {
                continue;
            }
            TensorSpec in = e.tensor(op.input(0));
            TensorSpec w = e.tensor(op.input(1));
            TensorSpec out = e.tensor(op.output(0));
            if (in.rank() != 4 || w.rank() != 4 || out.rank() != 4 || in.dim(1) != 1 || in.dim(2) != 1
                    || w.dim(1) != 1 || w.dim(2) != 1 || out.dim(1) != 1 || out.dim(2) != 1
                    || !w.isConstant() || w.type() != DataType.FLOAT32) {
                continue;
            }
            Activation act = Activations.of(op.options);
            int matrix = e.addTensor(w.name(), DataType.FLOAT32, new int[] {w.dim(0), w.dim(3)}, w.quant(), w.data());
            int[] inputs = Arrays.copyOf(op.inputs, Math.max(3, op.inputs.length));
            if (op.inputs.length < 3) {
                inputs[2] = -1;
            }
            inputs[1] = matrix;
            EditableGraph.Op fc = new EditableGraph.Op(BuiltinOperator.FULLY_CONNECTED, null, 1, inputs, op.outputs,
                    new OpOptions.FullyConnected(act == null ? Activation.NONE : act, 0, true, false));
            e.ops().set(e.ops().indexOf(op), fc);
            n++;
        }
        return n;
    }
}
