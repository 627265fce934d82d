package io.qbridge.ops;

import org.junit.jupiter.api.Assumptions;

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
import static io.qbridge.testing.RandomTensors.randomZeroPoint;
import static io.qbridge.testing.SingleOpHarness.bytes;
import static io.qbridge.testing.SingleOpHarness.floats;
import static io.qbridge.testing.SingleOpHarness.toFloats;
import static io.qbridge.testing.SingleOpHarness.toInts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ADD and MUL on every available backend; every run on a native backend is also compared with
 * java byte for byte ({@link io.qbridge.testing.JavaReference}).
 * <ul>
 * <li>Peer vectors from TFLite's and TFLite Micro's kernel tests ({@link ElementwisePeerVectors}).</li>
 * <li>Randomized (fixed seeds), in the manner of add_test.cc's MultiDimBroadcast tests: shapes of
 * rank 1 to 6 where every dimension of either input may be broadcast. float32 and int32 results
 * equal, bit for bit, the operation done element by element through an independent 6-D index walk
 * (IEEE arithmetic is exact per element); uint8/int8 results, dequantized, agree with the float
 * operation on the dequantized inputs within one output step (zero points at the ends of their
 * ranges, scales differing per tensor, fused activations and constant inputs); every result is
 * identical for 1 and 3 threads.</li>
 * <li>Malformed or unsupported ADD and MUL operators are refused when the model loads, with a
 * message that names the operator (invalid) or the op and variant (unsupported).</li>
 * </ul>
 */
