package io.qbridge.converter.rewrite;

import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

/**
 * Where the output and input channels are in the weights of CONV_2D ([out, h, w, in]),
 * DEPTHWISE_CONV_2D ([1, h, w, out], out = in * multiplier) and FULLY_CONNECTED ([out, in]).
 */
final class WeightLayout {
    private WeightLayout() {
    }

    static boolean isConvLike(int code) {
        return code == BuiltinOperator.CONV_2D || code == BuiltinOperator.DEPTHWISE_CONV_2D
                || code == BuiltinOperator.FULLY_CONNECTED;
    }

    static int outputAxis(int code) {
        return code == BuiltinOperator.DEPTHWISE_CONV_2D ? 3 : 0;
    }

    static int outputChannels(int code, TensorSpec weights) {
        return weights.dim(outputAxis(code));
    }

    /** Depth multiplier of a depthwise op from its weights and input. */
    static int depthMultiplier(EditableGraph e, EditableGraph.Op op) {
        int in = e.tensor(op.input(0)).dim(3);
        return in == 0 ? 1 : e.tensor(op.input(1)).dim(3) / in;
    }

    /** Multiplies every weight of output channel c by scale[c]. */
    static void scaleOutputChannels(float[] w, int[] shape, int axis, float[] scale) {
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        int channels = shape[axis];
        for (int i = 0; i < w.length; i++) {
            w[i] *= scale[(i / inner) % channels];
        }
    }

    /** max |w| per index of dimension {@code axis}. */
    static float[] maxAbsPerChannel(float[] w, int[] shape, int axis) {
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        int channels = shape[axis];
        float[] m = new float[channels];
        for (int i = 0; i < w.length; i++) {
            int c = (i / inner) % channels;
            m[c] = Math.max(m[c], Math.abs(w[i]));
        }
        return m;
    }

    static boolean hasNoActivationOrIs(OpOptions o, io.qbridge.graph.Activation a) {
        io.qbridge.graph.Activation act = Activations.of(o);
        return act == io.qbridge.graph.Activation.NONE || act == a;
    }
}
