package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.OpOptions;
import io.qbridge.testing.PeerCase;
import io.qbridge.testing.SingleOpHarness;
import io.qbridge.testing.TfliteTestQuantization;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.List;

import static io.qbridge.testing.PeerCase.broadcastShape;
import static io.qbridge.testing.SingleOpHarness.bytes;
import static io.qbridge.testing.SingleOpHarness.floats;
import static io.qbridge.testing.SingleOpHarness.int32s;
import static io.qbridge.testing.SingleOpHarness.toFloats;
import static io.qbridge.testing.SingleOpHarness.toInt32s;
import static io.qbridge.testing.SingleOpHarness.toInts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ADD and MUL against the test vectors of TFLite's kernel tests
 * (tensorflow/lite/kernels/add_test.cc, mul_test.cc: float and int32 exact to 1e-5, quantized
 * compared dequantized within the test's tolerance) and TFLite Micro's
 * (tensorflow/lite/micro/kernels/add_test.cc, mul_test.cc: quantized outputs compared as integers
 * with the golden values quantized by FloatToQuantizedType, exactly for ADD, within 1 for MUL as
 * the source does). Each case names its file, test and variant.
 * ElementwiseTest runs these cases on every backend.
 */
final class ElementwisePeerVectors {
    private ElementwisePeerVectors() {
    }

    private static final String LITE_ADD = "lite add_test.cc ";
    private static final String LITE_MUL = "lite mul_test.cc ";
    private static final String MICRO_ADD = "micro add_test.cc ";
    private static final String MICRO_MUL = "micro mul_test.cc ";
    private static final int ADD = BuiltinOperator.ADD;
    private static final int MUL = BuiltinOperator.MUL;
    private static final int[][] VARIOUS_SHAPES = {{6}, {2, 3}, {2, 1, 3}, {1, 3, 1, 2}};
    private static final int[] MIXED_BASE = {2, 3, 1, 2};
    private static final int[][] MIXED_SHAPES = {{1, 1, 3, 2}, {1, 3, 1, 2}, {2, 1, 3, 1}, {2, 3, 1, 1}};
    private static final float[] MIXED_IN1 = {-0.3f, 2.3f, 0.9f, 0.5f, 0.8f, -1.1f, 1.2f, 2.8f, -1.6f, 0.0f, 0.7f,
        -2.2f};
    private static final float[] MIXED_IN2 = {0.2f, 0.3f, -0.4f, 0.5f, 1.0f, 0.9f};
    private static final float[][] ADD_MIXED_OUT = {
        {-0.1f, 2.6f, -0.7f, 2.8f, 0.7f, 3.2f, 1.1f, 0.8f, 0.5f, 1.0f, 1.9f, 1.4f, 1.0f, -0.8f, 0.4f, -0.6f, 1.8f,
            -0.2f, 1.4f, 3.1f, 0.8f, 3.3f, 2.2f, 3.7f, -1.4f, 0.3f, -2.0f, 0.5f, -0.6f, 0.9f, 0.9f, -1.9f, 0.3f,
            -1.7f, 1.7f, -1.3f},
        {-0.1f, 2.6f, 0.5f, 1.0f, 1.8f, -0.2f, 1.4f, 3.1f, -2.0f, 0.5f, 1.7f, -1.3f},
        {-0.1f, 2.5f, 0.0f, 2.6f, -0.7f, 1.9f, 1.1f, 0.7f, 1.2f, 0.8f, 0.5f, 0.1f, 1.0f, -0.9f, 1.1f, -0.8f, 0.4f,
            -1.5f, 1.7f, 3.3f, 2.2f, 3.8f, 2.1f, 3.7f, -1.1f, 0.5f, -0.6f, 1.0f, -0.7f, 0.9f, 1.2f, -1.7f, 1.7f,
            -1.2f, 1.6f, -1.3f},
        {-0.1f, 2.5f, 1.2f, 0.8f, 0.4f, -1.5f, 1.7f, 3.3f, -0.6f, 1.0f, 1.6f, -1.3f}};
    /** The quantized twin of ADD_MIXED_OUT in add_test.cc: clamped to the output range [-3, 3]. */
    private static final float[][] ADD_MIXED_OUT_CLAMPED = {
        {-0.1f, 2.6f, -0.7f, 2.8f, 0.7f, 3.0f, 1.1f, 0.8f, 0.5f, 1.0f, 1.9f, 1.4f, 1.0f, -0.8f, 0.4f, -0.6f, 1.8f,
            -0.2f, 1.4f, 3.0f, 0.8f, 3.0f, 2.2f, 3.0f, -1.4f, 0.3f, -2.0f, 0.5f, -0.6f, 0.9f, 0.9f, -1.9f, 0.3f,
            -1.7f, 1.7f, -1.3f},
        {-0.1f, 2.6f, 0.5f, 1.0f, 1.8f, -0.2f, 1.4f, 3.0f, -2.0f, 0.5f, 1.7f, -1.3f},
        {-0.1f, 2.5f, 0.0f, 2.6f, -0.7f, 1.9f, 1.1f, 0.7f, 1.2f, 0.8f, 0.5f, 0.1f, 1.0f, -0.9f, 1.1f, -0.8f, 0.4f,
            -1.5f, 1.7f, 3.0f, 2.2f, 3.0f, 2.1f, 3.0f, -1.1f, 0.5f, -0.6f, 1.0f, -0.7f, 0.9f, 1.2f, -1.7f, 1.7f,
            -1.2f, 1.6f, -1.3f},
        {-0.1f, 2.5f, 1.2f, 0.8f, 0.4f, -1.5f, 1.7f, 3.0f, -0.6f, 1.0f, 1.6f, -1.3f}};
    private static final float[][] MUL_MIXED_OUT = {
        {-0.06f, 0.69f, 0.12f, 1.15f, -0.30f, 2.07f, 0.18f, 0.15f, -0.36f, 0.25f, 0.90f, 0.45f, 0.16f, -0.33f,
            -0.32f, -0.55f, 0.80f, -0.99f, 0.24f, 0.84f, -0.48f, 1.40f, 1.20f, 2.52f, -0.32f, 0.00f, 0.64f, 0.00f,
            -1.60f, 0.00f, 0.14f, -0.66f, -0.28f, -1.10f, 0.70f, -1.98f},
        {-0.06f, 0.69f, -0.36f, 0.25f, 0.80f, -0.99f, 0.24f, 0.84f, 0.64f, 0.00f, 0.70f, -1.98f},
        {-0.06f, 0.46f, -0.09f, 0.69f, 0.12f, -0.92f, 0.18f, 0.10f, 0.27f, 0.15f, -0.36f, -0.20f, 0.16f, -0.22f,
            0.24f, -0.33f, -0.32f, 0.44f, 0.60f, 1.40f, 1.20f, 2.80f, 1.08f, 2.52f, -0.80f, 0.00f, -1.60f, 0.00f,
            -1.44f, 0.00f, 0.35f, -1.10f, 0.70f, -2.20f, 0.63f, -1.98f},
        {-0.06f, 0.46f, 0.27f, 0.15f, -0.32f, 0.44f, 0.60f, 1.40f, -1.60f, 0.00f, 0.63f, -1.98f}};

    static List<PeerCase> cases() {
        List<PeerCase> c = new ArrayList<>();
        liteFloat(c);
        liteInt32(c);
        liteQuantized(c, DataType.UINT8);
        liteQuantized(c, DataType.INT8);
        micro(c);
        return c;
    }

    // ---------------------------------------------------------------- lite: float

    private static void liteFloat(List<PeerCase> c) {
        int[] s4 = {1, 2, 2, 1};
        float[] a = {-2.0f, 0.2f, 0.7f, 0.8f};
        float[] b = {0.1f, 0.2f, 0.3f, 0.5f};
        c.add(floatCase(LITE_ADD + "FloatAddOpModel.NoActivation", ADD, Activation.NONE, s4, a, s4, b,
                new float[] {-1.9f, 0.4f, 1.0f, 1.3f}, 1e-5f));
        c.add(floatCase(LITE_ADD + "FloatAddOpModel.ActivationRELU_N1_TO_1", ADD, Activation.RELU_N1_TO_1, s4, a, s4,
                b, new float[] {-1.0f, 0.4f, 1.0f, 1.0f}, 1e-5f));
        float[] a6 = {-2.0f, 0.2f, 0.7f, 0.8f, 1.1f, 2.0f};
        for (int i = 0; i < 4; i++) {
            int[] s = VARIOUS_SHAPES[i];
            c.add(floatCase(LITE_ADD + "FloatAddOpModel.VariousInputShapes #" + i, ADD, Activation.NONE, s, a6, s,
                    new float[] {0.1f, 0.2f, 0.3f, 0.5f, 1.1f, 0.1f}, new float[] {-1.9f, 0.4f, 1.0f, 1.3f, 2.2f, 2.1f},
                    1e-5f));
            c.add(floatCase(LITE_ADD + "FloatAddOpModel.WithBroadcast #" + i, ADD, Activation.NONE, s, a6,
                    new int[0], new float[] {0.1f}, new float[] {-1.9f, 0.3f, 0.8f, 0.9f, 1.2f, 2.1f}, 1e-5f));
        }
        c.add(floatCase(LITE_ADD + "FloatAddOpModel.WithBroadcastGeneric", ADD, Activation.NONE, new int[] {1, 3, 1},
                new float[] {0.1f, 0.2f, 0.3f}, new int[] {2, 1, 2}, new float[] {0.1f, 0.2f, 0.3f, 0.4f},
                new float[] {0.2f, 0.3f, 0.3f, 0.4f, 0.4f, 0.5f, 0.4f, 0.5f, 0.5f, 0.6f, 0.6f, 0.7f}, 1e-5f));
        for (int i = 0; i < 4; i++) {
            c.add(floatCase(LITE_ADD + "FloatAddOpModel.MixedBroadcast #" + i, ADD, Activation.NONE, MIXED_BASE,
                    MIXED_IN1, MIXED_SHAPES[i], MIXED_IN2, ADD_MIXED_OUT[i], 1e-4f));
            c.add(floatCase(LITE_ADD + "FloatAddOpModel.MixedBroadcast exchanged #" + i, ADD, Activation.NONE,
                    MIXED_SHAPES[i], MIXED_IN2, MIXED_BASE, MIXED_IN1, ADD_MIXED_OUT[i], 1e-4f));
        }

        c.add(floatCase(LITE_MUL + "FloatMulOpTest.NoActivation", MUL, Activation.NONE, s4, a, s4, b,
                new float[] {-0.2f, 0.04f, 0.21f, 0.4f}, 1e-5f));
        c.add(floatCase(LITE_MUL + "FloatMulOpTest.ActivationRELU_N1_TO_1", MUL, Activation.RELU_N1_TO_1, s4, a, s4,
                new float[] {0.1f, 0.2f, 0.3f, 5f}, new float[] {-0.2f, 0.04f, 0.21f, 1.0f}, 1e-5f));
        for (int i = 0; i < 4; i++) {
            int[] s = VARIOUS_SHAPES[i];
            c.add(floatCase(LITE_MUL + "FloatMulOpTest.VariousInputShapes #" + i, MUL, Activation.NONE, s, a6, s,
                    new float[] {0.1f, 0.2f, 0.3f, 0.5f, 1.1f, 0.1f},
                    new float[] {-0.2f, 0.04f, 0.21f, 0.4f, 1.21f, 0.2f}, 1e-5f));
            c.add(floatCase(LITE_MUL + "FloatMulOpTest.WithScalarBroadcast #" + i, MUL, Activation.NONE, s, a6,
                    new int[0], new float[] {0.1f}, new float[] {-0.2f, 0.02f, 0.07f, 0.08f, 0.11f, 0.2f}, 1e-5f));
        }
        int[][] broadcast4 = {{2, 4}, {2, 1, 4}, {1, 2, 4}, {1, 2, 1, 4}};
        int[][] broadcast2 = {{2, 2}, {2, 1, 2}, {1, 2, 2}, {1, 2, 1, 2}};
        for (int i = 0; i < 4; i++) {
            c.add(floatCase(LITE_MUL + "FloatMulOpTest.WithBroadcast #" + i, MUL, Activation.NONE, broadcast4[i],
                    new float[] {-2.0f, 0.2f, 0.7f, 0.8f, 1.1f, 2.0f, 1.1f, 0.8f}, new int[] {4},
                    new float[] {0.1f, 0.2f, 0.3f, 0.4f},
                    new float[] {-0.2f, 0.04f, 0.21f, 0.32f, 0.11f, 0.4f, 0.33f, 0.32f}, 1e-5f));
            c.add(floatCase(LITE_MUL + "FloatMulOpTest.MixedBroadcast #" + i, MUL, Activation.NONE, MIXED_BASE,
                    MIXED_IN1, MIXED_SHAPES[i], MIXED_IN2, MUL_MIXED_OUT[i], 1e-4f));
            c.add(floatCase(LITE_MUL + "FloatMulOpTest.MixedBroadcast exchanged #" + i, MUL, Activation.NONE,
                    MIXED_SHAPES[i], MIXED_IN2, MIXED_BASE, MIXED_IN1, MUL_MIXED_OUT[i], 1e-4f));
            c.add(floatCase(LITE_MUL + "FloatMulOpTest.WithBroadcast2Elements #" + i, MUL, Activation.NONE,
                    broadcast2[i], a, new int[] {2}, new float[] {0.1f, 0.2f},
                    new float[] {-0.2f, 0.04f, 0.07f, 0.16f}, 1e-5f));
        }
    }

    // ---------------------------------------------------------------- lite: int32

    private static void liteInt32(List<PeerCase> c) {
        int[] s4 = {1, 2, 2, 1};
        int[] a = {-20, 2, 7, 8};
        int[] b = {1, 2, 3, 5};
        c.add(intCase(LITE_ADD + "IntegerAddOpTest<int32>.NoActivation", ADD, Activation.NONE, s4, a, s4, b,
                new int[] {-19, 4, 10, 13}));
        c.add(intCase(LITE_ADD + "IntegerAddOpTest<int32>.ActivationRELU_N1_TO_1", ADD, Activation.RELU_N1_TO_1, s4,
                a, s4, b, new int[] {-1, 1, 1, 1}));
        int[] a6 = {-20, 2, 7, 8, 11, 20};
        for (int i = 0; i < 4; i++) {
            int[] s = VARIOUS_SHAPES[i];
            c.add(intCase(LITE_ADD + "IntegerAddOpTest<int32>.VariousInputShapes #" + i, ADD, Activation.NONE, s, a6,
                    s, new int[] {1, 2, 3, 5, 11, 1}, new int[] {-19, 4, 10, 13, 22, 21}));
            c.add(intCase(LITE_ADD + "IntegerAddOpTest<int32>.WithBroadcast #" + i, ADD, Activation.NONE, s, a6,
                    new int[0], new int[] {1}, new int[] {-19, 3, 8, 9, 12, 21}));
            c.add(intCase(LITE_MUL + "IntegerMulOpTest.VariousInputShapes #" + i, MUL, Activation.NONE, s, a6, s,
                    new int[] {1, 2, 3, 5, 11, 1}, new int[] {-20, 4, 21, 40, 121, 20}));
            c.add(intCase(LITE_MUL + "IntegerMulOpTest.WithBroadcast #" + i, MUL, Activation.NONE, s, a6,
                    new int[0], new int[] {1}, new int[] {-20, 2, 7, 8, 11, 20}));
        }
        c.add(intCase(LITE_ADD + "IntegerAddOpTest<int32>.Int32MultiDimBroadcast", ADD, Activation.NONE,
                new int[] {1, 2}, new int[] {3, 5}, new int[] {2, 1}, new int[] {1, 4}, new int[] {4, 6, 7, 9}));
        c.add(intCase(LITE_MUL + "IntegerMulOpTest.NoActivation", MUL, Activation.NONE, s4, a, s4, b,
                new int[] {-20, 4, 21, 40}));
        c.add(intCase(LITE_MUL + "IntegerMulOpTest.ActivationRELU_N1_TO_1", MUL, Activation.RELU_N1_TO_1, s4, a, s4,
                b, new int[] {-1, 1, 1, 1}));
    }

    // ---------------------------------------------------------------- lite: quantized

    private static void liteQuantized(List<PeerCase> c, DataType t) {
        String ty = t == DataType.UINT8 ? "UInt8" : "Int8";
        int[] s4 = {1, 2, 2, 1};
        float tol1 = 2f * (1f - -1f) / 255f;   // GetTolerance<T>(-1, 1) in add_test.cc
        float[][] in1 = {{0.1f, 0.2f, 0.3f, 0.4f}, {-0.8f, 0.2f, 0.4f, 0.7f}, {-0.8f, 0.2f, 0.7f, 0.3f}};
        float[][] in2 = {{0.6f, 0.4f, 0.3f, 0.1f}, {0.6f, 0.4f, 0.5f, -0.8f}, {0.6f, 0.4f, -0.8f, 0.5f}};
        float[][] out = {{0.7f, 0.6f, 0.6f, 0.5f}, {-0.2f, 0.6f, 0.9f, -0.1f}, {-0.2f, 0.6f, -0.1f, 0.8f}};
        for (int i = 0; i < 3; i++) {
            c.add(liteQuant(LITE_ADD + "QuantizedAddOpModel.QuantizedTestsNoActivation" + ty + " #" + i, ADD, t,
                    Activation.NONE, s4, in1[i], -1f, 1f, s4, in2[i], -1f, 1f, -1f, 1f, out[i], tol1));
        }
        float[][] r1 = {{-0.8f, 0.2f, 0.9f, 0.7f}, {-0.8f, 0.2f, 0.7f, 0.3f}};
        float[][] r2 = {{0.6f, 0.4f, 0.9f, -0.8f}, {0.6f, 0.4f, -0.8f, 0.5f}};
        float[][] ro = {{-0.2f, 0.6f, 1.0f, -0.1f}, {-0.2f, 0.6f, -0.1f, 0.8f}};
        for (int i = 0; i < 2; i++) {
            c.add(liteQuant(LITE_ADD + "QuantizedAddOpModel.QuantizedTestsActivationRELU_N1_TO_1" + ty + " #" + i,
                    ADD, t, Activation.RELU_N1_TO_1, s4, r1[i], -1f, 1f, s4, r2[i], -1f, 1f, -1f, 1f, ro[i], tol1));
        }
        float tol3 = 2f * (3f - -3f) / 255f;
        float[] a6 = {-2.0f, 0.2f, 0.7f, 0.8f, 1.1f, 2.0f};
        for (int i = 0; i < 4; i++) {
            int[] s = VARIOUS_SHAPES[i];
            c.add(liteQuant(LITE_ADD + "QuantizedAddOpModel.QuantizedVariousInputShapes" + ty + " #" + i, ADD, t,
                    Activation.NONE, s, a6, -3f, 3f, s, new float[] {0.1f, 0.3f, 0.3f, 0.5f, 1.1f, 0.1f}, -3f, 3f,
                    -3f, 3f, new float[] {-1.9f, 0.5f, 1.0f, 1.3f, 2.2f, 2.1f}, tol3));
            float[] scalarOut = {-1.9f, 0.3f, 0.8f, 0.9f, 1.2f, 2.1f};
            c.add(liteQuant(LITE_ADD + "QuantizedAddOpModel.QuantizedWithScalarBroadcast" + ty + " #" + i, ADD, t,
                    Activation.NONE, s, a6, -3f, 3f, new int[0], new float[] {0.1f}, -3f, 3f, -3f, 3f, scalarOut,
                    tol3));
            c.add(liteQuant(LITE_ADD + "QuantizedAddOpModel.QuantizedWithScalarBroadcast" + ty + " exchanged #" + i,
                    ADD, t, Activation.NONE, new int[0], new float[] {0.1f}, -3f, 3f, s, a6, -3f, 3f, -3f, 3f,
                    scalarOut, tol3));
            c.add(liteQuant(LITE_ADD + "QuantizedAddOpModel.QuantizedWithMixedBroadcast" + ty + " #" + i, ADD, t,
                    Activation.NONE, MIXED_BASE, MIXED_IN1, -3f, 3f, MIXED_SHAPES[i], MIXED_IN2, -3f, 3f, -3f, 3f,
                    ADD_MIXED_OUT_CLAMPED[i], tol3));
            c.add(liteQuant(LITE_ADD + "QuantizedAddOpModel.QuantizedWithMixedBroadcast" + ty + " exchanged #" + i,
                    ADD, t, Activation.NONE, MIXED_SHAPES[i], MIXED_IN2, -3f, 3f, MIXED_BASE, MIXED_IN1, -3f, 3f, -3f,
                    3f, ADD_MIXED_OUT_CLAMPED[i], tol3));
            // mul_test.cc GetTolerance(-3, 3) = 2 * 6 / 255
            c.add(liteQuant(LITE_MUL + "QuantizedMulOpTest.WithBroadcast" + ty + " #" + i, MUL, t, Activation.NONE,
                    s, a6, -3f, 3f, new int[0], new float[] {0.1f}, -3f, 3f, -3f, 3f,
                    new float[] {-0.2f, 0.02f, 0.07f, 0.08f, 0.11f, 0.2f}, tol3));
            c.add(liteQuant(LITE_MUL + "QuantizedMulOpTest.QuantizedWithMixedBroadcast" + ty + " #" + i, MUL, t,
                    Activation.NONE, MIXED_BASE, MIXED_IN1, -3f, 3f, MIXED_SHAPES[i], MIXED_IN2, -3f, 3f, -3f, 3f,
                    MUL_MIXED_OUT[i], tol3));
            c.add(liteQuant(LITE_MUL + "QuantizedMulOpTest.QuantizedWithMixedBroadcast" + ty + " exchanged #" + i, MUL,
                    t, Activation.NONE, MIXED_SHAPES[i], MIXED_IN2, -3f, 3f, MIXED_BASE, MIXED_IN1, -3f, 3f, -3f, 3f,
                    MUL_MIXED_OUT[i], tol3));
        }
        c.add(liteQuant(LITE_ADD + "QuantizedAddOpModel.QuantizedWithGenericBroadcast" + ty, ADD, t, Activation.NONE,
                new int[] {1, 3, 1}, new float[] {0.1f, 0.2f, 0.3f}, -3f, 3f, new int[] {2, 1, 2},
                new float[] {0.1f, -0.2f, 0.3f, -0.4f}, -3f, 3f, -3f, 3f,
                new float[] {0.2f, -0.1f, 0.3f, 0f, 0.4f, 0.1f, 0.4f, -0.3f, 0.5f, -0.2f, 0.6f, -0.1f}, tol3));
        // mul_test.cc: kQuantizedTolerance = 2 * step + step^2 with step 2/255.
        float step = 2f / 255f;
        float mulTol = 2f * step + step * step;
        c.add(liteQuant(LITE_MUL + "QuantizedMulOpTest.NoActivation" + ty + " (NoActivation)", MUL, t,
                Activation.NONE, s4, new float[] {-0.8f, 0.2f, 0.9f, 0.7f}, -1f, 1f, s4,
                new float[] {0.6f, 0.4f, 0.9f, 0.8f}, -1f, 1f, -1f, 1f, new float[] {-0.48f, 0.08f, 0.81f, 0.56f},
                mulTol));
        c.add(liteQuant(LITE_MUL + "QuantizedMulOpTest.NoActivation" + ty + " (NoActivationLargeMultiplier)", MUL, t,
                Activation.NONE, s4, new float[] {-4, 2, 3, 1}, -100f, 100f, s4, new float[] {-1, -3, 4, 2}, -100f,
                100f, -10f, 10f, new float[] {4, -6, 10, 2}, 1.4f));
    }

    // ---------------------------------------------------------------- micro

    private static void micro(List<PeerCase> c) {
        int[] s4 = {1, 2, 2, 1};
        c.add(floatCase(MICRO_ADD + "AddTest.FloatAddNoActivation", ADD, Activation.NONE, s4,
                new float[] {-2.0f, 0.2f, 0.7f, 0.8f}, s4, new float[] {0.1f, 0.2f, 0.3f, 0.5f},
                new float[] {-1.9f, 0.4f, 1.0f, 1.3f}, 1e-5f));
        c.add(floatCase(MICRO_ADD + "AddTest.FloatAddActivationRelu1", ADD, Activation.RELU_N1_TO_1, s4,
                new float[] {-2.0f, 0.2f, 0.7f, 0.8f}, s4, new float[] {0.1f, 0.2f, 0.3f, 0.5f},
                new float[] {-1.0f, 0.4f, 1.0f, 1.0f}, 1e-5f));
        float[] a6 = {-2.0f, 0.2f, 0.7f, 0.8f, 1.1f, 2.0f};
        int[][] shapes = {{6}, {2, 3}, {2, 1, 3}, {1, 3, 1, 2}};
        for (int i = 0; i < 4; i++) {
            c.add(floatCase(MICRO_ADD + "AddTest.FloatAddVariousInputShapes #" + i, ADD, Activation.NONE, shapes[i],
                    a6, shapes[i], new float[] {0.1f, 0.2f, 0.3f, 0.5f, 1.1f, 0.1f},
                    new float[] {-1.9f, 0.4f, 1.0f, 1.3f, 2.2f, 2.1f}, 1e-5f));
            c.add(floatCase(MICRO_ADD + "AddTest.FloatAddWithScalarBroadcast #" + i, ADD, Activation.NONE, shapes[i],
                    a6, new int[0], new float[] {0.1f}, new float[] {-1.9f, 0.3f, 0.8f, 0.9f, 1.2f, 2.1f}, 1e-5f));
            c.add(floatCase(MICRO_ADD + "AddTest.QuantizedAddWithScalarBroadcastFloat #" + i, ADD, Activation.NONE,
                    MIXED_BASE, MIXED_IN1, MIXED_SHAPES[i], MIXED_IN2, ADD_MIXED_OUT[i], 1e-5f));
        }
        c.add(intCase(MICRO_ADD + "AddTest.Int32AddNoActivation", ADD, Activation.NONE, s4,
                new int[] {-2, 2147483646, -1, 1146622854}, s4, new int[] {3, 1, -2147483647, -726978367},
                new int[] {1, 2147483647, -2147483648, 419644487}));
        float[] q1 = {-2.01f, -1.01f, -0.01f, 0.98f};
        float[] q2 = {1.01f, 1.99f, 2.99f, 4.02f};
        c.add(microQuant(MICRO_ADD + "AddTest.QuantizedAddNoActivationInt8", ADD, DataType.INT8, Activation.NONE,
                s4, q1, 0.25f, -10, s4, q2, 0.5f, 4, new float[] {-1, 1, 3, 5}, 1.0f, 13, 0));
        c.add(microQuant(MICRO_ADD + "AddTest.QuantizedAddActivationRelu1Int8", ADD, DataType.INT8,
                Activation.RELU_N1_TO_1, s4, q1, 0.25f, -10, s4, q2, 0.5f, 4, new float[] {-1, 1, 1, 1}, 1.0f, 13, 0));
        for (int i = 0; i < 4; i++) {
            c.add(microQuant(MICRO_ADD + "AddTest.QuantizedAddVariousInputShapesInt8 #" + i, ADD, DataType.INT8,
                    Activation.NONE, shapes[i], a6, 0.1f, -9, shapes[i],
                    new float[] {0.1f, 0.2f, 0.3f, 0.5f, 1.1f, 0.1f}, 0.05f, 5,
                    new float[] {-1.9f, 0.4f, 1.0f, 1.3f, 2.2f, 2.1f}, 0.1f, 14, 0));
            c.add(microQuant(MICRO_ADD + "AddTest.QuantizedAddWithScalarBroadcastInt8 #" + i, ADD, DataType.INT8,
                    Activation.NONE, shapes[i], a6, 0.1f, -8, new int[0], new float[] {0.1f}, 0.05f, 4,
                    new float[] {-1.9f, 0.3f, 0.8f, 0.9f, 1.2f, 2.1f}, 0.05f, 12, 0));
            c.add(microQuant(MICRO_ADD + "AddTest.QuantizedAddWithMixedBroadcastInt8 #" + i, ADD, DataType.INT8,
                    Activation.NONE, MIXED_BASE, MIXED_IN1, 0.1f, -10, MIXED_SHAPES[i], MIXED_IN2, 0.05f, -5,
                    ADD_MIXED_OUT[i], 0.1f, 7, 0));
        }
        float[] m1 = {-0.8f, 0.2f, 0.9f, 0.7f};
        float[] m2 = {0.6f, 0.4f, 0.9f, 0.8f};
        c.add(floatCase(MICRO_MUL + "MulTest.SimpleFloatNoActivationShouldMatchGolden", MUL, Activation.NONE, s4, m1,
                s4, m2, new float[] {-0.48f, 0.08f, 0.81f, 0.56f}, 1e-5f));
        c.add(floatCase(MICRO_MUL + "MulTest.SimpleFloatReluShouldMatchGolden", MUL, Activation.RELU, s4, m1, s4, m2,
                new float[] {0.0f, 0.08f, 0.81f, 0.56f}, 1e-5f));
        c.add(microQuant(MICRO_MUL + "MulTest.SimpleInt8NoActivationShouldMatchGolden", MUL, DataType.INT8,
                Activation.NONE, s4, m1, 0.01f, 0, s4, m2, 0.01f, 0, new float[] {-0.48f, 0.08f, 0.81f, 0.56f}, 0.01f,
                0, 1));
        int[] sb = {1, 3, 1, 2};
        c.add(floatCase(MICRO_MUL + "MulTest.BroadcastFloatNoActivationShouldMatchGolden", MUL, Activation.NONE, sb,
                a6, new int[] {1}, new float[] {0.1f}, new float[] {-0.2f, 0.02f, 0.07f, 0.08f, 0.11f, 0.2f}, 1e-5f));
        c.add(floatCase(MICRO_MUL + "MulTest.BroadcastFloatReluShouldMatchGolden", MUL, Activation.RELU, sb, a6,
                new int[] {1}, new float[] {0.1f}, new float[] {0f, 0.02f, 0.07f, 0.08f, 0.11f, 0.2f}, 1e-5f));
        c.add(microQuant(MICRO_MUL + "MulTest.BroadcastInt8NoActivationShouldMatchGolden", MUL, DataType.INT8,
                Activation.NONE, sb, a6, 0.05f, 0, new int[] {1}, new float[] {0.1f}, 0.05f, 0,
                new float[] {-0.2f, 0.02f, 0.07f, 0.08f, 0.11f, 0.2f}, 0.01f, 0, 1));
        // Int32 MUL ignores quantization: the inputs are the floats quantized with scale 0.01, the
        // golden with 0.0001 (the product of the input scales); the source allows 1.
        int[] i1 = TfliteTestQuantization.quantizeMicroValues(m1, 0.01f, 0, DataType.INT32);
        int[] i2 = TfliteTestQuantization.quantizeMicroValues(m2, 0.01f, 0, DataType.INT32);
        int[] golden = TfliteTestQuantization.quantizeMicroValues(new float[] {-0.48f, 0.08f, 0.81f, 0.56f}, 0.0001f, 0,
                DataType.INT32);
        c.add(new PeerCase(MICRO_MUL + "MulTest.SimpleInt32NoActivationShouldMatchGolden", backend -> {
            int[] actual = runInt32(backend, MUL, Activation.NONE, s4, i1, s4, i2);
            for (int k = 0; k < golden.length; k++) {
                assertEquals(golden[k], actual[k], 1, "element " + k);
            }
        }));
    }

    // ---------------------------------------------------------------- case builders

    private static OpOptions options(int op, Activation a) {
        return op == ADD ? new OpOptions.Add(a) : new OpOptions.Mul(a);
    }

    private static PeerCase floatCase(String name, int op, Activation a, int[] s1, float[] v1, int[] s2, float[] v2,
                                      float[] expected, float tolerance) {
        return new PeerCase(name, backend -> {
            SingleOpHarness h = new SingleOpHarness();
            int x = h.input(DataType.FLOAT32, s1, QuantParams.NONE, floats(v1));
            int y = h.input(DataType.FLOAT32, s2, QuantParams.NONE, floats(v2));
            h.output(DataType.FLOAT32, broadcastShape(s1, s2), QuantParams.NONE);
            h.op(op, new int[] {x, y}, options(op, a));
            assertArrayEquals(expected, toFloats(h.run(backend, 1)), tolerance);
        });
    }

    private static int[] runInt32(Interpreter.Backend backend, int op, Activation a, int[] s1, int[] v1, int[] s2,
                                  int[] v2) {
        SingleOpHarness h = new SingleOpHarness();
        int x = h.input(DataType.INT32, s1, QuantParams.NONE, int32s(v1));
        int y = h.input(DataType.INT32, s2, QuantParams.NONE, int32s(v2));
        h.output(DataType.INT32, broadcastShape(s1, s2), QuantParams.NONE);
        h.op(op, new int[] {x, y}, options(op, a));
        return toInt32s(h.run(backend, 1));
    }

    private static PeerCase intCase(String name, int op, Activation a, int[] s1, int[] v1, int[] s2, int[] v2,
                                    int[] expected) {
        return new PeerCase(name, backend -> assertArrayEquals(expected, runInt32(backend, op, a, s1, v1, s2, v2)));
    }

    /**
     * A TFLite quantized case: tensors quantized from their (min, max) by test_util.h, inputs fed
     * through its Quantize, the output dequantized and compared with the test's tolerance.
     */
    private static PeerCase liteQuant(String name, int op, DataType t, Activation a, int[] s1, float[] v1, float min1,
                                      float max1, int[] s2, float[] v2, float min2, float max2, float outMin,
                                      float outMax, float[] expected, float tolerance) {
        return new PeerCase(name, backend -> {
            QuantParams p1 = TfliteTestQuantization.params(min1, max1, t);
            QuantParams p2 = TfliteTestQuantization.params(min2, max2, t);
            QuantParams po = TfliteTestQuantization.params(outMin, outMax, t);
            SingleOpHarness h = new SingleOpHarness();
            int x = h.input(t, s1, p1, bytes(TfliteTestQuantization.quantizeLiteValues(v1, p1, t)));
            int y = h.input(t, s2, p2, bytes(TfliteTestQuantization.quantizeLiteValues(v2, p2, t)));
            h.output(t, broadcastShape(s1, s2), po);
            h.op(op, new int[] {x, y}, options(op, a));
            float[] actual = TfliteTestQuantization.dequantize(toInts(h.run(backend, 1), t), po);
            assertArrayEquals(expected, actual, tolerance);
        });
    }

    /**
     * A TFLite Micro quantized case: inputs and golden quantized with FloatToQuantizedType, the
     * integer output compared with the quantized golden within {@code toleranceQ} (0: exactly).
     */
    private static PeerCase microQuant(String name, int op, DataType t, Activation a, int[] s1, float[] v1,
                                       float scale1, int zp1, int[] s2, float[] v2, float scale2, int zp2,
                                       float[] golden, float outScale, int outZp, int toleranceQ) {
        return new PeerCase(name, backend -> {
            SingleOpHarness h = new SingleOpHarness();
            int x = h.input(t, s1, QuantParams.perTensor(scale1, zp1),
                    bytes(TfliteTestQuantization.quantizeMicroValues(v1, scale1, zp1, t)));
            int y = h.input(t, s2, QuantParams.perTensor(scale2, zp2),
                    bytes(TfliteTestQuantization.quantizeMicroValues(v2, scale2, zp2, t)));
            h.output(t, broadcastShape(s1, s2), QuantParams.perTensor(outScale, outZp));
            h.op(op, new int[] {x, y}, options(op, a));
            int[] expected = TfliteTestQuantization.quantizeMicroValues(golden, outScale, outZp, t);
            int[] actual = toInts(h.run(backend, 1), t);
            if (toleranceQ == 0) {
                assertArrayEquals(expected, actual);
            } else {
                for (int k = 0; k < expected.length; k++) {
                    assertEquals(expected[k], actual[k], toleranceQ, "element " + k);
                }
            }
        });
    }
}
