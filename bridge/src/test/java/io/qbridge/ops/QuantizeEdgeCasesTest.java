package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.OpOptions;
import io.qbridge.testing.Backends;
import io.qbridge.testing.SingleOpHarness;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.qbridge.testing.SingleOpHarness.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * QUANTIZE (float32 to uint8/int8), DEQUANTIZE (every 8-bit value) and uint8 CONCATENATION with
 * requantized inputs, byte for byte against the Java reference on every bit-exact backend and
 * for 1 and 3 threads: NaN, infinities, signed zeros, subnormals, exact halves after the division,
 * values far outside the range, per tensor and per channel.
 */
class QuantizeEdgeCasesTest {
    private static final int[] SHAPE = {2, 3, 4, 5};   // 120 elements, channels on the last axis

    /**
     * Every available backend (never empty, so JUnit never fails for want of arguments where only
     * java or only armnn is under test); each test skips java itself and backends that are not
     * bit-exact with it.
     */
    static Stream<Interpreter.Backend> backends() {
        return Backends.available();
    }

    private static void assumeBitExactOtherThanJava(Interpreter.Backend backend) {
        Assumptions.assumeTrue(backend != Interpreter.Backend.JAVA && Backends.isBitExact(backend),
                backend + ": compared with java only where it must be bit-exact with it");
    }

    private static float[] edgeFloats() {
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE,
            -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 1e30f, -1e30f, 0.25f, -0.25f, 0.75f, -0.75f, 1.25f,
            -1.25f, 63.5f, -63.5f, 64.5f, -64.5f, 127.5f, -128.5f, 2.5e9f, -2.5e9f, 9.3e18f, -9.3e18f};
        float[] v = new float[120];
        Random r = new Random(7);
        for (int i = 0; i < v.length; i++) {
            v[i] = i < special.length ? special[i] : (r.nextInt(1000) - 500) * 0.25f;
        }
        return v;
    }

    private static List<QuantParams> quantizations(DataType t) {
        int zp = t == DataType.UINT8 ? 200 : -5;
        List<QuantParams> list = new ArrayList<>();
        list.add(QuantParams.perTensor(0.5f, zp));
        list.add(QuantParams.perTensor(1e-3f, t == DataType.UINT8 ? 0 : 127));
        list.add(QuantParams.perChannel(new float[] {0.5f, 0.1f, 3f, 1e-20f, 0.25f}, new int[] {zp, 0, zp, 1, 3}, 3));
        return list;
    }

    private static byte[] quantize(Interpreter.Backend backend, int threads, DataType t, QuantParams q) {
        SingleOpHarness h = new SingleOpHarness();
        int x = h.input(DataType.FLOAT32, SHAPE, QuantParams.NONE, floats(edgeFloats()));
        h.output(t, SHAPE, q);
        h.op(BuiltinOperator.QUANTIZE, new int[] {x}, new OpOptions.Quantize());
        return h.run(backend, threads);
    }

    private static byte[] dequantize(Interpreter.Backend backend, int threads, DataType t, QuantParams q) {
        byte[] in = new byte[120];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) (i * 13 + 5);
        }
        in[0] = (byte) 0x80;
        in[1] = (byte) 0x7F;
        in[2] = (byte) 0xFF;
        in[3] = 0;
        SingleOpHarness h = new SingleOpHarness();
        int x = h.input(t, SHAPE, q, in);
        h.output(DataType.FLOAT32, SHAPE, QuantParams.NONE);
        h.op(BuiltinOperator.DEQUANTIZE, new int[] {x}, new OpOptions.Dequantize());
        return h.run(backend, threads);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void quantizeMatchesJava(Interpreter.Backend backend) {
        assumeBitExactOtherThanJava(backend);
        for (DataType t : new DataType[] {DataType.UINT8, DataType.INT8}) {
            for (QuantParams q : quantizations(t)) {
                byte[] expected = quantize(Interpreter.Backend.JAVA, 1, t, q);
                for (int threads : new int[] {1, 3}) {
                    assertArrayEquals(expected, quantize(backend, threads, t, q), t + " " + q + " threads " + threads);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void dequantizeMatchesJava(Interpreter.Backend backend) {
        assumeBitExactOtherThanJava(backend);
        for (DataType t : new DataType[] {DataType.UINT8, DataType.INT8}) {
            for (QuantParams q : quantizations(t)) {
                byte[] expected = dequantize(Interpreter.Backend.JAVA, 1, t, q);
                for (int threads : new int[] {1, 3}) {
                    assertArrayEquals(expected, dequantize(backend, threads, t, q), t + " " + q + " threads " + threads);
                }
            }
        }
    }

    /** Three uint8 inputs along axis 2: one as the output's parameters, two requantized. */
    private static byte[] concat(Interpreter.Backend backend, int threads) {
        SingleOpHarness h = new SingleOpHarness();
        QuantParams[] qs = {QuantParams.perTensor(0.1f, 128), QuantParams.perTensor(0.0371f, 3),
            QuantParams.perTensor(0.5f, 255)};
        int[] inputs = new int[3];
        for (int i = 0; i < 3; i++) {
            byte[] data = new byte[2 * 3 * (i + 1) * 5];
            for (int k = 0; k < data.length; k++) {
                data[k] = (byte) (k * 37 + i * 91);
            }
            inputs[i] = h.input(DataType.UINT8, new int[] {2, 3, i + 1, 5}, qs[i], data);
        }
        h.output(DataType.UINT8, new int[] {2, 3, 6, 5}, qs[0]);
        h.op(BuiltinOperator.CONCATENATION, inputs, new OpOptions.Concatenation(2, io.qbridge.graph.Activation.NONE));
        return h.run(backend, threads);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void requantizingConcatenationMatchesJava(Interpreter.Backend backend) {
        assumeBitExactOtherThanJava(backend);
        byte[] expected = concat(Interpreter.Backend.JAVA, 1);
        for (int threads : new int[] {1, 3}) {
            assertArrayEquals(expected, concat(backend, threads), "threads " + threads);
        }
    }
}
