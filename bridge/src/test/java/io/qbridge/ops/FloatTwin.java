package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.numerics.QuantMath;
import io.qbridge.testing.Backends;
import io.qbridge.testing.ModelRunner;
import io.qbridge.testing.OpGraphs;
import io.qbridge.testing.RandomTensors;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The randomized check of the single-input 8-bit ops (pooling, MEAN, activations; fixed seeds,
 * uint8 and int8): the float op run on the dequantized quantized input must agree with the
 * dequantized quantized result within the error the output quantization allows (stated per op),
 * and quantized and float results must be identical for 1 and 3 threads. Quantized runs are also
 * compared with java byte for byte ({@link io.qbridge.testing.JavaReference}, through
 * {@link ModelRunner}). Zero points reach the ends of their range. The family test classes
 * (PoolTest, MeanTest, ActivationTest) say how each op is set up.
 */
final class FloatTwin {
    private FloatTwin() {
    }

    /** The randomized single-input ops; the ordinal salts each case's seed. */
    enum Kind { AVERAGE_POOL, MAX_POOL, MEAN, SOFTMAX, LOGISTIC, TANH, RELU, RELU6 }

    record Case(Kind kind, int seed, DataType type) {
        @Override
        public String toString() {
            return kind + " " + type + " seed " + seed;
        }
    }

    /** One random op: its graph (quantized or float twin) and the bound on |dequantized - float|. */
    record Setup(int op, OpOptions options, int[] inShape, int[] outShape, int[] axes, boolean keepDims,
                 QuantParams inQ, QuantParams outQ, float bound) {
        Graph graph(DataType type) {
            boolean q = type != DataType.FLOAT32;
            if (op == BuiltinOperator.MEAN) {
                return OpGraphs.mean(type, inShape, q ? inQ : QuantParams.NONE, axes, keepDims, outShape,
                        q ? outQ : QuantParams.NONE);
            }
            return OpGraphs.unary(op, options, type, inShape, q ? inQ : QuantParams.NONE, outShape,
                    q ? outQ : QuantParams.NONE);
        }
    }

    /** Every available backend crossed with the kinds and seeds 1 to 10 (odd seeds uint8, even int8). */
    static Stream<Object[]> cases(Kind... kinds) {
        List<Object[]> list = new ArrayList<>();
        for (Interpreter.Backend backend : Backends.available().toList()) {
            for (Kind kind : kinds) {
                for (int seed = 1; seed <= 10; seed++) {
                    list.add(new Object[] {backend, new Case(kind, seed, seed % 2 == 0 ? DataType.INT8 : DataType.UINT8)});
                }
            }
        }
        return list.stream();
    }

    /** Draws the input range, sets the op up ({@code setup}: random, input parameters), runs and checks. */
    static void assertQuantizedMatchesFloat(Interpreter.Backend backend, Case c,
                                            BiFunction<Random, QuantParams, Setup> setup) {
        Random r = new Random(c.seed() * 1_000_003L + c.kind().ordinal());
        DataType t = c.type();
        float inMin = -r.nextFloat() * 8;
        float inMax = r.nextFloat() * 8 + 0.05f;
        if (r.nextInt(4) == 0) {
            inMin = 0;        // zero point at the low end
        } else if (r.nextInt(4) == 0) {
            inMax = 0.001f;   // zero point near the high end
        }
        QuantParams inQ = RandomTensors.rangeParams(inMin, inMax, t);
        Setup s = setup.apply(r, inQ);

        long count = 1;
        for (int d : s.inShape) {
            count *= d;
        }
        byte[] quantizedIn = new byte[(int) count];
        float[] dequantizedIn = new float[(int) count];
        for (int i = 0; i < count; i++) {
            float x = inMin + r.nextFloat() * (inMax - inMin);
            int q = QuantMath.quantizeClamped(x, inQ.scale(), inQ.zeroPoint(), t.minValue(), t.maxValue());
            quantizedIn[i] = (byte) q;
            dequantizedIn[i] = inQ.scale() * (q - inQ.zeroPoint());
        }

        Graph quantized = s.graph(t);
        byte[] one = ModelRunner.runBytes(quantized, backend, 1, quantizedIn);
        byte[] three = ModelRunner.runBytes(quantized, backend, 3, quantizedIn);
        assertArrayEquals(one, three, c + ": quantized results differ between 1 and 3 threads");
        Graph floatGraph = s.graph(DataType.FLOAT32);
        float[] expected = ModelRunner.runFloats(floatGraph, backend, 1, dequantizedIn);
        assertArrayEquals(expected, ModelRunner.runFloats(floatGraph, backend, 3, dequantizedIn),
                c + ": float results differ between 1 and 3 threads");

        float lo = s.outQ.scale() * (t.minValue() - s.outQ.zeroPoint());
        float hi = s.outQ.scale() * (t.maxValue() - s.outQ.zeroPoint());
        for (int i = 0; i < expected.length; i++) {
            int q = t == DataType.UINT8 ? one[i] & 0xFF : one[i];
            float actual = s.outQ.scale() * (q - s.outQ.zeroPoint());
            float e = Math.max(lo, Math.min(hi, expected[i]));
            assertTrue(Math.abs(actual - e) <= s.bound + 1e-6f * Math.abs(e),
                    c + ": output " + i + " is " + actual + " (q " + q + "), float gives " + expected[i] + ", bound "
                            + s.bound);
        }
    }

}
