package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.numerics.QuantMath;
import io.qbridge.testing.Backends;
import io.qbridge.testing.ModelRunner;
import io.qbridge.testing.OpGraphs;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Randomized AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, SOFTMAX, LOGISTIC, TANH, RELU and RELU6 (fixed
 * seeds, uint8 and int8): the float op run on the dequantized quantized input must agree with the
 * dequantized quantized result within the error the output quantization allows (stated per op),
 * and quantized and float results must be identical for 1 and 3 threads. Shapes include batch > 1,
 * odd channel counts, strides, both paddings, negative and repeated axes; zero points reach the
 * ends of their range.
 */
class PoolActivationMeanRandomizedTest {
    enum Kind { AVERAGE_POOL, MAX_POOL, MEAN, SOFTMAX, LOGISTIC, TANH, RELU, RELU6 }

    record Case(Kind kind, int seed, DataType type) {
        @Override
        public String toString() {
            return kind + " " + type + " seed " + seed;
        }
    }

    static Stream<Object[]> cases() {
        List<Object[]> list = new ArrayList<>();
        for (Interpreter.Backend backend : Backends.available().toList()) {
            for (Kind kind : Kind.values()) {
                for (int seed = 1; seed <= 10; seed++) {
                    list.add(new Object[] {backend, new Case(kind, seed, seed % 2 == 0 ? DataType.INT8 : DataType.UINT8)});
                }
            }
        }
        return list.stream();
    }

