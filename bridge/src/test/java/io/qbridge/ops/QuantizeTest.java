package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.InvalidModelException;
import io.qbridge.QuantParams;
import io.qbridge.UnsupportedModelException;
import io.qbridge.graph.OpOptions;
import io.qbridge.testing.Backends;
import io.qbridge.testing.PeerCase;
import io.qbridge.testing.SingleOpHarness;
import io.qbridge.tflite.schema.BuiltinOperator;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.qbridge.testing.RandomTensors.count;
import static io.qbridge.testing.RandomTensors.randomParams;
import static io.qbridge.testing.RandomTensors.randomQ;
import static io.qbridge.testing.RandomTensors.randomShape;
import static io.qbridge.testing.SingleOpHarness.bytes;
import static io.qbridge.testing.SingleOpHarness.floats;
import static io.qbridge.testing.SingleOpHarness.toFloats;
import static io.qbridge.testing.SingleOpHarness.toInts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * QUANTIZE and DEQUANTIZE on every available backend; every run on a native backend is also
 * compared with java byte for byte ({@link io.qbridge.testing.JavaReference}).
 * <ul>
 * <li>Peer vectors from TFLite's and TFLite Micro's kernel tests ({@link QuantizePeerVectors}).</li>
 * <li>Edge values: QUANTIZE of float32 NaN, infinities, denormals, ties and values far out of
 * range to uint8/int8, per tensor and per channel; DEQUANTIZE of every 8-bit value.</li>
 * <li>Randomized (fixed seeds), each result identical for 1 and 3 threads: QUANTIZE then
 * DEQUANTIZE within half a step of the input inside the range; requantization between
 * uint8/int8/int16 within 3/4 of an output step of the real value (double rounding).</li>
 * <li>Unsupported or malformed QUANTIZE and DEQUANTIZE operators are refused when the model loads.</li>
 * </ul>
 */