class ElementwiseTest {
    static Stream<Object[]> peerVectors() {
        return PeerCase.onEveryBackend(ElementwisePeerVectors.cases());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("peerVectors")
    void peerVector(Interpreter.Backend backend, PeerCase c) {
        c.check().accept(backend);
    }

    static Stream<Interpreter.Backend> backends() {
        return io.qbridge.testing.Backends.available();
    }

    /**
     * ADD of two scalars (rank 0) gives a scalar: uint8 (TFLite's rescaled sum: 0.1*(140-128) +
     * 0.1*(125-128) = 0.9 = 0.05*(146-128)) and float; the planner indexed an empty array (found by
     * fuzz/, kept there as crash-ec61...). Here it also runs under QEMU, bit-exact with java.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void addOfTwoScalarsIsAScalar(Interpreter.Backend backend) {
        Assumptions.assumeTrue(io.qbridge.testing.Backends.isBitExact(backend), "armnn is held to tolerances elsewhere");
        QuantParams in = QuantParams.perTensor(0.1f, 128);
        SingleOpHarness q = new SingleOpHarness();
        int a = q.input(DataType.UINT8, new int[0], in, new byte[] {(byte) 140});
        int b = q.input(DataType.UINT8, new int[0], in, new byte[] {(byte) 125});
        q.output(DataType.UINT8, new int[0], QuantParams.perTensor(0.05f, 128));
        q.op(BuiltinOperator.ADD, new int[] {a, b}, new OpOptions.Add(Activation.NONE));
        assertArrayEquals(new byte[] {(byte) 146}, q.run(backend, 1));

        if (backend != Interpreter.Backend.JAVA) {
            return;   // float ADD runs on java only (neon refuses float operators)
        }
        SingleOpHarness f = new SingleOpHarness();
        int x = f.input(DataType.FLOAT32, new int[0], QuantParams.NONE, SingleOpHarness.floats(1.5f));
        int y = f.input(DataType.FLOAT32, new int[0], QuantParams.NONE, SingleOpHarness.floats(-0.25f));
        f.output(DataType.FLOAT32, new int[0], QuantParams.NONE);
        f.op(BuiltinOperator.ADD, new int[] {x, y}, new OpOptions.Add(Activation.NONE));
        assertArrayEquals(new float[] {1.25f}, SingleOpHarness.toFloats(f.run(backend, 1)));
    }

    // ---------------------------------------------------------------- randomized

    private static final int[] DIMS = {2, 3, 4, 5, 6, 7};

    record RandomCase(int seed, int op, DataType type) {
        @Override
        public String toString() {
            return (op == BuiltinOperator.ADD ? "ADD " : "MUL ") + type + " seed " + seed;
        }
    }

    static Stream<Object[]> randomCases() {
        List<Object[]> list = new ArrayList<>();
        for (Interpreter.Backend backend : Backends.available().toList()) {
            for (int seed = 1; seed <= 24; seed++) {
                for (int op : new int[] {BuiltinOperator.ADD, BuiltinOperator.MUL}) {
                    for (DataType t : new DataType[] {DataType.FLOAT32, DataType.INT32, DataType.UINT8,
                        DataType.INT8}) {
                        list.add(new Object[] {backend, new RandomCase(seed, op, t)});
                    }
                }
            }
        }
        return list.stream();
    }

    /** Random shapes that broadcast together: each dim of each input is DIMS[d] or 1. */
    private static int[][] shapes(Random r) {
        int rank1 = 1 + r.nextInt(6);
        int rank2 = 1 + r.nextInt(6);
        int[] a = new int[rank1];
        int[] b = new int[rank2];
        for (int i = 0; i < rank1; i++) {
            a[i] = r.nextInt(3) == 0 ? 1 : DIMS[6 - rank1 + i];
        }
        for (int i = 0; i < rank2; i++) {
            b[i] = r.nextInt(3) == 0 ? 1 : DIMS[6 - rank2 + i];
        }
        return new int[][] {a, b};
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("randomCases")
    void matchesElementwiseReference(Interpreter.Backend backend, RandomCase c) {
        Random r = new Random(c.seed * 1_000_003L + c.op * 31L + c.type.ordinal());
        int[][] s = shapes(r);
        int[] out = PeerCase.broadcastShape(s[0], s[1]);
        Activation act = new Activation[] {Activation.NONE, Activation.RELU, Activation.RELU6,
            Activation.RELU_N1_TO_1}[r.nextInt(4)];
        boolean constantSecond = r.nextInt(4) == 0;
        int n1 = count(s[0]);
        int n2 = count(s[1]);
        int n = count(out);
        OpOptions options = c.op == BuiltinOperator.ADD ? new OpOptions.Add(act) : new OpOptions.Mul(act);
        if (c.type == DataType.FLOAT32) {
            float[] a = new float[n1];
            float[] b = new float[n2];
            for (int i = 0; i < n1; i++) {
                a[i] = (r.nextFloat() - 0.5f) * 8;
            }
            for (int i = 0; i < n2; i++) {
                b[i] = (r.nextFloat() - 0.5f) * 8;
            }
            float lo = act == Activation.NONE ? -Float.MAX_VALUE : act == Activation.RELU_N1_TO_1 ? -1f : 0f;
            float hi = act == Activation.RELU6 ? 6f : act == Activation.RELU_N1_TO_1 ? 1f : Float.MAX_VALUE;
            float[] expected = new float[n];
            for (int o = 0; o < n; o++) {
                float x = a[source(o, out, s[0])];
                float y = b[source(o, out, s[1])];
                float v = c.op == BuiltinOperator.ADD ? x + y : x * y;
                float clamped = v < lo ? lo : v;   // std::min(std::max(v, lo), hi)
                expected[o] = hi < clamped ? hi : clamped;
            }
            byte[] one = run(backend, 1, c.type, s, QuantParams.NONE, QuantParams.NONE, QuantParams.NONE, floats(a),
                    floats(b), out, options, constantSecond);
            assertArrayEquals(expected, toFloats(one));
            assertArrayEquals(one, run(backend, 3, c.type, s, QuantParams.NONE, QuantParams.NONE, QuantParams.NONE,
                    floats(a), floats(b), out, options, constantSecond));
            return;
        }
        if (c.type == DataType.INT32) {
            int[] a = new int[n1];
            int[] b = new int[n2];
            for (int i = 0; i < n1; i++) {
                a[i] = r.nextInt();
            }
            for (int i = 0; i < n2; i++) {
                b[i] = r.nextInt(257) - 128;
            }
            int lo = act == Activation.NONE ? Integer.MIN_VALUE : act == Activation.RELU_N1_TO_1 ? -1 : 0;
            int hi = act == Activation.RELU6 ? 6 : act == Activation.RELU_N1_TO_1 ? 1 : Integer.MAX_VALUE;
            int[] expected = new int[n];
            for (int o = 0; o < n; o++) {
                int x = a[source(o, out, s[0])];
                int y = b[source(o, out, s[1])];
                int v = c.op == BuiltinOperator.ADD ? x + y : x * y;   // wraps, as the C++ kernel does
                expected[o] = Math.min(hi, Math.max(lo, v));
            }
            byte[] one = run(backend, 1, c.type, s, QuantParams.NONE, QuantParams.NONE, QuantParams.NONE,
                    SingleOpHarness.int32s(a), SingleOpHarness.int32s(b), out, options, constantSecond);
            assertArrayEquals(expected, SingleOpHarness.toInt32s(one));
            return;
        }
        // Quantized: random parameters, zero points sometimes at the ends of the range.
        DataType t = c.type;
        QuantParams q1 = randomParams(r, t, 0.02f, 0.1f);
        QuantParams q2 = randomParams(r, t, 0.02f, 0.1f);
        float outScale = c.op == BuiltinOperator.ADD ? 0.03f + r.nextFloat() * 0.15f
                : q1.scale() * q2.scale() * (20f + r.nextFloat() * 100f);
        QuantParams qo = QuantParams.perTensor(outScale, randomZeroPoint(r, t));
        int[] a = randomQ(r, t, n1);
        int[] b = randomQ(r, t, n2);
        byte[] one = run(backend, 1, t, s, q1, q2, qo, bytes(a), bytes(b), out, options, constantSecond);
        int[] actual = toInts(one, t);
        float lo = qo.scale() * (t.minValue() - qo.zeroPoint());
        float hi = qo.scale() * (t.maxValue() - qo.zeroPoint());
        if (act == Activation.RELU || act == Activation.RELU6) {
            lo = Math.max(lo, 0f);
        }
        if (act == Activation.RELU6) {
            hi = Math.min(hi, 6f);
        }
        if (act == Activation.RELU_N1_TO_1) {
            lo = Math.max(lo, -1f);
            hi = Math.min(hi, 1f);
        }
        for (int o = 0; o < n; o++) {
            float x = q1.scale() * (a[source(o, out, s[0])] - q1.zeroPoint());
            float y = q2.scale() * (b[source(o, out, s[1])] - q2.zeroPoint());
            float real = c.op == BuiltinOperator.ADD ? x + y : x * y;
            float clamped = Math.min(hi, Math.max(lo, real));
            float got = qo.scale() * (actual[o] - qo.zeroPoint());
            // One step: 1/2 for the final rounding, the rest for the activation bounds' own rounding
            // and the fixed-point multipliers.
            assertTrue(Math.abs(got - clamped) <= qo.scale() * 1.0001f,
                    "element " + o + ": " + got + " vs " + clamped + " (step " + qo.scale() + ")");
        }
        assertArrayEquals(one, run(backend, 3, t, s, q1, q2, qo, bytes(a), bytes(b), out, options, constantSecond));
    }

    private static byte[] run(Interpreter.Backend backend, int threads, DataType t, int[][] s, QuantParams q1,
                              QuantParams q2, QuantParams qo, byte[] a, byte[] b, int[] out, OpOptions options,
                              boolean constantSecond) {
        SingleOpHarness h = new SingleOpHarness();
        int x = h.input(t, s[0], q1, a);
        int y = constantSecond ? h.constant(t, s[1], q2, b) : h.input(t, s[1], q2, b);
        h.output(t, out, qo);
        int op = options instanceof OpOptions.Add ? BuiltinOperator.ADD : BuiltinOperator.MUL;
        h.op(op, new int[] {x, y}, options);
        return h.run(backend, threads);
    }

    /** Flat index into an input of shape {@code in} (right-aligned, broadcast) of output element o. */
    static int source(int o, int[] out, int[] in) {
        int index = 0;
        int stride = 1;
        int rest = o;
        for (int d = out.length - 1; d >= 0; d--) {
            int coord = rest % out[d];
            rest /= out[d];
            int k = d - (out.length - in.length);
            if (k >= 0) {
                if (in[k] != 1) {
                    index += coord * stride;
                }
                stride *= in[k];
            }
        }
        return index;
    }

    // ---------------------------------------------------------------- refused operators

    private static final QuantParams Q = QuantParams.perTensor(0.1f, 0);


    @Test
    void addRefusesShapesThatDoNotBroadcast() {
        SingleOpHarness.assertRefused(InvalidModelException.class, "operator 0 (ADD)", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2, 3}, QuantParams.NONE, new byte[24]);
            int b = h.input(DataType.FLOAT32, new int[] {4, 3}, QuantParams.NONE, new byte[48]);
            h.output(DataType.FLOAT32, new int[] {4, 3}, QuantParams.NONE);
            h.op(BuiltinOperator.ADD, new int[] {a, b}, new OpOptions.Add(Activation.NONE));
        });
    }

    @Test
    void addRefusesAnOutputOfAnotherShape() {
        SingleOpHarness.assertRefused(InvalidModelException.class, "the op computes [2, 3]", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {2, 3}, QuantParams.NONE, new byte[24]);
            int b = h.input(DataType.FLOAT32, new int[] {3}, QuantParams.NONE, new byte[12]);
            h.output(DataType.FLOAT32, new int[] {6}, QuantParams.NONE);
            h.op(BuiltinOperator.ADD, new int[] {a, b}, new OpOptions.Add(Activation.NONE));
        });
    }

    @Test
    void mulRefusesMixedTypes() {
        SingleOpHarness.assertRefused(InvalidModelException.class, "operator 0 (MUL): input 2", h -> {
            int a = h.input(DataType.INT8, new int[] {4}, Q, new byte[4]);
            int b = h.input(DataType.UINT8, new int[] {4}, Q, new byte[4]);
            h.output(DataType.INT8, new int[] {4}, Q);
            h.op(BuiltinOperator.MUL, new int[] {a, b}, new OpOptions.Mul(Activation.NONE));
        });
    }

    @Test
    void mulWithTanhActivationIsUnsupported() {
        SingleOpHarness.assertRefused(UnsupportedModelException.class, "MUL with fused activation TANH", h -> {
            int a = h.input(DataType.FLOAT32, new int[] {4}, QuantParams.NONE, new byte[16]);
            int b = h.input(DataType.FLOAT32, new int[] {4}, QuantParams.NONE, new byte[16]);
            h.output(DataType.FLOAT32, new int[] {4}, QuantParams.NONE);
            h.op(BuiltinOperator.MUL, new int[] {a, b}, new OpOptions.Mul(Activation.TANH));
        });
    }

    @Test
    void quantizedAddNeedsQuantizationParameters() {
        SingleOpHarness.assertRefused(InvalidModelException.class, "has no quantization parameters", h -> {
            int a = h.input(DataType.UINT8, new int[] {4}, QuantParams.NONE, new byte[4]);
            int b = h.input(DataType.UINT8, new int[] {4}, Q, new byte[4]);
            h.output(DataType.UINT8, new int[] {4}, Q);
            h.op(BuiltinOperator.ADD, new int[] {a, b}, new OpOptions.Add(Activation.NONE));
        });
    }

    @Test
    void addRefusesAnOutputScaleTFLiteCannotRepresent() {
        SingleOpHarness.assertRefused(InvalidModelException.class, "operator 0 (ADD): output rescale", h -> {
            int a = h.input(DataType.INT8, new int[] {4}, QuantParams.perTensor(1f, 0), new byte[4]);
            int b = h.input(DataType.INT8, new int[] {4}, QuantParams.perTensor(1f, 0), new byte[4]);
            h.output(DataType.INT8, new int[] {4}, QuantParams.perTensor(1e-7f, 0));
            h.op(BuiltinOperator.ADD, new int[] {a, b}, new OpOptions.Add(Activation.NONE));
        });
    }
}