    /** One random op: its graph (quantized or float twin) and the bound on |dequantized - float|. */
    private record Setup(int op, OpOptions options, int[] inShape, int[] outShape, int[] axes, boolean keepDims,
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

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void quantizedMatchesFloatWithinQuantizationError(Interpreter.Backend backend, Case c) {
        Random r = new Random(c.seed * 1_000_003L + c.kind.ordinal());
        DataType t = c.type;
        float inMin = -r.nextFloat() * 8;
        float inMax = r.nextFloat() * 8 + 0.05f;
        if (r.nextInt(4) == 0) {
            inMin = 0;        // zero point at the low end
        } else if (r.nextInt(4) == 0) {
            inMax = 0.001f;   // zero point near the high end
        }
        QuantParams inQ = ConvTest.params(inMin, inMax, t);
        Setup s = setup(c.kind, r, t, inQ);

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

    private static Setup setup(Kind kind, Random r, DataType t, QuantParams inQ) {
        switch (kind) {
            case AVERAGE_POOL:
            case MAX_POOL: {
                int b = 1 + r.nextInt(2), h = 1 + r.nextInt(11), w = 1 + r.nextInt(11), ch = 1 + r.nextInt(7);
                int fh = 1 + r.nextInt(4), fw = 1 + r.nextInt(4), sh = 1 + r.nextInt(3), sw = 1 + r.nextInt(3);
                Padding padding = r.nextBoolean() ? Padding.SAME : Padding.VALID;
                if (padding == Padding.VALID) {
                    h = Math.max(h, fh);
                    w = Math.max(w, fw);
                }
                int oh = padding == Padding.SAME ? (h + sh - 1) / sh : (h - fh + sh) / sh;
                int ow = padding == Padding.SAME ? (w + sw - 1) / sw : (w - fw + sw) / sw;
                Activation act = new Activation[] {Activation.NONE, Activation.RELU, Activation.RELU6,
                        Activation.RELU_N1_TO_1}[r.nextInt(4)];
                boolean average = kind == Kind.AVERAGE_POOL;
                // The average of quanta rounds once (half a step); the maximum is exact, except where
                // RELU6 / RELU_N1_TO_1 clamp at a bound that is itself rounded to a quantum.
                boolean roundedClamp = act == Activation.RELU6 || act == Activation.RELU_N1_TO_1;
                float bound = average || roundedClamp ? 0.5f * inQ.scale() : 0f;
                return new Setup(average ? BuiltinOperator.AVERAGE_POOL_2D : BuiltinOperator.MAX_POOL_2D,
                        new OpOptions.Pool2D(padding, sw, sh, fw, fh, act), new int[] {b, h, w, ch},
                        new int[] {b, oh, ow, ch}, null, false, inQ, inQ, bound);
            }
            case MEAN: {
                int rank = 1 + r.nextInt(4);
                int[] shape = new int[rank];
                for (int d = 0; d < rank; d++) {
                    shape[d] = 1 + r.nextInt(d == rank - 1 ? 13 : 6);
                }
                List<Integer> axes = new ArrayList<>();
                boolean[] reduced = new boolean[rank];
                for (int d = 0; d < rank; d++) {
                    if (r.nextBoolean()) {
                        axes.add(r.nextBoolean() ? d : d - rank);
                        reduced[d] = true;
                    }
                }
                if (axes.isEmpty()) {
                    axes.add(0);
                    reduced[0] = true;
                }
                if (r.nextInt(3) == 0) {
                    axes.add(axes.get(0));                       // repeated axis
                }
                boolean keepDims = r.nextBoolean();
                List<Integer> out = new ArrayList<>();
                for (int d = 0; d < rank; d++) {
                    if (!reduced[d]) {
                        out.add(shape[d]);
                    } else if (keepDims) {
                        out.add(1);
                    }
                }
                float outScale = inQ.scale() * (0.3f + r.nextFloat() * 2f);
                int outZp = t.minValue() + r.nextInt(256);
                QuantParams outQ = QuantParams.perTensor(outScale, outZp);
                // One output rounding plus the double rounding of MultiplyByQuantizedMultiplier.
                return new Setup(BuiltinOperator.MEAN, null, shape, out.stream().mapToInt(Integer::intValue).toArray(),
                        axes.stream().mapToInt(Integer::intValue).toArray(), keepDims, inQ, outQ, outScale);
            }
            case SOFTMAX: {
                int rank = 1 + r.nextInt(4);
                int[] shape = new int[rank];
                for (int d = 0; d < rank - 1; d++) {
                    shape[d] = 1 + r.nextInt(3);
                }
                shape[rank - 1] = 1 + r.nextInt(r.nextBoolean() ? 10 : 300);
                float beta = r.nextBoolean() ? 1f : 0.2f + r.nextFloat() * 2;
                QuantParams outQ = QuantParams.perTensor(1f / 256, t == DataType.UINT8 ? 0 : -128);
                return new Setup(BuiltinOperator.SOFTMAX, new OpOptions.Softmax(beta), shape, shape, null, false, inQ,
                        outQ, 1f / 256);
            }
            case LOGISTIC:
            case TANH: {
                int[] shape = {1 + r.nextInt(3), 1 + r.nextInt(40)};
                boolean tanh = kind == Kind.TANH;
                QuantParams outQ = tanh ? QuantParams.perTensor(1f / 128, t == DataType.UINT8 ? 128 : 0)
                        : QuantParams.perTensor(1f / 256, t == DataType.UINT8 ? 0 : -128);
                // Output rounding (half a step) plus gemmlowp's approximation error (well under a step).
                return new Setup(tanh ? BuiltinOperator.TANH : BuiltinOperator.LOGISTIC, OpOptions.None.INSTANCE, shape,
                        shape, null, false, inQ, outQ, outQ.scale());
            }
            case RELU:
            case RELU6:
            default: {
                int[] shape = {1 + r.nextInt(2), 1 + r.nextInt(5), 1 + r.nextInt(33)};
                float outMin = kind == Kind.RELU6 ? -r.nextFloat() : 0;
                float outMax = (kind == Kind.RELU6 ? 6f : 8f) * (0.5f + r.nextFloat());
                QuantParams outQ = ConvTest.params(outMin, outMax, t);
                return new Setup(kind == Kind.RELU ? BuiltinOperator.RELU : BuiltinOperator.RELU6,
                        OpOptions.None.INSTANCE, shape, shape, null, false, inQ, outQ, outQ.scale());
            }
        }
    }
}