class QuantizeTest {
    static Stream<Object[]> peerVectors() {
        return PeerCase.onEveryBackend(QuantizePeerVectors.cases());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("peerVectors")
    void peerVector(Interpreter.Backend backend, PeerCase c) {
        c.check().accept(backend);
    }

    // ---------------------------------------------------------------- edge values

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

    // ---------------------------------------------------------------- randomized

    record RandomCase(String kind, int seed) {
        @Override
        public String toString() {
            return kind + " seed " + seed;
        }
    }

    static Stream<Object[]> randomCases() {
        List<Object[]> list = new ArrayList<>();
        for (Interpreter.Backend backend : Backends.available().toList()) {
            for (int seed = 1; seed <= 20; seed++) {
                for (String kind : new String[] {"quantize", "requantize"}) {
                    list.add(new Object[] {backend, new RandomCase(kind, seed)});
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("randomCases")
    void randomized(Interpreter.Backend backend, RandomCase c) {
        Random r = new Random(c.seed * 7_919L + c.kind.hashCode());
        switch (c.kind) {
            case "quantize": quantizeThenDequantize(backend, r); break;
            default: requantize(backend, r);
        }
    }

    // ---------------------------------------------------------------- QUANTIZE / DEQUANTIZE

    private static void quantizeThenDequantize(Interpreter.Backend backend, Random r) {
        DataType t = new DataType[] {DataType.UINT8, DataType.INT8, DataType.INT16}[r.nextInt(3)];
        int[] shape = randomShape(r, 1 + r.nextInt(4));
        int n = count(shape);
        QuantParams q = randomParams(r, t, 0.001f, 0.1f);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (r.nextFloat() - 0.5f) * 300 * q.scale();
        }
        SingleOpHarness h = new SingleOpHarness();
        int in = h.input(DataType.FLOAT32, shape, QuantParams.NONE, floats(x));
        h.output(t, shape, q);
        h.op(BuiltinOperator.QUANTIZE, new int[] {in}, new OpOptions.Quantize());
        byte[] quantized = h.run(backend, 1);
        assertArrayEquals(quantized, h.run(backend, 3));

        SingleOpHarness back = new SingleOpHarness();
        int qin = back.input(t, shape, q, quantized);
        back.output(DataType.FLOAT32, shape, QuantParams.NONE);
        back.op(BuiltinOperator.DEQUANTIZE, new int[] {qin}, new OpOptions.Dequantize());
        float[] restored = toFloats(back.run(backend, 1));
        float lo = q.scale() * (t.minValue() - q.zeroPoint());
        float hi = q.scale() * (t.maxValue() - q.zeroPoint());
        for (int i = 0; i < n; i++) {
            float expected = Math.max(lo, Math.min(hi, x[i]));
            assertTrue(Math.abs(restored[i] - expected) <= q.scale() * 0.5001f,
                    "element " + i + ": " + restored[i] + " vs " + x[i]);
        }
    }

    private static void requantize(Interpreter.Backend backend, Random r) {
        DataType[] types = {DataType.UINT8, DataType.INT8, DataType.INT16};
        DataType ti = types[r.nextInt(3)];
        DataType to = types[r.nextInt(3)];
        int[] shape = randomShape(r, 1 + r.nextInt(4));
        int n = count(shape);
        QuantParams qi = randomParams(r, ti, 0.01f, 0.1f);
        QuantParams qo = randomParams(r, to, 0.01f, 0.1f);
        int[] v = randomQ(r, ti, n);
        byte[] input = ti == DataType.INT16 ? SingleOpHarness.int16s(v) : bytes(v);
        SingleOpHarness h = new SingleOpHarness();
        int in = h.input(ti, shape, qi, input);
        h.output(to, shape, qo);
        h.op(BuiltinOperator.QUANTIZE, new int[] {in}, new OpOptions.Quantize());
        byte[] out = h.run(backend, 1);
        assertArrayEquals(out, h.run(backend, 3));
        int[] got = to == DataType.INT16 ? SingleOpHarness.toInt16s(out) : toInts(out, to);
        float lo = qo.scale() * (to.minValue() - qo.zeroPoint());
        float hi = qo.scale() * (to.maxValue() - qo.zeroPoint());
        for (int i = 0; i < n; i++) {
            float real = qi.scale() * (v[i] - qi.zeroPoint());
            float expected = Math.max(lo, Math.min(hi, real));
            float actual = qo.scale() * (got[i] - qo.zeroPoint());
            // TFLite rounds twice (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT), so
            // the result may be up to 3/4 of a step off, not 1/2: e.g. -22.47 steps becomes -23.
            assertTrue(Math.abs(actual - expected) <= qo.scale() * 0.7501f + 1e-4f,
                    ti + "->" + to + " element " + i + ": " + actual + " vs " + expected + " in " + qi + " out " + qo + " q " + v[i] + " got " + got[i]);
        }
    }

    // ---------------------------------------------------------------- refused operators

    private static final QuantParams Q = QuantParams.perTensor(0.1f, 0);


    @Test
    void quantizeToInt32FromFloatIsUnsupported() {
        SingleOpHarness.assertRefused(UnsupportedModelException.class, "QUANTIZE from FLOAT32 to INT32", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2}, QuantParams.NONE, new byte[8]);
            h.output(DataType.INT32, new int[] {2}, Q);
            h.op(BuiltinOperator.QUANTIZE, new int[] {a}, new OpOptions.Quantize());
        });
    }

    @Test
    void dequantizeRefusesAFloatOutputOfAnotherShape() {
        SingleOpHarness.assertRefused(InvalidModelException.class, "operator 0 (DEQUANTIZE)", h -> {
            int a = h.input(DataType.INT8, new int[] {2}, Q, new byte[2]);
            h.output(DataType.FLOAT32, new int[] {3}, QuantParams.NONE);
            h.op(BuiltinOperator.DEQUANTIZE, new int[] {a}, new OpOptions.Dequantize());
        });
    }
}
