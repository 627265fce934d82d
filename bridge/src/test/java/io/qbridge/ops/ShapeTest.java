package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.InvalidModelException;
import io.qbridge.QuantParams;
import io.qbridge.UnsupportedModelException;
import io.qbridge.graph.Activation;
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
 * The data movement ops, CONCATENATION, RESHAPE, SQUEEZE, PAD and PADV2, on every available
 * backend; every run on a native backend is also compared with java byte for byte
 * ({@link io.qbridge.testing.JavaReference}).
 * <ul>
 * <li>Peer vectors from TFLite's and TFLite Micro's kernel tests ({@link ShapePeerVectors}).</li>
 * <li>Randomized (fixed seeds), each result identical for 1 and 3 threads: CONCATENATION of 1 to 4
 * inputs of rank 1 to 5 on a random (possibly negative) axis: float and int8 exact against an
 * index-by-index reference; uint8 with differing input parameters within half an output step
 * (plus float error) of the real values, inside the output's range. PAD of rank 1 to 5 with random
 * paddings: exact against a reference, pad value 0 / the zero point / a PADV2 constant.</li>
 * <li>uint8 CONCATENATION that requantizes two of its three inputs.</li>
 * <li>Malformed or unsupported operators are refused when the model loads, with a message that
 * names the operator (invalid) or the op and variant (unsupported).</li>
 * </ul>
 */
class ShapeTest {
    static Stream<Object[]> peerVectors() {
        return PeerCase.onEveryBackend(ShapePeerVectors.cases());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("peerVectors")
    void peerVector(Interpreter.Backend backend, PeerCase c) {
        c.check().accept(backend);
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
                for (String kind : new String[] {"concat float", "concat int8", "concat uint8", "pad"}) {
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
            case "concat float": concat(backend, r, DataType.FLOAT32); break;
            case "concat int8": concat(backend, r, DataType.INT8); break;
            case "concat uint8": concat(backend, r, DataType.UINT8); break;
            default: pad(backend, r);
        }
    }

    // ---------------------------------------------------------------- CONCATENATION

    private static void concat(Interpreter.Backend backend, Random r, DataType t) {
        int rank = 1 + r.nextInt(5);
        int axis = r.nextInt(rank);
        int inputs = 1 + r.nextInt(4);
        int[] base = randomShape(r, rank);
        int[][] shapes = new int[inputs][];
        int[] out = base.clone();
        out[axis] = 0;
        for (int i = 0; i < inputs; i++) {
            shapes[i] = base.clone();
            shapes[i][axis] = 1 + r.nextInt(3);
            out[axis] += shapes[i][axis];
        }
        QuantParams qo = t == DataType.FLOAT32 ? QuantParams.NONE : randomParams(r, t, 0.02f, 0.1f);
        QuantParams[] q = new QuantParams[inputs];
        byte[][] data = new byte[inputs][];
        float[][] real = new float[inputs][];
        int[][] raw = new int[inputs][];
        for (int i = 0; i < inputs; i++) {
            int n = count(shapes[i]);
            real[i] = new float[n];
            if (t == DataType.FLOAT32) {
                q[i] = QuantParams.NONE;
                for (int k = 0; k < n; k++) {
                    real[i][k] = r.nextFloat() * 10 - 5;
                }
                data[i] = floats(real[i]);
            } else {
                // int8 inputs must share the output's parameters (TFLite's rule); uint8 may differ.
                q[i] = t == DataType.INT8 || r.nextInt(3) == 0 ? qo : randomParams(r, t, 0.02f, 0.1f);
                raw[i] = randomQ(r, t, n);
                data[i] = bytes(raw[i]);
                for (int k = 0; k < n; k++) {
                    real[i][k] = q[i].scale() * (raw[i][k] - q[i].zeroPoint());
                }
            }
        }
        int signedAxis = r.nextBoolean() ? axis : axis - rank;
        byte[] one = runConcat(backend, 1, t, shapes, q, data, out, qo, signedAxis);
        assertArrayEquals(one, runConcat(backend, 3, t, shapes, q, data, out, qo, signedAxis));
        // Reference: walk the output, find which input and element each position comes from.
        int outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= out[d];
        }
        int inner = 1;
        for (int d = axis + 1; d < rank; d++) {
            inner *= out[d];
        }
        float[] got = t == DataType.FLOAT32 ? toFloats(one) : null;
        int[] gotQ = t == DataType.FLOAT32 ? null : toInts(one, t);
        int o = 0;
        for (int row = 0; row < outer; row++) {
            for (int i = 0; i < inputs; i++) {
                int len = shapes[i][axis] * inner;
                for (int k = 0; k < len; k++, o++) {
                    int src = row * len + k;
                    if (t == DataType.FLOAT32) {
                        assertTrue(Float.compare(real[i][src], got[o]) == 0, "element " + o);
                    } else if (t == DataType.INT8) {
                        assertTrue(raw[i][src] == gotQ[o], "element " + o);
                    } else {
                        float lo = qo.scale() * (0 - qo.zeroPoint());
                        float hi = qo.scale() * (255 - qo.zeroPoint());
                        float expected = Math.max(lo, Math.min(hi, real[i][src]));
                        float actual = qo.scale() * (gotQ[o] - qo.zeroPoint());
                        assertTrue(Math.abs(actual - expected) <= qo.scale() * 0.5001f + 1e-5f,
                                "element " + o + ": " + actual + " vs " + expected);
                    }
                }
            }
        }
    }

