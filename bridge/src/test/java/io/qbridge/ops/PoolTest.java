package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.InvalidModelException;
import io.qbridge.QbridgeException;
import io.qbridge.QuantParams;
import io.qbridge.UnsupportedModelException;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.plan.Planner;
import io.qbridge.testing.Backends;
import io.qbridge.testing.ModelRunner;
import io.qbridge.testing.OpGraphs;
import io.qbridge.tflite.schema.BuiltinOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static io.qbridge.testing.TfliteTestQuantization.dequantize;
import static io.qbridge.testing.TfliteTestQuantization.params;
import static io.qbridge.testing.TfliteTestQuantization.quantizeLite;
import static io.qbridge.testing.TfliteTestQuantization.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AVERAGE_POOL_2D and MAX_POOL_2D against the vectors of TFLite's
 * {@code tensorflow/lite/kernels/pooling_test.cc} ("lite") and TFLite Micro's
 * {@code tensorflow/lite/micro/kernels/pooling_test.cc} ("micro"), named after their tests.
 * <p>Randomized (fixed seeds, uint8 and int8, {@link FloatTwin}): the float op on the dequantized
 * input agrees with the dequantized quantized result within the error the output quantization
 * allows; results are identical for 1 and 3 threads and, on native backends, equal to java's byte
 * for byte ({@link io.qbridge.testing.JavaReference}).
 * <p>Bad operators are refused when the model is planned, with an exception that names the
 * operator (and the tensor or option at fault), never a crash later.
 */
class PoolTest {
    private static final int AVG = BuiltinOperator.AVERAGE_POOL_2D;
    private static final int MAX = BuiltinOperator.MAX_POOL_2D;
    private static final float[] PLANE = {0, 6, 2, 4, 3, 2, 10, 7};

    static Stream<Interpreter.Backend> backends() {
        return Backends.available();
    }

    private static float[] poolFloat(Interpreter.Backend backend, int op, int[] inShape, int[] outShape, int filter,
                                     int strideW, int strideH, Padding padding, Activation act, float[] input) {
        Graph g = OpGraphs.unary(op, new OpOptions.Pool2D(padding, strideW, strideH, filter, filter, act),
                DataType.FLOAT32, inShape, QuantParams.NONE, outShape, QuantParams.NONE);
        return ModelRunner.runFloats(g, backend, 1, input);
    }

