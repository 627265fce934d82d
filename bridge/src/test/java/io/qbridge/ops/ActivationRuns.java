package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.testing.ModelRunner;
import io.qbridge.testing.OpGraphs;
import io.qbridge.tflite.schema.BuiltinOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs single-input ops and compares them with the peer vectors' tolerances (ActivationTest, SoftmaxTest). */
final class ActivationRuns {
    private ActivationRuns() {
    }

    /** activations_test.cc's input for RELU, RELU6 and SOFTMAX. */
    static final float[] ACT_INPUT = {0, -6, 2, 4, 3, -2, 10, 1};

    static final float LITE_QUANTIZED_TOLERANCE = 2f / 256;

    static float[] runFloat(Interpreter.Backend b, int op, OpOptions options, int[] shape, float[] input) {
        Graph g = OpGraphs.unary(op, options, DataType.FLOAT32, shape, QuantParams.NONE, shape, QuantParams.NONE);
        return ModelRunner.runFloats(g, b, 1, input);
    }

    static byte[] runQuantized(Interpreter.Backend b, int op, OpOptions options, DataType type, int[] shape,
                                       QuantParams inQ, QuantParams outQ, byte[] input) {
        Graph g = OpGraphs.unary(op, options, type, shape, inQ, shape, outQ);
        return ModelRunner.runBytes(g, b, 1, input);
    }

    static void assertNear(float[] expected, float[] actual, float tolerance) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, "element " + i);
        }
    }

    static void assertNear(int[] expected, int[] actual, int tolerance) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, "element " + i);
        }
    }

    /** The fixed output parameters of LOGISTIC / SOFTMAX (1/256) and TANH (1/128). */
    static QuantParams fixedOutput(int op, DataType type) {
        if (op == BuiltinOperator.TANH) {
            return QuantParams.perTensor(1f / 128, type == DataType.UINT8 ? 128 : 0);
        }
        return QuantParams.perTensor(1f / 256, type == DataType.UINT8 ? 0 : -128);
    }

    /** Evenly spaced test inputs: {@code count} values from min to max (the tests' "64+16+8+1 elements"). */
    static float[] ramp(float min, float max, int count) {
        float[] r = new float[count];
        for (int i = 0; i < count; i++) {
            r[i] = (float) (min + (max - min) * i / (double) (count - 1));
        }
        return r;
    }
}