    private static byte[] runConcat(Interpreter.Backend backend, int threads, DataType t, int[][] shapes,
                                    QuantParams[] q, byte[][] data, int[] out, QuantParams qo, int axis) {
        SingleOpHarness h = new SingleOpHarness();
        int[] in = new int[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            in[i] = i == 1 ? h.constant(t, shapes[i], q[i], data[i]) : h.input(t, shapes[i], q[i], data[i]);
        }
        h.output(t, out, qo);
        h.op(BuiltinOperator.CONCATENATION, in, new OpOptions.Concatenation(axis, Activation.NONE));
        return h.run(backend, threads);
    }

    // ---------------------------------------------------------------- PAD

    private static void pad(Interpreter.Backend backend, Random r) {
        int rank = 1 + r.nextInt(5);
        int[] in = randomShape(r, rank);
        int[] before = new int[rank];
        int[] after = new int[rank];
        int[] out = new int[rank];
        int[] paddings = new int[2 * rank];
        for (int d = 0; d < rank; d++) {
            before[d] = r.nextInt(3);
            after[d] = r.nextInt(3);
            out[d] = in[d] + before[d] + after[d];
            paddings[2 * d] = before[d];
            paddings[2 * d + 1] = after[d];
        }
        int mode = r.nextInt(3);   // 0: float PAD, 1: int8 PAD (zero point), 2: float PADV2
        DataType t = mode == 1 ? DataType.INT8 : DataType.FLOAT32;
        QuantParams q = mode == 1 ? randomParams(r, t, 0.01f, 0.1f) : QuantParams.NONE;
        int n = count(in);
        float[] values = new float[n];
        int[] qv = randomQ(r, DataType.INT8, n);
        for (int i = 0; i < n; i++) {
            values[i] = r.nextFloat() * 4 - 2;
        }
        float padValue = mode == 2 ? r.nextFloat() * 10 - 5 : 0f;
        byte[] input = mode == 1 ? bytes(qv) : floats(values);
        byte[] one = runPad(backend, 1, t, q, in, paddings, input, out, mode == 2 ? floats(padValue) : null);
        assertArrayEquals(one, runPad(backend, 3, t, q, in, paddings, input, out,
                mode == 2 ? floats(padValue) : null));
        int total = count(out);
        float[] gotF = mode == 1 ? null : toFloats(one);
        int[] gotQ = mode == 1 ? toInts(one, t) : null;
        for (int o = 0; o < total; o++) {
            int rest = o;
            int src = 0;
            int stride = 1;
            boolean inside = true;
            for (int d = rank - 1; d >= 0; d--) {
                int coord = rest % out[d] - before[d];
                rest /= out[d];
                if (coord < 0 || coord >= in[d]) {
                    inside = false;
                }
                src += coord * stride;
                stride *= in[d];
            }
            if (mode == 1) {
                assertTrue(gotQ[o] == (inside ? qv[src] : q.zeroPoint()), "element " + o);
            } else {
                assertTrue(Float.compare(gotF[o], inside ? values[src] : padValue) == 0, "element " + o);
            }
        }
    }

    private static byte[] runPad(Interpreter.Backend backend, int threads, DataType t, QuantParams q, int[] in,
                                 int[] paddings, byte[] input, int[] out, byte[] padValue) {
        SingleOpHarness h = new SingleOpHarness();
        int x = h.input(t, in, q, input);
        int p = h.constant(DataType.INT32, new int[] {in.length, 2}, QuantParams.NONE,
                SingleOpHarness.int32s(paddings));
        h.output(t, out, q);
        if (padValue == null) {
            h.op(BuiltinOperator.PAD, new int[] {x, p}, new OpOptions.Pad());
        } else {
            int v = h.constant(t, new int[] {1}, q, padValue);
            h.op(BuiltinOperator.PADV2, new int[] {x, p, v}, new OpOptions.PadV2());
        }
        return h.run(backend, threads);
    }

    // ---------------------------------------------------------------- requantizing concatenation
   // 120 elements, channels on the last axis

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

