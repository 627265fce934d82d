package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.InvalidModelException;
import io.qbridge.QbridgeException;
import io.qbridge.QuantParams;
import io.qbridge.UnsupportedModelException;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.plan.Planner;
import io.qbridge.testing.Backends;
import io.qbridge.testing.ModelRunner;
import io.qbridge.testing.OpGraphs;
import io.qbridge.tflite.schema.BuiltinOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import static io.qbridge.ops.ActivationRuns.ACT_INPUT;
import static io.qbridge.ops.ActivationRuns.LITE_QUANTIZED_TOLERANCE;
import static io.qbridge.ops.ActivationRuns.assertNear;
import static io.qbridge.ops.ActivationRuns.fixedOutput;
import static io.qbridge.ops.ActivationRuns.runFloat;
import static io.qbridge.ops.ActivationRuns.runQuantized;
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
 * SOFTMAX on every available backend. Peer vectors: TFLite's
 * {@code tensorflow/lite/kernels/activations_test.cc} ("lite") and TFLite Micro's
 * {@code tensorflow/lite/micro/kernels/softmax_test.cc} ("micro"), named after their tests, with
 * the tests' tolerances (lite: {@code kQuantizedTolerance} = 2/256 on dequantized values,
 * {@code ArrayFloatNear}'s 1e-5 for float; micro: quantized units as stated). Quantized outputs use
 * TFLite's fixed parameters (scale 1/256).
 * <p>Edge cases: quantized
 * SOFTMAX at the ends of its fixed-point range: a single class (probability 1
 * saturates to the largest code), a row of 511 equal values (the largest sum TFLite's reference
 * kernel accepts: each 1/511 rounds to one step), and 600 equal values, where TFLite's reference
 * kernel stops on a TFLITE_CHECK and qbridge writes the minimum (each 1/600 is under half a step).
 * The first two were checked against TFLite's reference kernel built locally.
 * <p>Randomized (fixed seeds, uint8 and int8, {@link FloatTwin}): the float op on the dequantized
 * input agrees with the dequantized quantized result within the error the output quantization
 * allows; results are identical for 1 and 3 threads and, on native backends, equal to java's byte
 * for byte ({@link io.qbridge.testing.JavaReference}).
 * <p>Bad operators are refused when the model is planned, with an exception that names the
 * operator (and the tensor or option at fault), never a crash later.
 */
class SoftmaxTest {
    static Stream<Interpreter.Backend> backends() {
        return Backends.available();
    }

    // ---- SOFTMAX ----

    private static final float[] SOFTMAX_4D_BETA01 = {.23463f, .12877f, .28658f, .35003f, .22528f, .13664f, .45365f,
        .18443f};
    private static final float[] SOFTMAX_PAIRS_BETA01 = {0.645656f, 0.354344f, 0.450166f, 0.549834f, 0.622459f,
        0.377541f, 0.710949f, 0.28905f};

    /** lite SoftmaxOpTest.Softmax4D (float, beta 0.1, two shapes). */
    @ParameterizedTest
    @MethodSource("backends")
    void liteFloatSoftmax4D(Interpreter.Backend b) {
        OpOptions beta = new OpOptions.Softmax(0.1f);
        assertNear(SOFTMAX_4D_BETA01, runFloat(b, BuiltinOperator.SOFTMAX, beta, new int[] {1, 2, 1, 4}, ACT_INPUT),
                1e-5f);
        assertNear(SOFTMAX_PAIRS_BETA01, runFloat(b, BuiltinOperator.SOFTMAX, beta, new int[] {4, 1, 1, 2},
                new float[] {0, -6, 2, 4, 3, -2, 10, 1}), 1e-5f);
    }

    private static float[] liteSoftmaxQuantized(Interpreter.Backend b, DataType type, int[] shape) {
        QuantParams inQ = params(-10f, 10f, type);
        QuantParams outQ = fixedOutput(BuiltinOperator.SOFTMAX, type);
        byte[] out = runQuantized(b, BuiltinOperator.SOFTMAX, new OpOptions.Softmax(0.1f), type, shape, inQ, outQ,
                quantizeLite(ACT_INPUT, inQ, type));
        return dequantize(out, outQ, type);
    }

