package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.InvalidModelException;
import io.qbridge.QbridgeException;
import io.qbridge.QuantParams;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.plan.Planner;
import io.qbridge.testing.Backends;
import io.qbridge.testing.OpGraphs;
import io.qbridge.testing.RandomTensors;
import io.qbridge.tflite.schema.BuiltinOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static io.qbridge.ops.ActivationRuns.ACT_INPUT;
import static io.qbridge.ops.ActivationRuns.LITE_QUANTIZED_TOLERANCE;
import static io.qbridge.ops.ActivationRuns.assertNear;
import static io.qbridge.ops.ActivationRuns.fixedOutput;
import static io.qbridge.ops.ActivationRuns.ramp;
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
 * RELU, RELU6, LOGISTIC and TANH on every available backend. Peer vectors: TFLite's
 * {@code tensorflow/lite/kernels/activations_test.cc} ("lite") and TFLite Micro's
 * {@code tensorflow/lite/micro/kernels/{activations,logistic,tanh}_test.cc} ("micro"), named after
 * their tests, with the tests' tolerances (lite: {@code kQuantizedTolerance} = 2/256 on
 * dequantized values, {@code ArrayFloatNear}'s 1e-5 for float; micro: quantized units as stated).
 * Quantized outputs use TFLite's fixed parameters (1/256 for LOGISTIC, 1/128 for TANH).
 * <p>Randomized (fixed seeds, uint8 and int8, {@link FloatTwin}): the float op on the dequantized
 * input agrees with the dequantized quantized result within the error the output quantization
 * allows; results are identical for 1 and 3 threads and, on native backends, equal to java's byte
 * for byte ({@link io.qbridge.testing.JavaReference}).
 * <p>Bad operators are refused when the model is planned, with an exception that names the
 * operator (and the tensor or option at fault), never a crash later.
 */
class ActivationTest {
    private static final int[] SHAPE_1241 = {1, 2, 4, 1};

    static Stream<Interpreter.Backend> backends() {
        return Backends.available();
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

    // ---------------------------------------------------------------- randomized

    static Stream<Object[]> randomCases() {
        return FloatTwin.cases(FloatTwin.Kind.LOGISTIC, FloatTwin.Kind.TANH, FloatTwin.Kind.RELU, FloatTwin.Kind.RELU6);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("randomCases")
    void quantizedMatchesFloatWithinQuantizationError(Interpreter.Backend backend, FloatTwin.Case c) {
        FloatTwin.assertQuantizedMatchesFloat(backend, c, (r, inQ) -> randomSetup(c.kind(), r, c.type(), inQ));
    }

    /** One random op of the kind for {@link FloatTwin}: shapes, options, output parameters, error bound. */
    private static FloatTwin.Setup randomSetup(FloatTwin.Kind kind, Random r, DataType t, QuantParams inQ) {
        switch (kind) {
            case LOGISTIC:
            case TANH: {
                int[] shape = {1 + r.nextInt(3), 1 + r.nextInt(40)};
                boolean tanh = kind == FloatTwin.Kind.TANH;
                QuantParams outQ = tanh ? QuantParams.perTensor(1f / 128, t == DataType.UINT8 ? 128 : 0)
                        : QuantParams.perTensor(1f / 256, t == DataType.UINT8 ? 0 : -128);
                // Output rounding (half a step) plus gemmlowp's approximation error (well under a step).
                return new FloatTwin.Setup(tanh ? BuiltinOperator.TANH : BuiltinOperator.LOGISTIC, OpOptions.None.INSTANCE, shape,
                        shape, null, false, inQ, outQ, outQ.scale());
            }
            case RELU:
            case RELU6:
            default: {
                int[] shape = {1 + r.nextInt(2), 1 + r.nextInt(5), 1 + r.nextInt(33)};
                float outMin = kind == FloatTwin.Kind.RELU6 ? -r.nextFloat() : 0;
                float outMax = (kind == FloatTwin.Kind.RELU6 ? 6f : 8f) * (0.5f + r.nextFloat());
                QuantParams outQ = RandomTensors.rangeParams(outMin, outMax, t);
                return new FloatTwin.Setup(kind == FloatTwin.Kind.RELU ? BuiltinOperator.RELU : BuiltinOperator.RELU6,
                        OpOptions.None.INSTANCE, shape, shape, null, false, inQ, outQ, outQ.scale());
            }
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
    void quantizedWithoutQuantizationParameters() {
        Graph g = OpGraphs.unary(BuiltinOperator.RELU, OpOptions.None.INSTANCE, DataType.INT8, new int[] {4},
                QuantParams.NONE, new int[] {4}, Q);
        assertRefused(InvalidModelException.class, g, "operator 0 (RELU)", "no quantization parameters");
    }

    @Test
    void elementwiseOutputMustMatchInput() {
        Graph type = OpGraphs.unary(BuiltinOperator.RELU6, OpOptions.None.INSTANCE, DataType.FLOAT32, new int[] {4},
                QuantParams.NONE, new int[] {4}, QuantParams.NONE);
        GraphBuilder b = new GraphBuilder();
        int in = b.input("in", DataType.FLOAT32, new int[] {4}, QuantParams.NONE);
        int out = b.tensor("out", DataType.INT8, new int[] {4}, Q);
        b.op(BuiltinOperator.RELU6, new int[] {in}, new int[] {out}, OpOptions.None.INSTANCE).output(out);
        assertRefused(InvalidModelException.class, b.build(), "operator 0 (RELU6)", "is INT8, expected FLOAT32");
        Graph shape = OpGraphs.unary(BuiltinOperator.TANH, OpOptions.None.INSTANCE, DataType.FLOAT32, new int[] {4},
                QuantParams.NONE, new int[] {2, 2}, QuantParams.NONE);
        assertRefused(InvalidModelException.class, shape, "operator 0 (TANH)", "[2, 2]");
        Planner.plan(type);   // the well-formed twin plans
    }

    @Test
    void fixedOutputParametersAreRequired() {
        Graph logistic = OpGraphs.unary(BuiltinOperator.LOGISTIC, OpOptions.None.INSTANCE, DataType.INT8,
                new int[] {8}, Q, new int[] {8}, QuantParams.perTensor(1f / 128, -128));
        assertRefused(InvalidModelException.class, logistic, "operator 0 (LOGISTIC)");
        Graph tanh = OpGraphs.unary(BuiltinOperator.TANH, OpOptions.None.INSTANCE, DataType.UINT8, new int[] {8}, Q,
                new int[] {8}, QuantParams.perTensor(1f / 128, 0));
        assertRefused(InvalidModelException.class, tanh, "operator 0 (TANH)", "zero point 128");
    }
}
