package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.InvalidModelException;
import io.qbridge.QbridgeException;
import io.qbridge.QuantParams;
import io.qbridge.UnsupportedModelException;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.plan.Planner;
import io.qbridge.testing.Backends;
import io.qbridge.testing.ModelRunner;
import io.qbridge.testing.OpGraphs;
import io.qbridge.tflite.schema.BuiltinOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.qbridge.testing.TfliteTestQuantization.dequantize;
import static io.qbridge.testing.TfliteTestQuantization.params;
import static io.qbridge.testing.TfliteTestQuantization.quantizeLite;
import static io.qbridge.testing.TfliteTestQuantization.quantizeMicro;
import static io.qbridge.testing.TfliteTestQuantization.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MEAN against the vectors of TFLite's {@code tensorflow/lite/kernels/reduce_test.cc} ("lite")
 * and TFLite Micro's {@code tensorflow/lite/micro/kernels/reduce_test.cc} ("micro"), named after
 * their tests. Tolerances are the tests' own (lite: {@code GetTolerance(min, max)} = (max - min) /
 * 255 on dequantized values; micro: 1 quantum). Where a source test lets TFLite resize the output
 * or feeds the axis at run time, the graph here states the shape TFLite computes and a constant
 * axis. Exact outputs of qbridge's (TFLite-reference) integer arithmetic are pinned where noted.
 * <p>Randomized (fixed seeds, uint8 and int8, {@link FloatTwin}): the float op on the dequantized
 * input agrees with the dequantized quantized result within the error the output quantization
 * allows; results are identical for 1 and 3 threads and, on native backends, equal to java's byte
 * for byte ({@link io.qbridge.testing.JavaReference}).
 * <p>Bad operators are refused when the model is planned, with an exception that names the
 * operator (and the tensor or option at fault), never a crash later.
 */
class MeanTest {
    private static final float[] SEQ24 = new float[24];

    static {
        for (int i = 0; i < 24; i++) {
            SEQ24[i] = i + 1;
        }
    }

    static Stream<Interpreter.Backend> backends() {
        return Backends.available();
    }

    private static float[] meanFloat(Interpreter.Backend b, int[] inShape, int[] axes, boolean keepDims,
                                     int[] outShape, float[] input) {
        Graph g = OpGraphs.mean(DataType.FLOAT32, inShape, QuantParams.NONE, axes, keepDims, outShape,
                QuantParams.NONE);
        return ModelRunner.runFloats(g, b, 1, input);
    }