    /** lite SoftmaxOpTest.Softmax4DUint8 (beta 0.1, input [-10, 10], two shapes). */
    @ParameterizedTest
    @MethodSource("backends")
    void liteSoftmax4DUint8(Interpreter.Backend b) {
        assertNear(SOFTMAX_4D_BETA01, liteSoftmaxQuantized(b, DataType.UINT8, new int[] {1, 2, 1, 4}),
                LITE_QUANTIZED_TOLERANCE);
        assertNear(SOFTMAX_PAIRS_BETA01, liteSoftmaxQuantized(b, DataType.UINT8, new int[] {4, 1, 1, 2}),
                LITE_QUANTIZED_TOLERANCE);
    }

    /** lite SoftmaxOpTest.Softmax1DInt8. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteSoftmax1DInt8(Interpreter.Backend b) {
        assertNear(new float[] {0.09766f, 0.05469f, 0.12109f, 0.14453f, 0.13281f, 0.07813f, 0.26563f, 0.10938f},
                liteSoftmaxQuantized(b, DataType.INT8, new int[] {8}), LITE_QUANTIZED_TOLERANCE);
    }

    /** lite SoftmaxOpTest.Softmax2DInt8, Softmax3DInt8 and Softmax4DInt8 (each with its second shape). */
    @ParameterizedTest
    @MethodSource("backends")
    void liteSoftmax2D3D4DInt8(Interpreter.Backend b) {
        int[][] rows = {{2, 4}, {1, 2, 4}, {1, 2, 1, 4}};
        int[][] pairs = {{4, 2}, {4, 1, 2}, {4, 1, 1, 2}};
        for (int i = 0; i < rows.length; i++) {
            assertNear(SOFTMAX_4D_BETA01, liteSoftmaxQuantized(b, DataType.INT8, rows[i]), LITE_QUANTIZED_TOLERANCE);
            assertNear(SOFTMAX_PAIRS_BETA01, liteSoftmaxQuantized(b, DataType.INT8, pairs[i]), LITE_QUANTIZED_TOLERANCE);
        }
    }

