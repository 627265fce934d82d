package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.testing.Backends;
import io.qbridge.testing.ModelRunner;
import io.qbridge.testing.OpGraphs;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quantized SOFTMAX at the ends of its fixed-point range: a single class (probability 1
 * saturates to the largest code), a row of 511 equal values (the largest sum TFLite's reference
 * kernel accepts: each 1/511 rounds to one step), and 600 equal values, where TFLite's reference
 * kernel stops on a TFLITE_CHECK and qbridge writes the minimum (each 1/600 is under half a step).
 * The first two were checked against TFLite's reference kernel built locally.
 */
class SoftmaxEdgeCasesTest {
    static Stream<Interpreter.Backend> backends() {
        return Backends.available();
    }

    private static byte[] softmax(Interpreter.Backend b, DataType type, byte[] row) {
        QuantParams out = QuantParams.perTensor(1f / 256, type == DataType.UINT8 ? 0 : -128);
        Graph g = OpGraphs.unary(BuiltinOperator.SOFTMAX, new OpOptions.Softmax(1f), type, new int[] {1, row.length},
                QuantParams.perTensor(0.1f, 0), new int[] {1, row.length}, out);
        return ModelRunner.runBytes(g, b, 1, row);
    }

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void singleClassSaturates(Interpreter.Backend b) {
        assertArrayEquals(new byte[] {(byte) 255}, softmax(b, DataType.UINT8, new byte[] {7}));
        assertArrayEquals(new byte[] {127, -128}, softmax(b, DataType.INT8, new byte[] {127, -128}));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void largestAcceptedSum(Interpreter.Backend b) {
        assertArrayEquals(filled(511, -127), softmax(b, DataType.INT8, filled(511, 5)));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void sumBeyondTfliteCheckGivesMinimum(Interpreter.Backend b) {
        assertSoftmax(b, filled(600, -128), softmax(b, DataType.INT8, filled(600, 5)));
        assertSoftmax(b, filled(600, 0), softmax(b, DataType.UINT8, filled(600, 200)));
    }

    /**
     * Exact on the backends bit-exact with TFLite; within a step on armnn, whose own arithmetic
     * (Compute Library's CpuAcc under qemu-aarch64) gave -127 for the 600-value row.
     */
    private static void assertSoftmax(Interpreter.Backend b, byte[] expected, byte[] actual) {
        if (Backends.isBitExact(b)) {
            assertArrayEquals(expected, actual);
            return;
        }
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= 1, b + " element " + i + ": " + actual[i]);
        }
    }
}