    /** Runs a lite-style quantized case and checks the dequantized output within (max - min) / 255. */
    private static byte[] meanLite(Interpreter.Backend b, DataType type, int[] inShape, float inMin, float inMax,
                                   int[] axes, boolean keepDims, int[] outShape, float outMin, float outMax,
                                   float[] input, float[] expected, float tolMin, float tolMax) {
        QuantParams inQ = params(inMin, inMax, type);
        QuantParams outQ = params(outMin, outMax, type);
        Graph g = OpGraphs.mean(type, inShape, inQ, axes, keepDims, outShape, outQ);
        byte[] out = ModelRunner.runBytes(g, b, 1, quantizeLite(input, inQ, type));
        float[] actual = dequantize(out, outQ, type);
        float tolerance = (tolMax - tolMin) / 255f;
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, "element " + i);
        }
        return out;
    }

    // ---- lite: tensorflow/lite/kernels/reduce_test.cc ----

    /** lite ConstFloatMeanOpTest.NotKeepDims (axes {1, 0, -3, -3}: negative and repeated). */
    @ParameterizedTest
    @MethodSource("backends")
    void liteConstFloatNotKeepDims(Interpreter.Backend b) {
        assertArrayEquals(new float[] {12, 13},
                meanFloat(b, new int[] {4, 3, 2}, new int[] {1, 0, -3, -3}, false, new int[] {2}, SEQ24));
    }

    /** lite ConstFloatMeanOpTest.KeepDims. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteConstFloatKeepDims(Interpreter.Backend b) {
        assertArrayEquals(new float[] {10.5f, 12.5f, 14.5f},
                meanFloat(b, new int[] {4, 3, 2}, new int[] {0, 2}, true, new int[] {1, 3, 1}, SEQ24));
    }

    /** lite ConstFloatMeanOpTest.KeepDims4DMean (the H,W case). */
    @ParameterizedTest
    @MethodSource("backends")
    void liteConstFloatKeepDims4DMean(Interpreter.Backend b) {
        assertArrayEquals(new float[] {6, 7, 18, 19},
                meanFloat(b, new int[] {2, 2, 3, 2}, new int[] {1, 2}, true, new int[] {2, 1, 1, 2}, SEQ24));
    }

    /** lite ConstFloatMeanOpTest.ScalarAxis. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteConstFloatScalarAxis(Interpreter.Backend b) {
        assertArrayEquals(new float[] {3f},
                meanFloat(b, new int[] {2}, new int[] {0}, true, new int[] {1}, new float[] {4f, 2f}));
    }

    /** lite ConstFloatMeanOpTest.Scalar: a rank-0 input with a rank-0 axis tensor. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteConstFloatScalar(Interpreter.Backend b) {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("input", DataType.FLOAT32, new int[0], QuantParams.NONE);
        int axis = g.constantInt32("axis", new int[0], QuantParams.NONE, new int[] {0});
        int out = g.tensor("output", DataType.FLOAT32, new int[0], QuantParams.NONE);
        g.op(BuiltinOperator.MEAN, new int[] {in, axis}, new int[] {out}, new OpOptions.Reducer(true));
        g.output(out);
        assertArrayEquals(new float[] {3.27f}, ModelRunner.runFloats(g.build(), b, 1, new float[] {3.27f}));
    }

    /** lite DynamicFloatMeanOpTest.ReduceOnLastDimNotKeepDims (axis given as a constant). */
    @ParameterizedTest
    @MethodSource("backends")
    void liteDynamicFloatReduceOnLastDimNotKeepDims(Interpreter.Backend b) {
        assertArrayEquals(new float[] {1.5f, 3.5f, 5.5f, 7.5f, 9.5f, 11.5f, 13.5f, 15.5f, 17.5f, 19.5f, 21.5f, 23.5f},
                meanFloat(b, new int[] {4, 3, 2}, new int[] {2}, false, new int[] {4, 3}, SEQ24));
    }

    /** lite DynamicFloatMeanOpTest.Scale (axis given as a constant). */
    @ParameterizedTest
    @MethodSource("backends")
    void liteDynamicFloatScale(Interpreter.Backend b) {
        assertArrayEquals(new float[] {9.527f},
                meanFloat(b, new int[] {1}, new int[] {0}, true, new int[] {1}, new float[] {9.527f}));
    }

    /** lite ConstFloatMeanOpTest.KeepDims4DMeanUInt8. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteKeepDims4DMeanUInt8(Interpreter.Backend b) {
        meanLite(b, DataType.UINT8, new int[] {1, 2, 2, 3}, -1, 1, new int[] {1, 2}, true, new int[] {1, 1, 1, 3},
                -1, 1, new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.2f, 0.3f, 0.4f},
                new float[] {0.25098f, 0.25098f, 0.25098f}, -1, 1);
    }

    private static final float[] LARGE_DEPTH = {
        0.1f, 0.2f, 0.3f, 0.4f, 0.2f, 0.3f, 0.4f, 0.5f, 0.1f, 0.1f, 0.1f, 0.1f, 0.4f, 0.2f, 0.2f,
        0.2f, 0.9f, 0.9f, 0.9f, 0.9f, 0.2f, 0.3f, 0.7f, 0.7f, 0.1f, 0.1f, 0.3f, 0.3f, 0.1f, 0.2f,
        0.3f, 0.4f, 0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.2f, 0.3f, 0.4f, 0.2f, 0.3f, 0.4f, 0.5f, 0.1f,
        0.1f, 0.1f, 0.1f, 0.4f, 0.2f, 0.2f, 0.2f, 0.9f, 0.9f, 0.9f, 0.9f, 0.2f, 0.3f, 0.7f, 0.7f,
        0.1f, 0.1f, 0.3f, 0.3f, 0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.2f, 0.3f, 0.4f};
    private static final float[] LARGE_DEPTH_MEAN = {
        0.5f, 0.55f, 0.25f, 0.35f, 0.45f, 0.5f, 0.25f, 0.3f, 0.2f, 0.2f, 0.1f,
        0.15f, 0.35f, 0.3f, 0.15f, 0.2f, 0.6f, 0.65f};

    /** lite ConstFloatMeanOpTest.KeepDims4DMeanLargeDepthUInt8. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteKeepDims4DMeanLargeDepthUInt8(Interpreter.Backend b) {
        meanLite(b, DataType.UINT8, new int[] {1, 2, 2, 18}, -1, 1, new int[] {1, 2}, true, new int[] {1, 1, 1, 18},
                -1, 1, LARGE_DEPTH, LARGE_DEPTH_MEAN, -5, 5);
    }

    /** lite ConstFloatMeanOpTest.KeepDims4DMeanLargeDepthInt8. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteKeepDims4DMeanLargeDepthInt8(Interpreter.Backend b) {
        meanLite(b, DataType.INT8, new int[] {1, 2, 2, 18}, -1, 1, new int[] {1, 2}, true, new int[] {1, 1, 1, 18},
                -1, 1, LARGE_DEPTH, LARGE_DEPTH_MEAN, -5, 5);
    }

    /** lite ConstFloatMeanOpTest.KeepDims4DMeanQuantized: input [0, 1], output [-5, 5]. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteKeepDims4DMeanQuantized(Interpreter.Backend b) {
        meanLite(b, DataType.UINT8, new int[] {1, 2, 3, 2}, 0, 1, new int[] {1, 2}, true, new int[] {1, 1, 1, 2},
                -5, 5, new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.2f, 0.3f, 0.4f},
                new float[] {0.235294f, 0.313726f}, -5, 5);
    }

    /** lite ConstUint8MeanOpTest.NotKeepDims. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteConstUint8NotKeepDims(Interpreter.Backend b) {
        meanLite(b, DataType.UINT8, new int[] {1, 3, 2}, -1, 1, new int[] {1}, false, new int[] {1, 2}, -1, 1,
                new float[] {0.4f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}, new float[] {0.4f, 0.4f}, -1, 1);
    }

    /** lite ConstUint8MeanOpTest.KeepDims. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteConstUint8KeepDims(Interpreter.Backend b) {
        meanLite(b, DataType.UINT8, new int[] {3, 2}, -1, 1, new int[] {1}, true, new int[] {3, 1}, -1, 1,
                new float[] {0.4f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}, new float[] {0.3f, 0.35f, 0.55f}, -1, 1);
    }

    /** lite ConstUint8MeanOpTest.QuantizedKeepDims: input [0, 1], output [-5, 5]. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteConstUint8QuantizedKeepDims(Interpreter.Backend b) {
        meanLite(b, DataType.UINT8, new int[] {3, 2}, 0, 1, new int[] {1}, true, new int[] {3, 1}, -5, 5,
                new float[] {0.4f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}, new float[] {0.3f, 0.35f, 0.55f}, -5, 5);
    }

    /** lite ConstMeanOpTestSameScale.NonSpecialAxisSameScaleInt8 (MeanOpConstModelTest<int8_t>): exact. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteNonSpecialAxisSameScaleInt8(Interpreter.Backend b) {
        float[] data = {105.0f, 71.0f, 233.0f, 92.0f, 227.0f, 11.0f, 14.0f, 43.0f};
        byte[] out = meanLite(b, DataType.INT8, new int[] {1, 1, 2, 4}, 0, 255, new int[] {1}, false,
                new int[] {1, 2, 4}, 0, 255, data, data, -5, 5);
        // Averaging over a size-1 axis with equal scales is the identity: q = value - 128.
        assertArrayEquals(new int[] {-23, -57, 105, -36, 99, -117, -114, -85}, values(out, DataType.INT8));
    }

    /**
     * lite reduce_test.cc's ConstMeanOpTestNonSameScale&lt;int8_t&gt; body (axes {1, 3}, input [-1, 1],
     * output [-5, 5]); the file defines it but its TEST_F calls the same-scale body instead.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void liteConstMeanNonSameScaleInt8(Interpreter.Backend b) {
        meanLite(b, DataType.INT8, new int[] {1, 1, 2, 4}, -1, 1, new int[] {1, 3}, false, new int[] {1, 2}, -5, 5,
                new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f}, new float[] {0.25f, 0.65f}, -5, 5);
    }

    private static final float[] SAME_SCALE_DATA = {
        0.1f, 0.2f, 0.3f, 0.4f, 0.2f, 0.3f, 0.4f, 0.5f, 0.1f,
        0.1f, 0.1f, 0.1f, 0.4f, 0.2f, 0.2f, 0.2f, 0.9f, 0.9f,
        0.9f, 0.9f, 0.2f, 0.3f, 0.7f, 0.7f, 0.1f, 0.1f, 0.3f,
        0.3f, 0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.2f, 0.3f, 0.4f};
    private static final float[] SAME_SCALE_MEAN = {0.35f, 0.325f, 0.2f, 0.35f, 0.375f, 0.325f, 0.225f, 0.45f, 0.425f};

    /** lite reduce_test.cc's MeanOpTestQuantizedSameScale&lt;int8_t&gt; body (H,W axes, keep_dims). */
    @ParameterizedTest
    @MethodSource("backends")
    void liteQuantizedSameScaleInt8(Interpreter.Backend b) {
        meanLite(b, DataType.INT8, new int[] {1, 2, 2, 9}, -1, 1, new int[] {1, 2}, true, new int[] {1, 1, 1, 9},
                -1, 1, SAME_SCALE_DATA, SAME_SCALE_MEAN, -5, 5);
    }

    /** lite reduce_test.cc's MeanOpTestQuantizedDifferentScale&lt;int8_t&gt; body (output [-4, 4]). */
    @ParameterizedTest
    @MethodSource("backends")
    void liteQuantizedDifferentScaleInt8(Interpreter.Backend b) {
        meanLite(b, DataType.INT8, new int[] {1, 2, 2, 9}, -1, 1, new int[] {1, 2}, true, new int[] {1, 1, 1, 9},
                -4, 4, SAME_SCALE_DATA, SAME_SCALE_MEAN, -5, 5);
    }

    /** lite DynamicUint8MeanOpTest.NotKeepDims (axis given as a constant). */
    @ParameterizedTest
    @MethodSource("backends")
    void liteDynamicUint8NotKeepDims(Interpreter.Backend b) {
        meanLite(b, DataType.UINT8, new int[] {2, 2}, -5, 2, new int[] {1}, false, new int[] {2}, -5, 2,
                new float[] {1.3f, -4.8f, -3.6f, 0.24f}, new float[] {-1.75f, -1.68f}, -5, 2);
    }

    /** lite DynamicUint8MeanOpTest.KeepDims (axis given as a constant). */
    @ParameterizedTest
    @MethodSource("backends")
    void liteDynamicUint8KeepDims(Interpreter.Backend b) {
        meanLite(b, DataType.UINT8, new int[] {2, 2}, -10, 12, new int[] {0}, true, new int[] {1, 2}, -10, 12,
                new float[] {11.14f, -0.14f, 7.423f, 0.879f}, new float[] {9.2815f, 0.3695f}, -10, 12);
    }

    /** lite DynamicUint8MeanOpTest.QuantizedScalar: rank-0 input [0, 1], output [-10, 12]. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteDynamicUint8QuantizedScalar(Interpreter.Backend b) {
        meanLite(b, DataType.UINT8, new int[0], 0, 1, new int[] {0}, true, new int[0], -10, 12,
                new float[] {0.643f}, new float[] {0.643f}, -10, 12);
    }

    // ---- micro: tensorflow/lite/micro/kernels/reduce_test.cc ----

    private static final float[] MICRO_DATA8 = {1, 2, 3, 4, 5, 6, 7, 8};

    /** Runs a micro-style int8 case (scale 0.5, zero point 0 unless given) and checks within 1 quantum. */
    private static int[] meanMicroInt8(Interpreter.Backend b, int[] inShape, int[] axes, boolean keepDims,
                                       int[] outShape, float[] input, float[] golden, float outScale) {
        QuantParams inQ = QuantParams.perTensor(0.5f, 0);
        QuantParams outQ = QuantParams.perTensor(outScale, 0);
        Graph g = OpGraphs.mean(DataType.INT8, inShape, inQ, axes, keepDims, outShape, outQ);
        int[] out = values(ModelRunner.runBytes(g, b, 1, quantizeMicro(input, 0.5f, 0, DataType.INT8)), DataType.INT8);
        int[] expected = values(quantizeMicro(golden, outScale, 0, DataType.INT8), DataType.INT8);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], out[i], 1, "element " + i);
        }
        return out;
    }

    /** micro ReduceTest.MeanFloat2DKeepDims (output [2, 1], the shape TFLite computes). */
    @ParameterizedTest
    @MethodSource("backends")
    void microMeanFloat2DKeepDims(Interpreter.Backend b) {
        assertArrayEquals(new float[] {2.5f, 6.5f},
                meanFloat(b, new int[] {2, 4}, new int[] {1}, true, new int[] {2, 1}, MICRO_DATA8));
    }

    /** micro ReduceTest.MeanInt82DKeepDims. */
    @ParameterizedTest
    @MethodSource("backends")
    void microMeanInt82DKeepDims(Interpreter.Backend b) {
        int[] out = meanMicroInt8(b, new int[] {2, 4}, new int[] {1}, true, new int[] {2, 1}, MICRO_DATA8,
                new float[] {2.5f, 6.5f}, 0.5f);
        assertArrayEquals(new int[] {5, 13}, out);
    }

    /** micro ReduceTest.MeanFloat3DKeepDims. */
    @ParameterizedTest
    @MethodSource("backends")
    void microMeanFloat3DKeepDims(Interpreter.Backend b) {
        assertArrayEquals(new float[] {2.5f, 6.5f},
                meanFloat(b, new int[] {2, 2, 2}, new int[] {1, 2}, true, new int[] {2, 1, 1}, MICRO_DATA8));
    }

    /** micro ReduceTest.MeanInt83DKeepDims. */
    @ParameterizedTest
    @MethodSource("backends")
    void microMeanInt83DKeepDims(Interpreter.Backend b) {
        meanMicroInt8(b, new int[] {2, 2, 2}, new int[] {1, 2}, true, new int[] {2, 1, 1}, MICRO_DATA8,
                new float[] {2.5f, 6.5f}, 0.5f);
    }

    /** micro ReduceTest.MeanFloat4DKeepDims. */
    @ParameterizedTest
    @MethodSource("backends")
    void microMeanFloat4DKeepDims(Interpreter.Backend b) {
        assertArrayEquals(new float[] {6, 7, 18, 19},
                meanFloat(b, new int[] {2, 2, 3, 2}, new int[] {1, 2}, true, new int[] {2, 1, 1, 2}, SEQ24));
    }

    /** micro ReduceTest.MeanInt84DKeepDims. */
    @ParameterizedTest
    @MethodSource("backends")
    void microMeanInt84DKeepDims(Interpreter.Backend b) {
        meanMicroInt8(b, new int[] {2, 2, 3, 2}, new int[] {1, 2}, true, new int[] {2, 1, 1, 2}, SEQ24,
                new float[] {6, 7, 18, 19}, 0.5f);
    }

    /** micro ReduceTest.MeanFloat4DWithoutKeepDims. */
    @ParameterizedTest
    @MethodSource("backends")
    void microMeanFloat4DWithoutKeepDims(Interpreter.Backend b) {
        assertArrayEquals(new float[] {6, 7, 18, 19},
                meanFloat(b, new int[] {2, 2, 3, 2}, new int[] {1, 2}, false, new int[] {2, 2}, SEQ24));
    }

    /** micro ReduceTest.MeanInt84DWithoutKeepDims. */
    @ParameterizedTest
    @MethodSource("backends")
    void microMeanInt84DWithoutKeepDims(Interpreter.Backend b) {
        meanMicroInt8(b, new int[] {2, 2, 3, 2}, new int[] {1, 2}, false, new int[] {2, 2}, SEQ24,
                new float[] {6, 7, 18, 19}, 0.5f);
    }

    private static final float[] PRECISION_DATA = {1.0f, 24.0f, 13.0f, 3.0f, 9.0f, 17.0f,
        11.0f, 36.0f, 14.0f, 19.0f, 17.0f, 22.0f};

    /** micro ReduceTest.MeanFloat4DWithoutKeepDimsWithPrecision (tolerance 1e-5). */
    @ParameterizedTest
    @MethodSource("backends")
    void microMeanFloat4DWithoutKeepDimsWithPrecision(Interpreter.Backend b) {
        float[] out = meanFloat(b, new int[] {2, 2, 3, 1}, new int[] {1, 2}, false, new int[] {2, 1}, PRECISION_DATA);
        assertEquals(11.166667f, out[0], 1e-5f);
        assertEquals(19.833334f, out[1], 1e-5f);
    }

    /**
     * micro ReduceTest.MeanInt84DWithoutKeepDimsWithPrecision. The sums 134 and 238 over 6 give
     * 22.33 and 39.67 quanta; TFLite's integer QuantizedMeanOrSum (multiplier 2^32/6, shift -1,
     * double rounding) yields 23 and 40, within the test's tolerance of the rounded golden 22, 40.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void microMeanInt84DWithoutKeepDimsWithPrecision(Interpreter.Backend b) {
        int[] out = meanMicroInt8(b, new int[] {2, 2, 3, 1}, new int[] {1, 2}, false, new int[] {2, 1},
                PRECISION_DATA, new float[] {11.166667f, 19.833334f}, 0.5f);
        if (Backends.isBitExact(b)) {
            assertArrayEquals(new int[] {23, 40}, out);
        }
    }

    // ---------------------------------------------------------------- randomized

    static Stream<Object[]> randomCases() {
        return FloatTwin.cases(FloatTwin.Kind.MEAN);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("randomCases")
    void quantizedMatchesFloatWithinQuantizationError(Interpreter.Backend backend, FloatTwin.Case c) {
        FloatTwin.assertQuantizedMatchesFloat(backend, c, (r, inQ) -> randomSetup(c.kind(), r, c.type(), inQ));
    }

    /** One random op of the kind for {@link FloatTwin}: shapes, options, output parameters, error bound. */
    private static FloatTwin.Setup randomSetup(FloatTwin.Kind kind, Random r, DataType t, QuantParams inQ) {
        switch (kind) {
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
                return new FloatTwin.Setup(BuiltinOperator.MEAN, null, shape, out.stream().mapToInt(Integer::intValue).toArray(),
                        axes.stream().mapToInt(Integer::intValue).toArray(), keepDims, inQ, outQ, outScale);
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
    void meanAxisOutOfRange() {
        Graph g = OpGraphs.mean(DataType.INT8, new int[] {1, 7, 7, 8}, Q, new int[] {1, 4}, true,
                new int[] {1, 1, 7, 8}, Q);
        assertRefused(InvalidModelException.class, g, "operator 0 (MEAN)", "axis 4 is out of range");
    }

    @Test
    void meanOutputShapeDisagrees() {
        Graph g = OpGraphs.mean(DataType.FLOAT32, new int[] {1, 7, 7, 8}, QuantParams.NONE, new int[] {1, 2}, false,
                new int[] {1, 1, 1, 8}, QuantParams.NONE);
        assertRefused(InvalidModelException.class, g, "operator 0 (MEAN)", "output", "[1, 8]");
    }

    @Test
    void meanAxisMustBeConstantInt32() {
        GraphBuilder b = new GraphBuilder();
        int in = b.input("in", DataType.FLOAT32, new int[] {2, 3}, QuantParams.NONE);
        int axis = b.input("axis", DataType.INT32, new int[] {1}, QuantParams.NONE);
        int out = b.tensor("out", DataType.FLOAT32, new int[] {2}, QuantParams.NONE);
        b.op(BuiltinOperator.MEAN, new int[] {in, axis}, new int[] {out}, new OpOptions.Reducer(false)).output(out);
        assertRefused(UnsupportedModelException.class, b.build(), "MEAN", "non-constant axis");

        GraphBuilder c = new GraphBuilder();
        int in2 = c.input("in", DataType.FLOAT32, new int[] {2, 3}, QuantParams.NONE);
        int axisF = c.constantFloat32("axis", new int[] {1}, new float[] {1f});
        int out2 = c.tensor("out", DataType.FLOAT32, new int[] {2}, QuantParams.NONE);
        c.op(BuiltinOperator.MEAN, new int[] {in2, axisF}, new int[] {out2}, new OpOptions.Reducer(false)).output(out2);
        assertRefused(InvalidModelException.class, c.build(), "operator 0 (MEAN)", "axis", "FLOAT32");
    }

    @Test
    void meanOnInt16IsUnsupported() {
        Graph g = OpGraphs.mean(DataType.INT16, new int[] {2, 3}, Q, new int[] {1}, false, new int[] {2}, Q);
        assertRefused(UnsupportedModelException.class, g, "MEAN", "INT16");
    }
}
