package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.testing.Backends;
import io.qbridge.testing.ModelRunner;
import io.qbridge.testing.OpGraphs;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.qbridge.testing.TfliteTestQuantization.dequantize;
import static io.qbridge.testing.TfliteTestQuantization.params;
import static io.qbridge.testing.TfliteTestQuantization.quantizeLite;
import static io.qbridge.testing.TfliteTestQuantization.quantizeMicro;
import static io.qbridge.testing.TfliteTestQuantization.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * RELU, RELU6, LOGISTIC, TANH and SOFTMAX against the vectors of TFLite's
 * {@code tensorflow/lite/kernels/activations_test.cc} ("lite") and TFLite Micro's
 * {@code tensorflow/lite/micro/kernels/{activations,logistic,tanh,softmax}_test.cc} ("micro"),
 * named after their tests, with the tests' tolerances (lite: {@code kQuantizedTolerance} =
 * 2/256 on dequantized values, {@code ArrayFloatNear}'s 1e-5 for float; micro: quantized
 * units as stated). Quantized outputs use TFLite's fixed parameters (1/256 for LOGISTIC and
 * SOFTMAX, 1/128 for TANH).
 */
class ActivationPeerVectorsTest {
    private static final float LITE_QUANTIZED_TOLERANCE = 2f / 256;
    private static final float[] ACT_INPUT = {0, -6, 2, 4, 3, -2, 10, 1};
    private static final int[] SHAPE_1241 = {1, 2, 4, 1};

    static Stream<Interpreter.Backend> backends() {
        return Backends.available();
    }

    private static float[] runFloat(Interpreter.Backend b, int op, OpOptions options, int[] shape, float[] input) {
        Graph g = OpGraphs.unary(op, options, DataType.FLOAT32, shape, QuantParams.NONE, shape, QuantParams.NONE);
        return ModelRunner.runFloats(g, b, 1, input);
    }

    private static byte[] runQuantized(Interpreter.Backend b, int op, OpOptions options, DataType type, int[] shape,
                                       QuantParams inQ, QuantParams outQ, byte[] input) {
        Graph g = OpGraphs.unary(op, options, type, shape, inQ, shape, outQ);
        return ModelRunner.runBytes(g, b, 1, input);
    }