    /** Three uint8 inputs along axis 2: one as the output's parameters, two requantized. */
    private static byte[] requantizingConcat(Interpreter.Backend backend, int threads) {
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
        byte[] expected = requantizingConcat(Interpreter.Backend.JAVA, 1);
        for (int threads : new int[] {1, 3}) {
            assertArrayEquals(expected, requantizingConcat(backend, threads), "threads " + threads);
        }
    }

    // ---------------------------------------------------------------- refused operators

    private static final QuantParams Q = QuantParams.perTensor(0.1f, 0);


    @Test
    void concatenationRefusesAnAxisOutOfRange() {
        SingleOpHarness.assertRefused(InvalidModelException.class, "axis 3 is out of range", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2, 3}, QuantParams.NONE, new byte[24]);
            h.output(DataType.FLOAT32, new int[] {2, 3}, QuantParams.NONE);
            h.op(BuiltinOperator.CONCATENATION, new int[] {a}, new OpOptions.Concatenation(3, Activation.NONE));
        });
    }

    @Test
    void concatenationRefusesInt8InputsWithOtherParameters() {
        SingleOpHarness.assertRefused(InvalidModelException.class, "TFLite requires int8 inputs to share", h -> {
            int a = h.input(DataType.INT8, new int[] {2}, Q, new byte[2]);
            int b = h.input(DataType.INT8, new int[] {2}, QuantParams.perTensor(0.2f, 0), new byte[2]);
            h.output(DataType.INT8, new int[] {4}, Q);
            h.op(BuiltinOperator.CONCATENATION, new int[] {a, b}, new OpOptions.Concatenation(0, Activation.NONE));
        });
    }

    @Test
    void concatenationWithFusedActivationIsUnsupported() {
        SingleOpHarness.assertRefused(UnsupportedModelException.class, "CONCATENATION with fused activation RELU", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2}, QuantParams.NONE, new byte[8]);
            h.output(DataType.FLOAT32, new int[] {2}, QuantParams.NONE);
            h.op(BuiltinOperator.CONCATENATION, new int[] {a}, new OpOptions.Concatenation(0, Activation.RELU));
        });
    }

    @Test
    void reshapeRefusesAnotherElementCount() {
        SingleOpHarness.assertRefused(InvalidModelException.class, "operator 0 (RESHAPE): new shape [3, 3]", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2, 4}, QuantParams.NONE, new byte[32]);
            h.output(DataType.FLOAT32, new int[] {3, 3}, QuantParams.NONE);
            h.op(BuiltinOperator.RESHAPE, new int[] {a}, new OpOptions.Reshape(new int[] {3, 3}));
        });
    }

    @Test
    void reshapeRefusesAnOutputOtherThanTheNewShape() {
        SingleOpHarness.assertRefused(InvalidModelException.class, "the op computes [4, 2]", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2, 4}, QuantParams.NONE, new byte[32]);
            h.output(DataType.FLOAT32, new int[] {8}, QuantParams.NONE);
            h.op(BuiltinOperator.RESHAPE, new int[] {a}, new OpOptions.Reshape(new int[] {4, -1}));
        });
    }

    @Test
    void squeezeRefusesADimensionOtherThanOne() {
        SingleOpHarness.assertRefused(InvalidModelException.class, "squeeze dimension 1", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {1, 24, 1}, QuantParams.NONE, new byte[96]);
            h.output(DataType.FLOAT32, new int[] {1, 1}, QuantParams.NONE);
            h.op(BuiltinOperator.SQUEEZE, new int[] {a}, new OpOptions.Squeeze(new int[] {1}));
        });
    }

    @Test
    void padRefusesFloatPaddings() {
        SingleOpHarness.assertRefused(InvalidModelException.class, "expected INT32, INT64, INT16 or INT8", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2}, QuantParams.NONE, new byte[8]);
            int p = h.constant(DataType.FLOAT32, new int[] {1, 2}, QuantParams.NONE, floats(1, 1));
            h.output(DataType.FLOAT32, new int[] {4}, QuantParams.NONE);
            h.op(BuiltinOperator.PAD, new int[] {a, p}, new OpOptions.Pad());
        });
    }

    @Test
    void padV2RefusesAPadValueOfSeveralElements() {
        SingleOpHarness.assertRefused(InvalidModelException.class, "constant_values", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2}, QuantParams.NONE, new byte[8]);
            int p = h.constant(DataType.INT32, new int[] {1, 2}, QuantParams.NONE, SingleOpHarness.int32s(1, 1));
            int v = h.constant(DataType.FLOAT32, new int[] {2}, QuantParams.NONE, floats(1, 2));
            h.output(DataType.FLOAT32, new int[] {4}, QuantParams.NONE);
            h.op(BuiltinOperator.PADV2, new int[] {a, p, v}, new OpOptions.PadV2());
        });
    }
}