    private static final float[] MICRO_SOFTMAX_1D_IN = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f};
    private static final float[] MICRO_SOFTMAX_1D = {0.011656231f, 0.031684921f, 0.086128544f, 0.234121657f,
        0.636408647f};
    private static final float[] MICRO_SOFTMAX_2D_IN = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, -1.0f, -2.0f, -3.0f, -4.0f,
        -5.0f};
    private static final float[] MICRO_SOFTMAX_2D = {0.011656231f, 0.031684921f, 0.086128544f, 0.234121657f,
        0.636408647f, 0.636408647f, 0.234121657f, 0.086128544f, 0.031684921f, 0.011656231f};
    private static final float[] MICRO_SOFTMAX_3D_IN = {
        3.00f, 6.00f, -5.00f, 4.00f, -9.00f, -10.00f, -10.00f, -8.00f, 2.00f, 2.00f,
        8.00f, -5.00f, -8.00f, 5.00f, -6.00f, -8.00f, 6.00f, 1.00f, -10.00f, -8.00f,
        7.00f, 6.00f, -10.00f, -4.00f, -5.00f, 2.00f, 7.00f, 9.00f, -9.00f, 7.00f,
        -4.00f, -2.00f, 8.00f, 2.00f, 2.00f, 3.00f, 6.00f, 6.00f, 2.00f, 4.00f,
        9.00f, 7.00f, -7.00f, 0.00f, 4.00f, -3.00f, 8.00f, 8.00f, -3.00f, -4.00f,
        -9.00f, -9.00f, 4.00f, -8.00f, -1.00f, -10.00f, -2.00f, 6.00f, -7.00f, 0.00f};
    private static final float[] MICRO_SOFTMAX_3D = {
        0.042009463f, 0.843782625f, 0.000014093f, 0.114193561f, 0.000000258f,
        0.000003072f, 0.000003072f, 0.000022699f, 0.499985578f, 0.499985578f,
        0.952571219f, 0.000002153f, 0.000000107f, 0.047425728f, 0.000000792f,
        0.000000826f, 0.993305397f, 0.006692839f, 0.000000112f, 0.000000826f,
        0.731046347f, 0.268936922f, 0.000000030f, 0.000012210f, 0.000004492f,
        0.000717124f, 0.106430599f, 0.786421666f, 0.000000012f, 0.106430599f,
        0.000006114f, 0.000045174f, 0.995015917f, 0.002466398f, 0.002466398f,
        0.022595176f, 0.453836234f, 0.453836234f, 0.008312301f, 0.061420055f,
        0.875505904f, 0.118486839f, 0.000000099f, 0.000108046f, 0.005899112f,
        0.000008351f, 0.499990113f, 0.499990113f, 0.000008351f, 0.000003072f,
        0.000002245f, 0.000002245f, 0.993296627f, 0.000006103f, 0.006692780f,
        0.000000112f, 0.000334520f, 0.997191323f, 0.000002254f, 0.002471790f};
    /** micro's 4-D data: the 3-D data (n = 0) followed by these 60 values (n = 1). */
    private static final float[] MICRO_SOFTMAX_4D_IN_N1 = {
        -9.00f, -8.00f, 6.00f, -1.00f, -5.00f, -10.00f, -5.00f, -10.00f, 7.00f, -2.00f,
        -5.00f, -4.00f, 1.00f, 2.00f, 2.00f, -2.00f, -2.00f, 1.00f, 1.00f, -4.00f,
        -8.00f, -3.00f, 1.00f, 1.00f, -1.00f, -2.00f, 6.00f, -1.00f, -5.00f, 6.00f,
        -7.00f, 8.00f, 9.00f, 0.00f, 9.00f, -9.00f, -5.00f, -2.00f, 0.00f, 8.00f,
        4.00f, 2.00f, -3.00f, 5.00f, 8.00f, -1.00f, 1.00f, -4.00f, -9.00f, 7.00f,
        3.00f, -8.00f, 0.00f, 9.00f, -4.00f, 8.00f, -1.00f, 9.00f, -9.00f, 1.00f};
    private static final float[] MICRO_SOFTMAX_4D_N1 = {
        0.000000306f, 0.000000831f, 0.999071142f, 0.000911035f, 0.000016686f,
        0.000000041f, 0.000006143f, 0.000000041f, 0.999870380f, 0.000123394f,
        0.000384554f, 0.001045327f, 0.155140254f, 0.421714933f, 0.421714933f,
        0.023637081f, 0.023637081f, 0.474763454f, 0.474763454f, 0.003198931f,
        0.000057299f, 0.008503973f, 0.464301197f, 0.464301197f, 0.062836334f,
        0.000167625f, 0.499684188f, 0.000455653f, 0.000008346f, 0.499684188f,
        0.000000048f, 0.155354299f, 0.422296769f, 0.000052116f, 0.422296769f,
        0.000000041f, 0.000002259f, 0.000045383f, 0.000335334f, 0.999616982f,
        0.017107856f, 0.002315297f, 0.000015600f, 0.046503973f, 0.934057274f,
        0.000334516f, 0.002471755f, 0.000016655f, 0.000000112f, 0.997176963f,
        0.002472313f, 0.000000041f, 0.000123089f, 0.997402302f, 0.000002254f,
        0.268866557f, 0.000033181f, 0.730855076f, 0.000000011f, 0.000245175f};

    private static float[] concat(float[] a, float[] b) {
        float[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static final int[][] MICRO_SHAPES = {{5}, {2, 5}, {3, 4, 5}, {2, 3, 4, 5}};
    private static final float[][] MICRO_INPUTS = {MICRO_SOFTMAX_1D_IN, MICRO_SOFTMAX_2D_IN, MICRO_SOFTMAX_3D_IN,
        concat(MICRO_SOFTMAX_3D_IN, MICRO_SOFTMAX_4D_IN_N1)};
    private static final float[][] MICRO_GOLDENS = {MICRO_SOFTMAX_1D, MICRO_SOFTMAX_2D, MICRO_SOFTMAX_3D,
        concat(MICRO_SOFTMAX_3D, MICRO_SOFTMAX_4D_N1)};

    /** micro SoftmaxTest.Softmax{1D,2D,3D,4D}FloatShouldMatchGolden (tolerance 1e-5). */
    @ParameterizedTest
    @MethodSource("backends")
    void microSoftmaxFloat(Interpreter.Backend b) {
        for (int i = 0; i < MICRO_SHAPES.length; i++) {
            assertNear(MICRO_GOLDENS[i], runFloat(b, BuiltinOperator.SOFTMAX, new OpOptions.Softmax(1f),
                    MICRO_SHAPES[i], MICRO_INPUTS[i]), 1e-5f);
        }
    }

    /** micro SoftmaxTest.Softmax{1D,2D,3D,4D}QuantizedInt8ShouldMatchGolden (input scale 0.1, tolerance 1). */
    @ParameterizedTest
    @MethodSource("backends")
    void microSoftmaxQuantizedInt8(Interpreter.Backend b) {
        QuantParams outQ = fixedOutput(BuiltinOperator.SOFTMAX, DataType.INT8);
        for (int i = 0; i < MICRO_SHAPES.length; i++) {
            byte[] out = runQuantized(b, BuiltinOperator.SOFTMAX, new OpOptions.Softmax(1f), DataType.INT8,
                    MICRO_SHAPES[i], QuantParams.perTensor(0.1f, 0), outQ,
                    quantizeMicro(MICRO_INPUTS[i], 0.1f, 0, DataType.INT8));
            assertNear(values(quantizeMicro(MICRO_GOLDENS[i], outQ.scale(), outQ.zeroPoint(), DataType.INT8),
                    DataType.INT8), values(out, DataType.INT8), 1);
        }
    }

    // ---------------------------------------------------------------- the ends of the fixed-point range

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

    // ---------------------------------------------------------------- randomized

    static Stream<Object[]> randomCases() {
        return FloatTwin.cases(FloatTwin.Kind.SOFTMAX);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("randomCases")
    void quantizedMatchesFloatWithinQuantizationError(Interpreter.Backend backend, FloatTwin.Case c) {
        FloatTwin.assertQuantizedMatchesFloat(backend, c, (r, inQ) -> randomSetup(c.kind(), r, c.type(), inQ));
    }

    /** One random op of the kind for {@link FloatTwin}: shapes, options, output parameters, error bound. */
    private static FloatTwin.Setup randomSetup(FloatTwin.Kind kind, Random r, DataType t, QuantParams inQ) {
        switch (kind) {
            case SOFTMAX: {
                int rank = 1 + r.nextInt(4);
                int[] shape = new int[rank];
                for (int d = 0; d < rank - 1; d++) {
                    shape[d] = 1 + r.nextInt(3);
                }
                shape[rank - 1] = 1 + r.nextInt(r.nextBoolean() ? 10 : 300);
                float beta = r.nextBoolean() ? 1f : 0.2f + r.nextFloat() * 2;
                QuantParams outQ = QuantParams.perTensor(1f / 256, t == DataType.UINT8 ? 0 : -128);
                return new FloatTwin.Setup(BuiltinOperator.SOFTMAX, new OpOptions.Softmax(beta), shape, shape, null, false, inQ,
                        outQ, 1f / 256);
            }
            default:
                throw new IllegalArgumentException(kind.toString());
        }
    }

    // ---------------------------------------------------------------- refused operators

    private static final QuantParams Q = QuantParams.perTensor(0.1f, 3);
    private static final QuantParams SOFTMAX_INT8 = QuantParams.perTensor(1f / 256, -128);

    private static <T extends QbridgeException> void assertRefused(Class<T> type, Graph g, String... fragments) {
        T e = assertThrows(type, () -> Planner.plan(g));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void quantizedSoftmaxLimits() {
        Graph beta = OpGraphs.unary(BuiltinOperator.SOFTMAX, new OpOptions.Softmax(0f), DataType.INT8,
                new int[] {1, 10}, Q, new int[] {1, 10}, SOFTMAX_INT8);
        assertRefused(UnsupportedModelException.class, beta, "SOFTMAX", "beta 0.0");
        Graph deep = OpGraphs.unary(BuiltinOperator.SOFTMAX, new OpOptions.Softmax(1f), DataType.INT8,
                new int[] {1, 5000}, Q, new int[] {1, 5000}, SOFTMAX_INT8);
        assertRefused(UnsupportedModelException.class, deep, "SOFTMAX", "5000");
        Graph options = OpGraphs.unary(BuiltinOperator.SOFTMAX, OpOptions.None.INSTANCE, DataType.FLOAT32,
                new int[] {1, 10}, QuantParams.NONE, new int[] {1, 10}, QuantParams.NONE);
        assertRefused(InvalidModelException.class, options, "operator 0 (SOFTMAX)", "options");
    }

    @Test
    void fixedOutputParametersAreRequired() {
        Graph softmaxZp = OpGraphs.unary(BuiltinOperator.SOFTMAX, new OpOptions.Softmax(1f), DataType.INT8,
                new int[] {1, 10}, Q, new int[] {1, 10}, QuantParams.perTensor(1f / 256, 0));
        assertRefused(InvalidModelException.class, softmaxZp, "operator 0 (SOFTMAX)", "zero point -128");
        Graph softmaxScale = OpGraphs.unary(BuiltinOperator.SOFTMAX, new OpOptions.Softmax(1f), DataType.UINT8,
                new int[] {1, 10}, Q, new int[] {1, 10}, QuantParams.perTensor(1f / 255, 0));
        assertRefused(InvalidModelException.class, softmaxScale, "operator 0 (SOFTMAX)", "scale 0.00390625");
    }
}