    private static int[] poolQuantized(Interpreter.Backend backend, int op, DataType type, QuantParams q,
                                       int[] inShape, int[] outShape, int filter, int strideW, int strideH,
                                       Padding padding, Activation act, byte[] input) {
        Graph g = OpGraphs.unary(op, new OpOptions.Pool2D(padding, strideW, strideH, filter, filter, act),
                type, inShape, q, outShape, q);
        return values(ModelRunner.runBytes(g, backend, 1, input), type);
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    // ---- lite: tensorflow/lite/kernels/pooling_test.cc ----

    /** lite FloatPoolingOpTest.AveragePoolWithPad. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteFloatAveragePoolWithPad(Interpreter.Backend b) {
        float[] out = poolFloat(b, AVG, new int[] {1, 3, 4, 1}, new int[] {1, 2, 2, 1}, 2, 2, 2, Padding.SAME,
                Activation.RELU, new float[] {0, -6, 2, 4, 3, 2, -10, 7, 4, 8, 1, 2});
        assertArrayEquals(new float[] {0.0f, 0.75f, 6.0f, 1.5f}, out);
    }

    /** lite FloatPoolingOpTest.AveragePoolWithRELU6. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteFloatAveragePoolWithRelu6(Interpreter.Backend b) {
        float[] out = poolFloat(b, AVG, new int[] {1, 2, 4, 1}, new int[] {1, 1, 2, 1}, 2, 2, 2, Padding.SAME,
                Activation.RELU6, new float[] {0, -6, 2, 4, 3, 2, 10, 7});
        assertArrayEquals(new float[] {0.0f, 5.75f}, out);
    }

    /** lite FloatPoolingOpTest.AveragePoolWithRelu_N1_TO_1. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteFloatAveragePoolWithReluN1To1(Interpreter.Backend b) {
        float[] out = poolFloat(b, AVG, new int[] {1, 2, 4, 1}, new int[] {1, 1, 2, 1}, 2, 2, 2, Padding.SAME,
                Activation.RELU_N1_TO_1, new float[] {0, -6, 2, 4, 3, 2, -10, -7});
        assertArrayEquals(new float[] {-0.25f, -1.0f}, out);
    }

    /** lite FloatPoolingOpTest.AveragePoolWithStride (stride 1, SAME: edge windows are clipped). */
    @ParameterizedTest
    @MethodSource("backends")
    void liteFloatAveragePoolWithStride(Interpreter.Backend b) {
        float[] out = poolFloat(b, AVG, new int[] {1, 3, 4, 1}, new int[] {1, 3, 4, 1}, 2, 1, 1, Padding.SAME,
                Activation.RELU, new float[] {0, -6, 2, 4, 3, 2, -10, 7, 4, 8, 1, 2});
        assertArrayEquals(new float[] {0.0f, 0.0f, 0.75f, 5.5f, 4.25f, 0.25f, 0.0f, 4.5f, 6.0f, 4.5f, 1.5f, 2.0f},
                out);
    }

    /** lite FloatPoolingOpTest.AveragePool (VALID, stride 2). */
    @ParameterizedTest
    @MethodSource("backends")
    void liteFloatAveragePool(Interpreter.Backend b) {
        float[] out = poolFloat(b, AVG, new int[] {1, 2, 4, 1}, new int[] {1, 1, 2, 1}, 2, 2, 2, Padding.VALID,
                Activation.NONE, PLANE);
        assertArrayEquals(new float[] {2.75f, 5.75f}, out);
    }

    /** lite QuantizedPoolingOpTest.AveragePool: uint8 [0, 15.9375], expects {44, 92}. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteQuantizedAveragePool(Interpreter.Backend b) {
        QuantParams q = params(0f, 15.9375f, DataType.UINT8);
        int[] out = poolQuantized(b, AVG, DataType.UINT8, q, new int[] {1, 2, 4, 1}, new int[] {1, 1, 2, 1}, 2, 2, 2,
                Padding.VALID, Activation.NONE, quantizeLite(PLANE, q, DataType.UINT8));
        assertArrayEquals(new int[] {44, 92}, out);
    }

    /** lite QuantizedPoolingOpTest.AveragePoolImageSize16: a white 16x16 image pools to 255. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteQuantizedAveragePoolImageSize16(Interpreter.Backend b) {
        QuantParams q = params(0f, 16f, DataType.UINT8);
        float[] white = new float[16 * 16];
        java.util.Arrays.fill(white, 16f);
        int[] out = poolQuantized(b, AVG, DataType.UINT8, q, new int[] {1, 16, 16, 1}, new int[] {1, 1, 1, 1}, 16, 2,
                2, Padding.VALID, Activation.NONE, quantizeLite(white, q, DataType.UINT8));
        assertArrayEquals(new int[] {255}, out);
    }

    /**
     * lite QuantizedPoolingOpTest.AveragePoolImageSize17. TFLite's test expects 28 because its
     * optimized kernel overflows a uint16 accumulator; the reference kernel (which qbridge follows)
     * gives the true average, 255.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void liteQuantizedAveragePoolImageSize17ReferenceBehaviour(Interpreter.Backend b) {
        QuantParams q = params(0f, 16f, DataType.UINT8);
        float[] white = new float[17 * 17];
        java.util.Arrays.fill(white, 16f);
        int[] out = poolQuantized(b, AVG, DataType.UINT8, q, new int[] {1, 17, 17, 1}, new int[] {1, 1, 1, 1}, 17, 2,
                2, Padding.VALID, Activation.NONE, quantizeLite(white, q, DataType.UINT8));
        assertArrayEquals(new int[] {255}, out);
    }

    /** lite QuantizedPoolingOpTest.AveragePoolLargeDepth and MaxPoolLargeDepth: depth 1999, ramps of 1/512. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteQuantizedPoolLargeDepth(Interpreter.Backend b) {
        int depth = 1999;
        QuantParams q = params(0f, 15.9375f, DataType.UINT8);
        float[] input = depthRamp(PLANE, depth, 1f / 512f);
        for (boolean average : new boolean[] {true, false}) {
            int[] out = poolQuantized(b, average ? AVG : MAX, DataType.UINT8, q, new int[] {1, 2, 4, depth},
                    new int[] {1, 1, 2, depth}, 2, 2, 2, Padding.VALID, Activation.NONE,
                    quantizeLite(input, q, DataType.UINT8));
            float[] expected = depthRamp(average ? new float[] {2.75f, 5.75f} : new float[] {6f, 10f}, depth,
                    1f / 512f);
            for (int i = 0; i < out.length; i++) {
                assertEquals(expected[i], q.scale() * (out[i] - q.zeroPoint()), 1f / 32f, "element " + i);
            }
        }
    }

    /** The test's ReplicateDepthRamp: each value repeated along depth, plus depth * delta. */
    private static float[] depthRamp(float[] plane, int n, float delta) {
        float[] r = new float[plane.length * n];
        for (int i = 0; i < plane.length; i++) {
            for (int d = 0; d < n; d++) {
                r[n * i + d] = plane[i] + d * delta;
            }
        }
        return r;
    }

    /** lite QuantizedPoolingOpTest.SymmetricAveragePool: int8 [0, 15.9375], expects {44-128, 92-128}. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteSymmetricAveragePool(Interpreter.Backend b) {
        QuantParams q = params(0f, 15.9375f, DataType.INT8);
        int[] out = poolQuantized(b, AVG, DataType.INT8, q, new int[] {1, 2, 4, 1}, new int[] {1, 1, 2, 1}, 2, 2, 2,
                Padding.VALID, Activation.NONE, quantizeLite(PLANE, q, DataType.INT8));
        assertArrayEquals(new int[] {44 - 128, 92 - 128}, out);
        assertArrayEquals(new float[] {2.75f, 5.75f}, dequantize(bytes(out), q, DataType.INT8));
    }

    /** lite FloatPoolingOpTest.MaxPool. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteFloatMaxPool(Interpreter.Backend b) {
        float[] out = poolFloat(b, MAX, new int[] {1, 2, 4, 1}, new int[] {1, 1, 2, 1}, 2, 2, 2, Padding.VALID,
                Activation.NONE, PLANE);
        assertArrayEquals(new float[] {6f, 10f}, out);
    }

    /** lite QuantizedUInt8PoolingOpTest.MaxPool: expects {96, 160}. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteQuantizedUint8MaxPool(Interpreter.Backend b) {
        QuantParams q = params(0f, 15.9375f, DataType.UINT8);
        int[] out = poolQuantized(b, MAX, DataType.UINT8, q, new int[] {1, 2, 4, 1}, new int[] {1, 1, 2, 1}, 2, 2, 2,
                Padding.VALID, Activation.NONE, quantizeLite(PLANE, q, DataType.UINT8));
        assertArrayEquals(new int[] {96, 160}, out);
    }

    /** lite QuantizedInt8PoolingOpTest.MaxPool: expects {-80, -16} (3 and 7). */
    @ParameterizedTest
    @MethodSource("backends")
    void liteQuantizedInt8MaxPool(Interpreter.Backend b) {
        QuantParams q = params(0f, 15.9375f, DataType.INT8);
        int[] out = poolQuantized(b, MAX, DataType.INT8, q, new int[] {1, 2, 4, 1}, new int[] {1, 1, 2, 1}, 2, 2, 2,
                Padding.VALID, Activation.NONE,
                quantizeLite(new float[] {0, -6, 2, 4, 3, 2, -10, 7}, q, DataType.INT8));
        assertArrayEquals(new int[] {-80, -16}, out);
    }

    /**
     * lite FloatPoolingOpTest.AveragePoolWithTanh and AveragePoolWithSign: TFLite leaves these
     * fused activations unapplied; qbridge refuses them at load time instead of guessing.
     */
    @Test
    void fusedTanhAndSignBitAreRefused() {
        for (Activation act : new Activation[] {Activation.TANH, Activation.SIGN_BIT}) {
            Graph g = OpGraphs.unary(AVG, new OpOptions.Pool2D(Padding.SAME, 2, 2, 2, 2, act), DataType.FLOAT32,
                    new int[] {1, 2, 4, 1}, QuantParams.NONE, new int[] {1, 1, 2, 1}, QuantParams.NONE);
            assertThrows(UnsupportedModelException.class,
                    () -> ModelRunner.open(g, Interpreter.Backend.JAVA, 1).close());
        }
    }

    // ---- micro: tensorflow/lite/micro/kernels/pooling_test.cc ----

    private static final int[] MICRO_IN = {1, 2, 4, 1};
    private static final byte[] MICRO_INT8 = bytes(0, -24, 8, 16, 12, 8, -40, 28);
    private static final byte[] MICRO_INT8_B = bytes(12, -24, 32, 16, 12, 8, 40, 28);

    /** micro PoolingTest.SimpleAveragePoolTestFloat. */
    @ParameterizedTest
    @MethodSource("backends")
    void microSimpleAveragePoolTestFloat(Interpreter.Backend b) {
        assertArrayEquals(new float[] {2.75f, 5.75f}, poolFloat(b, AVG, MICRO_IN, new int[] {1, 1, 2, 1}, 2, 2, 2,
                Padding.VALID, Activation.NONE, PLANE));
    }

    /** micro PoolingTest.SimpleAveragePoolTestInt8PaddingValidStride2ActNone. */
    @ParameterizedTest
    @MethodSource("backends")
    void microAveragePoolInt8PaddingValidStride2ActNone(Interpreter.Backend b) {
        assertArrayEquals(new int[] {-1, 3}, poolQuantized(b, AVG, DataType.INT8, QuantParams.perTensor(.25f, 0),
                MICRO_IN, new int[] {1, 1, 2, 1}, 2, 2, 2, Padding.VALID, Activation.NONE, MICRO_INT8));
    }

    /** micro PoolingTest.SimpleAveragePoolTestInt8PaddingValidStride1Stride2Relu (stride w 1, h 2). */
    @ParameterizedTest
    @MethodSource("backends")
    void microAveragePoolInt8PaddingValidStride1Stride2Relu(Interpreter.Backend b) {
        assertArrayEquals(new int[] {0, 0, 3}, poolQuantized(b, AVG, DataType.INT8, QuantParams.perTensor(.25f, 0),
                MICRO_IN, new int[] {1, 1, 3, 1}, 2, 1, 2, Padding.VALID, Activation.RELU, MICRO_INT8));
    }

    /** micro PoolingTest.SimpleAveragePoolTestInt8PaddingValidStride2Stride1ReluN1To1 (stride w 2, h 1). */
    @ParameterizedTest
    @MethodSource("backends")
    void microAveragePoolInt8PaddingValidStride2Stride1ReluN1To1(Interpreter.Backend b) {
        assertArrayEquals(new int[] {-1, 3}, poolQuantized(b, AVG, DataType.INT8, QuantParams.perTensor(.25f, 0),
                MICRO_IN, new int[] {1, 1, 2, 1}, 2, 2, 1, Padding.VALID, Activation.RELU_N1_TO_1, MICRO_INT8));
    }

    /** micro PoolingTest.SimpleAveragePoolTestInt8PaddingValidStride2Relu6. */
    @ParameterizedTest
    @MethodSource("backends")
    void microAveragePoolInt8PaddingValidStride2Relu6(Interpreter.Backend b) {
        assertArrayEquals(new int[] {2, 24}, poolQuantized(b, AVG, DataType.INT8, QuantParams.perTensor(.25f, 0),
                MICRO_IN, new int[] {1, 1, 2, 1}, 2, 2, 2, Padding.VALID, Activation.RELU6, MICRO_INT8_B));
    }

    /**
     * micro PoolingTest.SimpleAveragePoolTestInt8PaddingSameStride1ActNone. Micro passes VALID
     * with a 2x4 output (it trusts the given output shape); that shape is SAME's, whose top/left
     * padding here is 0, so it runs as SAME.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void microAveragePoolInt8PaddingSameStride1ActNone(Interpreter.Backend b) {
        assertArrayEquals(new int[] {2, 14, 29, 22, 10, 24, 34, 28}, poolQuantized(b, AVG, DataType.INT8,
                QuantParams.perTensor(.25f, 0), MICRO_IN, new int[] {1, 2, 4, 1}, 2, 1, 1, Padding.SAME,
                Activation.NONE, MICRO_INT8_B));
    }

    /** micro PoolingTest.SimpleMaxPoolTestFloat. */
    @ParameterizedTest
    @MethodSource("backends")
    void microSimpleMaxPoolTestFloat(Interpreter.Backend b) {
        assertArrayEquals(new float[] {6, 10}, poolFloat(b, MAX, MICRO_IN, new int[] {1, 1, 2, 1}, 2, 2, 2,
                Padding.VALID, Activation.NONE, PLANE));
    }

    /** micro PoolingTest.SimpleMaxPoolTestFloatRelu. */
    @ParameterizedTest
    @MethodSource("backends")
    void microSimpleMaxPoolTestFloatRelu(Interpreter.Backend b) {
        assertArrayEquals(new float[] {0, 10.5f}, poolFloat(b, MAX, MICRO_IN, new int[] {1, 1, 2, 1}, 2, 2, 2,
                Padding.VALID, Activation.RELU, new float[] {-1, -6, 2, 4, -3, -2, 10.5f, 7}));
    }

    /** micro PoolingTest.SimpleMaxPoolTestFloatReluN1To1 (two inputs). */
    @ParameterizedTest
    @MethodSource("backends")
    void microSimpleMaxPoolTestFloatReluN1To1(Interpreter.Backend b) {
        assertArrayEquals(new float[] {-1.0f, 0.7f}, poolFloat(b, MAX, MICRO_IN, new int[] {1, 1, 2, 1}, 2, 2, 2,
                Padding.VALID, Activation.RELU_N1_TO_1, new float[] {-2.75f, -6, 0.2f, 0.4f, -3, -2, -0.3f, 0.7f}));
        assertArrayEquals(new float[] {-1.0f, 1.0f}, poolFloat(b, MAX, MICRO_IN, new int[] {1, 1, 2, 1}, 2, 2, 2,
                Padding.VALID, Activation.RELU_N1_TO_1, new float[] {-2.75f, -6, -2, -4, -3, -2, 10, -7}));
    }

    /** micro PoolingTest.SimpleMaxPoolTestFloatRelu6 (two inputs). */
    @ParameterizedTest
    @MethodSource("backends")
    void microSimpleMaxPoolTestFloatRelu6(Interpreter.Backend b) {
        assertArrayEquals(new float[] {0, 6}, poolFloat(b, MAX, MICRO_IN, new int[] {1, 1, 2, 1}, 2, 2, 2,
                Padding.VALID, Activation.RELU6, new float[] {-1.5f, -6, 12, 4, -3, -2, 10, 7}));
        assertArrayEquals(new float[] {4.5f, 6}, poolFloat(b, MAX, MICRO_IN, new int[] {1, 1, 2, 1}, 2, 2, 2,
                Padding.VALID, Activation.RELU6, new float[] {0, 4.5f, 12, 4, 3, 2, 10, 7}));
    }

    /** micro PoolingTest.SimpleMaxPoolTestPaddingSameStride1. */
    @ParameterizedTest
    @MethodSource("backends")
    void microSimpleMaxPoolTestPaddingSameStride1(Interpreter.Backend b) {
        assertArrayEquals(new float[] {6, 10, 10, 7, 3, 10, 10, 7}, poolFloat(b, MAX, MICRO_IN,
                new int[] {1, 2, 4, 1}, 2, 1, 1, Padding.SAME, Activation.NONE, PLANE));
    }

    /** micro PoolingTest.SimpleMaxPoolTestPaddingValidStride1. */
    @ParameterizedTest
    @MethodSource("backends")
    void microSimpleMaxPoolTestPaddingValidStride1(Interpreter.Backend b) {
        assertArrayEquals(new float[] {6, 10, 10}, poolFloat(b, MAX, MICRO_IN, new int[] {1, 1, 3, 1}, 2, 1, 1,
                Padding.VALID, Activation.NONE, PLANE));
    }

    /** micro PoolingTest.SimpleMaxPoolTestInt8ActNone. */
    @ParameterizedTest
    @MethodSource("backends")
    void microSimpleMaxPoolTestInt8ActNone(Interpreter.Backend b) {
        assertArrayEquals(new int[] {6, 10}, poolQuantized(b, MAX, DataType.INT8, QuantParams.perTensor(1f, 0),
                MICRO_IN, new int[] {1, 1, 2, 1}, 2, 2, 2, Padding.VALID, Activation.NONE,
                bytes(0, 6, 2, 4, 3, 2, 10, 7)));
    }

    /** micro PoolingTest.MaxPoolTestInt8ActRelu. */
    @ParameterizedTest
    @MethodSource("backends")
    void microMaxPoolTestInt8ActRelu(Interpreter.Backend b) {
        assertArrayEquals(new int[] {0, 20}, poolQuantized(b, MAX, DataType.INT8, QuantParams.perTensor(.5f, 0),
                MICRO_IN, new int[] {1, 1, 2, 1}, 2, 2, 2, Padding.VALID, Activation.RELU,
                bytes(-3, -12, 4, 8, -6, -4, 20, 14)));
    }

    /** micro PoolingTest.MaxPoolTestInt8ActReluN1To1. */
    @ParameterizedTest
    @MethodSource("backends")
    void microMaxPoolTestInt8ActReluN1To1(Interpreter.Backend b) {
        assertArrayEquals(new int[] {-1, 1}, poolQuantized(b, MAX, DataType.INT8, QuantParams.perTensor(1f, 0),
                MICRO_IN, new int[] {1, 1, 2, 1}, 2, 2, 2, Padding.VALID, Activation.RELU_N1_TO_1,
                bytes(-2, -6, -2, -4, -3, -2, 10, 7)));
    }

    /** micro PoolingTest.MaxPoolTestInt8ActRelu6. */
    @ParameterizedTest
    @MethodSource("backends")
    void microMaxPoolTestInt8ActRelu6(Interpreter.Backend b) {
        assertArrayEquals(new int[] {0, 6}, poolQuantized(b, MAX, DataType.INT8, QuantParams.perTensor(1f, 0),
                MICRO_IN, new int[] {1, 1, 2, 1}, 2, 2, 2, Padding.VALID, Activation.RELU6,
                bytes(0, -6, 12, 4, -3, -2, 10, 7)));
    }

    // ---------------------------------------------------------------- randomized

    static Stream<Object[]> randomCases() {
        return FloatTwin.cases(FloatTwin.Kind.AVERAGE_POOL, FloatTwin.Kind.MAX_POOL);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("randomCases")
    void quantizedMatchesFloatWithinQuantizationError(Interpreter.Backend backend, FloatTwin.Case c) {
        FloatTwin.assertQuantizedMatchesFloat(backend, c, (r, inQ) -> randomSetup(c.kind(), r, c.type(), inQ));
    }

    /** One random op of the kind for {@link FloatTwin}: shapes, options, output parameters, error bound. */
    private static FloatTwin.Setup randomSetup(FloatTwin.Kind kind, Random r, DataType t, QuantParams inQ) {
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
                boolean average = kind == FloatTwin.Kind.AVERAGE_POOL;
                // The average of quanta rounds once (half a step); the maximum is exact, except where
                // RELU6 / RELU_N1_TO_1 clamp at a bound that is itself rounded to a quantum.
                boolean roundedClamp = act == Activation.RELU6 || act == Activation.RELU_N1_TO_1;
                float bound = average || roundedClamp ? 0.5f * inQ.scale() : 0f;
                return new FloatTwin.Setup(average ? BuiltinOperator.AVERAGE_POOL_2D : BuiltinOperator.MAX_POOL_2D,
                        new OpOptions.Pool2D(padding, sw, sh, fw, fh, act), new int[] {b, h, w, ch},
                        new int[] {b, oh, ow, ch}, null, false, inQ, inQ, bound);
            }
            default:
                throw new IllegalArgumentException(kind.toString());
        }
    }