    private static void assertNear(float[] expected, float[] actual, float tolerance) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, "element " + i);
        }
    }

    private static void assertNear(int[] expected, int[] actual, int tolerance) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, "element " + i);
        }
    }

    /** The fixed output parameters of LOGISTIC / SOFTMAX (1/256) and TANH (1/128). */
    static QuantParams fixedOutput(int op, DataType type) {
        if (op == BuiltinOperator.TANH) {
            return QuantParams.perTensor(1f / 128, type == DataType.UINT8 ? 128 : 0);
        }
        return QuantParams.perTensor(1f / 256, type == DataType.UINT8 ? 0 : -128);
    }

    /** Evenly spaced test inputs: {@code count} values from min to max (the tests' "64+16+8+1 elements"). */
    private static float[] ramp(float min, float max, int count) {
        float[] r = new float[count];
        for (int i = 0; i < count; i++) {
            r[i] = (float) (min + (max - min) * i / (double) (count - 1));
        }
        return r;
    }

    // ---- RELU / RELU6 ----

    /** lite FloatActivationsOpTest.Relu. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteFloatRelu(Interpreter.Backend b) {
        assertArrayEquals(new float[] {0, 0, 2, 4, 3, 0, 10, 1},
                runFloat(b, BuiltinOperator.RELU, OpOptions.None.INSTANCE, SHAPE_1241, ACT_INPUT));
    }

    /** lite FloatActivationsOpTest.Relu6. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteFloatRelu6(Interpreter.Backend b) {
        assertArrayEquals(new float[] {0, 0, 2, 4, 3, 0, 6, 1},
                runFloat(b, BuiltinOperator.RELU6, OpOptions.None.INSTANCE, SHAPE_1241, ACT_INPUT));
    }

    private static int[] liteRelu(Interpreter.Backend b, int op, DataType type, float[] input) {
        QuantParams q = params(-8f, 8f * 127f / 128f, type);
        byte[] out = runQuantized(b, op, OpOptions.None.INSTANCE, type, SHAPE_1241, q, q, quantizeLite(input, q, type));
        return values(out, type);
    }

    /** lite QuantizedActivationsOpTest.Relu6Uint8. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteRelu6Uint8(Interpreter.Backend b) {
        assertArrayEquals(new int[] {128, 128, 160, 192, 176, 128, 224, 144},
                liteRelu(b, BuiltinOperator.RELU6, DataType.UINT8, ACT_INPUT));
    }

    /** lite QuantizedActivationsOpTest.Relu6Int8. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteRelu6Int8(Interpreter.Backend b) {
        assertArrayEquals(new int[] {0, 0, 32, 64, 48, 0, 96, 16},
                liteRelu(b, BuiltinOperator.RELU6, DataType.INT8, ACT_INPUT));
    }

    /** lite QuantizedActivationsOpTest.ReluUint8. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteReluUint8(Interpreter.Backend b) {
        assertArrayEquals(new int[] {128, 128, 160, 192, 176, 128, 240, 144},
                liteRelu(b, BuiltinOperator.RELU, DataType.UINT8, new float[] {0, -6, 2, 4, 3, -2, 7, 1}));
    }

    /** lite QuantizedActivationsOpTest.ReluInt8. */
    @ParameterizedTest
    @MethodSource("backends")
    void liteReluInt8(Interpreter.Backend b) {
        assertArrayEquals(new int[] {0, 0, 32, 64, 48, 0, 112, 16},
                liteRelu(b, BuiltinOperator.RELU, DataType.INT8, new float[] {0, -6, 2, 4, 3, -2, 7, 1}));
    }

    /** micro ActivationsTest.SimpleReluTestFloat and SimpleRelu6TestFloat. */
    @ParameterizedTest
    @MethodSource("backends")
    void microReluAndRelu6Float(Interpreter.Backend b) {
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 0, 0, 0, 0, 0}, runFloat(b, BuiltinOperator.RELU,
                OpOptions.None.INSTANCE, new int[] {1, 10}, new float[] {1, 2, 3, 4, 5, -1, -2, -3, -4, -5}));
        assertArrayEquals(new float[] {4, 5, 6, 6, 6, 0, 0, 0, 0, 0}, runFloat(b, BuiltinOperator.RELU6,
                OpOptions.None.INSTANCE, new int[] {1, 10}, new float[] {4, 5, 6, 7, 8, -4, -5, -6, -7, -8}));
    }

    /** micro ActivationsTest.SimpleReluTestInt8 (scale 0.5, zero point 0; exact). */
    @ParameterizedTest
    @MethodSource("backends")
    void microSimpleReluTestInt8(Interpreter.Backend b) {
        QuantParams q = QuantParams.perTensor(0.5f, 0);
        byte[] in = quantizeMicro(new float[] {1, 2, 3, 4, 5, -1, -2, -3, -4, -5}, 0.5f, 0, DataType.INT8);
        byte[] golden = quantizeMicro(new float[] {1, 2, 3, 4, 5, 0, 0, 0, 0, 0}, 0.5f, 0, DataType.INT8);
        assertArrayEquals(golden, runQuantized(b, BuiltinOperator.RELU, OpOptions.None.INSTANCE, DataType.INT8,
                new int[] {1, 10}, q, q, in));
    }

    /** micro ActivationsTest.SimpleRelu6TestInt8 (scale 0.5, zero point 127: inputs above 0 saturate). */
    @ParameterizedTest
    @MethodSource("backends")
    void microSimpleRelu6TestInt8(Interpreter.Backend b) {
        QuantParams q = QuantParams.perTensor(0.5f, 127);
        byte[] in = quantizeMicro(new float[] {4, 5, 6, 7, 8, -1, -2, -3, -4, -5}, 0.5f, 127, DataType.INT8);
        byte[] golden = quantizeMicro(new float[] {4, 5, 6, 6, 6, 0, 0, 0, 0, 0}, 0.5f, 127, DataType.INT8);
        assertArrayEquals(golden, runQuantized(b, BuiltinOperator.RELU6, OpOptions.None.INSTANCE, DataType.INT8,
                new int[] {1, 10}, q, q, in));
    }

    // ---- TANH ----

    /** lite TanhOpTest.Tanh (float). */
    @ParameterizedTest
    @MethodSource("backends")
    void liteFloatTanh(Interpreter.Backend b) {
        assertNear(new float[] {0, -0.9999877f, 0.9640275f, 0.999329f, 0.99505475f, -0.9640275f, 1, 0.7615941f},
                runFloat(b, BuiltinOperator.TANH, OpOptions.None.INSTANCE, SHAPE_1241, ACT_INPUT), 1e-5f);
    }

    /**
     * lite TanhOpTest.TanhUint8 and TanhInt8: 89 inputs from -8 to 8, input range [-8, 8*127/128],
     * tolerance 0.014. The source lists tanh(x) to 10 digits; here Math.tanh gives the same values.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void liteTanhQuantized(Interpreter.Backend b) {
        float[] input = ramp(-8, 8, 89);
        float[] expected = new float[input.length];
        for (int i = 0; i < input.length; i++) {
            expected[i] = (float) Math.tanh(input[i]);
        }
        for (DataType type : new DataType[] {DataType.UINT8, DataType.INT8}) {
            QuantParams inQ = params(-8f, 8f * 127f / 128f, type);
            QuantParams outQ = params(-1f, 127f / 128f, type);
            assertEquals(fixedOutput(BuiltinOperator.TANH, type), outQ);
            byte[] out = runQuantized(b, BuiltinOperator.TANH, OpOptions.None.INSTANCE, type, new int[] {89}, inQ, outQ,
                    quantizeLite(input, inQ, type));
            assertNear(expected, dequantize(out, outQ, type), 0.014f);
        }
    }

    private static final float[] MICRO_TANH_OUTPUT = {
        -0.9999997749f, -0.9999996762f, -0.9999995342f, -0.9999993300f, -0.9999990361f,
        -0.9999986134f, -0.9999980053f, -0.9999971306f, -0.9999958722f, -0.9999940619f,
        -0.9999914578f, -0.9999877117f, -0.9999823226f, -0.9999745703f, -0.9999634183f,
        -0.9999473758f, -0.9999242982f, -0.9998911009f, -0.9998433469f, -0.9997746542f,
        -0.9996758446f, -0.9995337191f, -0.9993292997f, -0.9990353053f, -0.9986125310f,
        -0.9980046622f, -0.9971308601f, -0.9958751909f, -0.9940716137f, -0.9914827859f,
        -0.9877703933f, -0.9824541388f, -0.9748561217f, -0.9640275801f, -0.9486568273f,
        -0.9269625051f, -0.8965880154f, -0.8545351057f, -0.7972097087f, -0.7206956332f,
        -0.6213939966f, -0.4971057414f, -0.3484130125f, -0.1798408185f, 0.0000000000f,
        0.1798408185f, 0.3484130125f, 0.4971057414f, 0.6213939966f, 0.7206956332f,
        0.7972097087f, 0.8545351057f, 0.8965880154f, 0.9269625051f, 0.9486568273f,
        0.9640275801f, 0.9748561217f, 0.9824541388f, 0.9877703933f, 0.9914827859f,
        0.9940716137f, 0.9958751909f, 0.9971308601f, 0.9980046622f, 0.9986125310f,
        0.9990353053f, 0.9993292997f, 0.9995337191f, 0.9996758446f, 0.9997746542f,
        0.9998433469f, 0.9998911009f, 0.9999242982f, 0.9999473758f, 0.9999634183f,
        0.9999745703f, 0.9999823226f, 0.9999877117f, 0.9999914578f, 0.9999940619f,
        0.9999958722f, 0.9999971306f, 0.9999980053f, 0.9999986134f, 0.9999990361f,
        0.9999993300f, 0.9999995342f, 0.9999996762f, 0.9999997749f};

    /** micro TanhTest.SimpleTestTanhFloat (89 inputs from -8 to 8, tolerance 1e-7). */
    @ParameterizedTest
    @MethodSource("backends")
    void microSimpleTestTanhFloat(Interpreter.Backend b) {
        float[] out = runFloat(b, BuiltinOperator.TANH, OpOptions.None.INSTANCE, new int[] {1, 89}, ramp(-8, 8, 89));
        assertNear(MICRO_TANH_OUTPUT, out, 1e-7f);
    }

    /** micro TanhTest.SimpleTestTanhInt8: input scale 16/256, output 1.99999955/256 (1/128 within 0.1%), tolerance 2. */
    @ParameterizedTest
    @MethodSource("backends")
    void microSimpleTestTanhInt8(Interpreter.Backend b) {
        float outScale = 1.99999955f / 256.f;
        QuantParams inQ = QuantParams.perTensor(16 / 256.f, 0);
        QuantParams outQ = QuantParams.perTensor(outScale, 0);
        byte[] out = runQuantized(b, BuiltinOperator.TANH, OpOptions.None.INSTANCE, DataType.INT8, new int[] {1, 89},
                inQ, outQ, quantizeMicro(ramp(-8, 8, 89), 16 / 256.f, 0, DataType.INT8));
        assertNear(values(quantizeMicro(MICRO_TANH_OUTPUT, outScale, 0, DataType.INT8), DataType.INT8),
                values(out, DataType.INT8), 2);
    }

    // ---- LOGISTIC ----

    /** lite LogisticOpTest.Sigmoid (float). */
    @ParameterizedTest
    @MethodSource("backends")
    void liteFloatSigmoid(Interpreter.Backend b) {
        assertNear(new float[] {0.5f, 0.002473f, 0.880797f, 0.982014f, 0.952574f, 0.119203f, 0.999955f, 0.731059f},
                runFloat(b, BuiltinOperator.LOGISTIC, OpOptions.None.INSTANCE, SHAPE_1241, ACT_INPUT), 1e-5f);
    }

    /**
     * lite LogisticOpTest.SigmoidUint8 and SigmoidInt8: 89 inputs from -10 to 10 in [-10, 10],
     * tolerance 2/256. The source lists 1/(1+exp(-x)) to 10 digits; computed here in double.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void liteSigmoidQuantized(Interpreter.Backend b) {
        float[] input = ramp(-10, 10, 89);
        float[] expected = new float[input.length];
        for (int i = 0; i < input.length; i++) {
            expected[i] = (float) (1 / (1 + Math.exp(-input[i])));
        }
        for (DataType type : new DataType[] {DataType.UINT8, DataType.INT8}) {
            QuantParams inQ = params(-10f, 10f, type);
            QuantParams outQ = fixedOutput(BuiltinOperator.LOGISTIC, type);
            byte[] out = runQuantized(b, BuiltinOperator.LOGISTIC, OpOptions.None.INSTANCE, type, new int[] {89}, inQ,
                    outQ, quantizeLite(input, inQ, type));
            assertNear(expected, dequantize(out, outQ, type), LITE_QUANTIZED_TOLERANCE);
        }
    }

    private static final float[] MICRO_LOGISTIC_INPUT = {1, 2, 3, 4, 5, -1, -2, -3, -4, -5};
    private static final float[] MICRO_LOGISTIC_GOLDEN = {0.73105858f, 0.88079708f, 0.95257413f, 0.98201379f,
        0.99330715f, 0.26894142f, 0.11920292f, 0.04742587f, 0.01798621f, 0.00669285f};
    private static final float[] MICRO_WIDE_INPUT = {1.0f, 2.0f, 3.0f, 4.0f, 93.0f, -1.0f, -2.0f, -3.0f, -4.0f, -93.0f};
    private static final float[] MICRO_WIDE_GOLDEN = {0.73105858f, 0.88079708f, 0.95257413f, 0.98201379f, 1.0f,
        0.26894142f, 0.11920292f, 0.04742587f, 0.01798621f, 0.0f};

    /**
     * micro LogisticTest.LogisticFloatBasicShouldMatchGolden and LogisticFloatWideRangeShouldMatchGolden
     * (micro's wide-range shape [1, 5] checks only the first five of its ten values; all ten run here).
     */
    @ParameterizedTest
    @MethodSource("backends")
    void microLogisticFloat(Interpreter.Backend b) {
        assertNear(MICRO_LOGISTIC_GOLDEN, runFloat(b, BuiltinOperator.LOGISTIC, OpOptions.None.INSTANCE,
                new int[] {2, 5}, MICRO_LOGISTIC_INPUT), 1e-5f);
        assertNear(MICRO_WIDE_GOLDEN, runFloat(b, BuiltinOperator.LOGISTIC, OpOptions.None.INSTANCE,
                new int[] {2, 5}, MICRO_WIDE_INPUT), 1e-5f);
    }

    /**
     * micro LogisticTest.LogisticQuantizedInt8BasicShouldMatchGolden (input scale 0.1) and
     * ...WideRangeShouldMatchGolden (input scale 1), tolerance 1. Micro's test declares output
     * scale 1/255, which TFLite rejects for LOGISTIC; the golden is quantized with the required 1/256.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void microLogisticQuantizedInt8(Interpreter.Backend b) {
        QuantParams outQ = fixedOutput(BuiltinOperator.LOGISTIC, DataType.INT8);
        float[][] inputs = {MICRO_LOGISTIC_INPUT, MICRO_WIDE_INPUT};
        float[][] goldens = {MICRO_LOGISTIC_GOLDEN, MICRO_WIDE_GOLDEN};
        float[] scales = {0.1f, 1.0f};
        for (int t = 0; t < 2; t++) {
            byte[] out = runQuantized(b, BuiltinOperator.LOGISTIC, OpOptions.None.INSTANCE, DataType.INT8,
                    new int[] {1, 10}, QuantParams.perTensor(scales[t], 0), outQ,
                    quantizeMicro(inputs[t], scales[t], 0, DataType.INT8));
            assertNear(values(quantizeMicro(goldens[t], outQ.scale(), outQ.zeroPoint(), DataType.INT8), DataType.INT8),
                    values(out, DataType.INT8), 1);
        }
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
}