    // ---------------------------------------------------------------- refused operators

    private static final QuantParams Q = QuantParams.perTensor(0.1f, 3);

    private static <T extends QbridgeException> void assertRefused(Class<T> type, Graph g, String... fragments) {
        T e = assertThrows(type, () -> Planner.plan(g));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void poolWithZeroFilterOrStride() {
        Graph g = OpGraphs.unary(BuiltinOperator.AVERAGE_POOL_2D, new OpOptions.Pool2D(Padding.VALID, 1, 1, 0, 2,
                Activation.NONE), DataType.FLOAT32, new int[] {1, 4, 4, 1}, QuantParams.NONE, new int[] {1, 3, 4, 1},
                QuantParams.NONE);
        assertRefused(InvalidModelException.class, g, "operator 0 (AVERAGE_POOL_2D)", "filter 2x0");
        Graph s = OpGraphs.unary(BuiltinOperator.MAX_POOL_2D, new OpOptions.Pool2D(Padding.SAME, 0, 1, 2, 2,
                Activation.NONE), DataType.FLOAT32, new int[] {1, 4, 4, 1}, QuantParams.NONE, new int[] {1, 4, 4, 1},
                QuantParams.NONE);
        assertRefused(InvalidModelException.class, s, "operator 0 (MAX_POOL_2D)", "stride 1x0");
    }

    @Test
    void poolOutputShapeAndRank() {
        Graph g = OpGraphs.unary(BuiltinOperator.MAX_POOL_2D, new OpOptions.Pool2D(Padding.VALID, 2, 2, 2, 2,
                Activation.NONE), DataType.INT8, new int[] {1, 4, 4, 3}, Q, new int[] {1, 3, 3, 3}, Q);
        assertRefused(InvalidModelException.class, g, "operator 0 (MAX_POOL_2D)", "[1, 2, 2, 3]");
        Graph r = OpGraphs.unary(BuiltinOperator.MAX_POOL_2D, new OpOptions.Pool2D(Padding.VALID, 2, 2, 2, 2,
                Activation.NONE), DataType.INT8, new int[] {4, 4, 3}, Q, new int[] {2, 2, 3}, Q);
        assertRefused(InvalidModelException.class, r, "operator 0 (MAX_POOL_2D)", "rank 3");
    }

    @Test
    void quantizedPoolMustKeepInputParameters() {
        Graph g = OpGraphs.unary(BuiltinOperator.AVERAGE_POOL_2D, new OpOptions.Pool2D(Padding.VALID, 2, 2, 2, 2,
                Activation.NONE), DataType.UINT8, new int[] {1, 4, 4, 3}, Q, new int[] {1, 2, 2, 3},
                QuantParams.perTensor(0.2f, 3));
        assertRefused(InvalidModelException.class, g, "operator 0 (AVERAGE_POOL_2D)", "input's parameters");
    }
}
