package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.numerics.QuantMath;
import io.qbridge.testing.Backends;
import io.qbridge.testing.JavaReference;
import io.qbridge.testing.ModelRunner;
import io.qbridge.testing.RandomConvLayer;
import io.qbridge.testing.RandomTensors;
import io.qbridge.testing.RandomConvLayer.Kind;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.qbridge.testing.RandomConvLayer.size;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The convolution family, CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, on every available
 * backend; every quantized run is also compared with java byte for byte ({@link JavaReference}):
 * <ul>
 * <li>random layers ({@link RandomConvLayer}, fixed seeds) quantized from real values (uint8
 * per-tensor, int8 per-channel) agree with their float twin within the error quantization allows;</li>
 * <li>random layers with random quantization (zero points at the ends of their ranges, multipliers
 * above 1 and far below, int8 weights of -128, per-tensor int8 FC, no bias) are bit-exact with java
 * on each native backend that must be;</li>
 * <li>TFLite's own test vectors;</li>
 * <li>results are identical for 1 and 3 threads.</li>
 * </ul>
 */
class ConvTest {

    record Case(int seed, Kind kind, DataType type) {
        @Override
        public String toString() {
            return kind + " " + type + " seed " + seed;
        }
    }

    static Stream<Object[]> calibratedCases() {
        List<Object[]> list = new ArrayList<>();
        for (Interpreter.Backend backend : Backends.available().toList()) {
            for (int seed = 1; seed <= 12; seed++) {
                for (Kind kind : Kind.values()) {
                    list.add(new Object[] {backend, new Case(seed, kind, seed % 2 == 0 ? DataType.INT8 : DataType.UINT8)});
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("calibratedCases")
    void quantizedMatchesFloatWithinQuantizationError(Interpreter.Backend backend, Case c) {
        Random r = new Random(c.seed * 7919L + c.kind.ordinal());
        // no RELU_N1_TO_1 here: Arm NN 20.08's parser refuses it, and armnn is held to this test
        RandomConvLayer layer = RandomConvLayer.random(r, c.kind, Activation.NONE, Activation.RELU, Activation.RELU6);
        int outC = layer.outC();
        float inMin = -r.nextFloat() * 3;
        float inMax = r.nextFloat() * 3 + 0.1f;
        float[] input = uniform(r, size(layer.inputShape()), inMin, inMax);
        float[] filter = uniform(r, size(layer.filterShape()), -1f, 1f);
        float[] bias = uniform(r, outC, -0.5f, 0.5f);

        // the float reference always runs on java (native backends run quantized ops only)
        float[] expected = ModelRunner.runFloats(layer.floatGraph(filter, bias), Interpreter.Backend.JAVA, 1, input);
        float outMin = 0;
        float outMax = 0;
        for (float v : expected) {
            outMin = Math.min(outMin, v);
            outMax = Math.max(outMax, v);
        }
        outMax = Math.max(outMax, outMin + 1e-3f);

        // Quantized twin: int8 weights symmetric per channel, uint8 per tensor over [-1, 1].
        DataType t = c.type;
        QuantParams inQ = RandomTensors.rangeParams(inMin, inMax, t);
        QuantParams outQ = RandomTensors.rangeParams(outMin, outMax, t);
        int[] wq = new int[filter.length];
        QuantParams wQ;
        if (t == DataType.INT8) {
            float[] wScales = new float[outC];
            for (int i = 0; i < filter.length; i++) {
                int ch = layer.outputChannelOf(i, filter.length);
                wScales[ch] = Math.max(wScales[ch], Math.abs(filter[i]) / 127f);
            }
            for (int ch = 0; ch < outC; ch++) {
                wScales[ch] = Math.max(wScales[ch], 1e-6f);
            }
            for (int i = 0; i < filter.length; i++) {
                wq[i] = QuantMath.quantizeClamped(filter[i], wScales[layer.outputChannelOf(i, filter.length)], 0, -127, 127);
            }
            wQ = QuantParams.perChannel(wScales, new int[outC], layer.channelAxis());
        } else {
            wQ = RandomTensors.rangeParams(-1f, 1f, t);
            for (int i = 0; i < filter.length; i++) {
                wq[i] = QuantMath.quantizeClamped(filter[i], wQ.scale(), wQ.zeroPoint(), 0, 255);
            }
        }
        int[] bq = new int[outC];
        float sw = 0;
        for (int ch = 0; ch < outC; ch++) {
            float filterScale = wQ.isPerChannel() ? wQ.scale(ch) : wQ.scale();
            bq[ch] = QuantMath.quantize(bias[ch], inQ.scale() * filterScale, 0);
            sw = Math.max(sw, filterScale);
        }
        Graph quantized = layer.quantizedGraph(t, inQ, wQ, wq, bq, outQ);
        byte[] inBytes = new byte[input.length];
        for (int i = 0; i < input.length; i++) {
            inBytes[i] = (byte) QuantMath.quantizeClamped(input[i], inQ.scale(), inQ.zeroPoint(), t.minValue(), t.maxValue());
        }
        byte[] one = ModelRunner.runBytes(quantized, backend, 1, inBytes);
        byte[] three = ModelRunner.runBytes(quantized, backend, 3, inBytes);
        assertArrayEquals(one, three, "results differ between 1 and 3 threads");

        // Error bound per output: rounding of the output (1/2 step, +1/2 for double rounding), plus the
        // accumulated input and weight rounding: sum |w| * s_in/2 + |x| * s_w/2 + s_in * s_w / 4, plus
        // bias rounding. Computed loosely as K * (maxW * s_in/2 + maxX * s_w/2 + s_in*s_w/4).
        int k = layer.accumulationDepth();
        float maxX = Math.max(Math.abs(inMin), Math.abs(inMax)) + inQ.scale();
        float bound = outQ.scale() + k * (1f * inQ.scale() / 2 + maxX * sw / 2 + inQ.scale() * sw / 4)
                + inQ.scale() * sw;
        for (int i = 0; i < expected.length; i++) {
            int q = t == DataType.UINT8 ? one[i] & 0xFF : one[i];
            float actual = outQ.scale() * (q - outQ.zeroPoint());
            float e = Math.max(outMin, Math.min(outMax, expected[i]));
            assertTrue(Math.abs(actual - e) <= bound, c + " " + layer + ": output " + i + " is " + actual
                    + ", float gives " + expected[i] + ", bound " + bound);
        }
    }

    /**
     * Each native backend that must be bit-exact with java, with 150 seeds; where none loads, one
     * case that is skipped and says so.
     */
    static Stream<Object[]> bitExactCases() {
        List<Interpreter.Backend> natives = Backends.available().filter(JavaReference::isComparedWithJava).toList();
        if (natives.isEmpty()) {
            return Stream.<Object[]>of(new Object[] {null, 0});
        }
        return natives.stream().flatMap(b -> java.util.stream.IntStream.rangeClosed(1, 150)
                .mapToObj(seed -> new Object[] {b, seed}));
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("bitExactCases")
    void randomlyQuantizedLayerIsBitExactWithJava(Interpreter.Backend backend, int seed) {
        Assumptions.assumeTrue(backend != null, "no backend here that must be bit-exact with java");
        Random r = new Random(seed * 1_000_003L);
        Kind kind = Kind.values()[seed % 3];
        DataType type = (seed / 3) % 2 == 0 ? DataType.UINT8 : DataType.INT8;
        Graph graph = randomlyQuantized(r, RandomConvLayer.random(r, kind), type);
        byte[] input = new byte[(int) graph.tensor(graph.inputs()[0]).byteSize()];
        r.nextBytes(input);
        // runBytes compares each run with java (JavaReference)
        byte[] one = ModelRunner.runBytes(graph, backend, 1, input);
        assertArrayEquals(one, ModelRunner.runBytes(graph, backend, 3, input), "results differ between 1 and 3 threads");
    }

    /**
     * The layer with random quantization: zero points often at the ends of their range, output
     * scales from tiny (multipliers far below 1) to small (above 1: left shifts), random bias or none.
     */
    static Graph randomlyQuantized(Random r, RandomConvLayer layer, DataType t) {
        int qmin = t.minValue();
        int qmax = t.maxValue();
        int outC = layer.outC();
        QuantParams inQ = QuantParams.perTensor(0.02f + r.nextFloat() * 0.1f, extremeOr(r, qmin, qmax));
        float outScale = r.nextInt(4) == 0 ? 1e-5f + r.nextFloat() * 1e-4f : 0.01f + r.nextFloat() * 4f;
        QuantParams outQ = QuantParams.perTensor(outScale, extremeOr(r, qmin, qmax));
        int[] filter = new int[size(layer.filterShape())];
        boolean minus128 = r.nextInt(5) == 0;   // outside the spec, but must still be exact
        float[] wScales = new float[outC];
        for (int c = 0; c < outC; c++) {
            wScales[c] = 0.001f + r.nextFloat() * 0.05f;
        }
        QuantParams wQ;
        if (t == DataType.UINT8) {
            wQ = QuantParams.perTensor(wScales[0], extremeOr(r, 0, 255));
            for (int i = 0; i < filter.length; i++) {
                filter[i] = r.nextInt(256);
            }
        } else {
            wQ = layer.kind() == Kind.FULLY_CONNECTED && r.nextInt(4) == 0 ? QuantParams.perTensor(wScales[0], 0)
                    : QuantParams.perChannel(wScales, new int[outC], layer.channelAxis());
            for (int i = 0; i < filter.length; i++) {
                filter[i] = (minus128 ? -128 : -127) + r.nextInt(minus128 ? 256 : 255);
            }
        }
        int[] bias = new int[outC];
        for (int c = 0; c < outC; c++) {
            bias[c] = r.nextInt(200_001) - 100_000;
        }
        boolean withBias = r.nextInt(5) != 0;
        return layer.quantizedGraph(t, inQ, wQ, filter, withBias ? bias : null, outQ);
    }

    /** A uniformly random value, or one of the range ends a third of the time. */
    private static int extremeOr(Random r, int min, int max) {
        int k = r.nextInt(6);
        return k == 0 ? min : k == 1 ? max : min + r.nextInt(max - min + 1);
    }

    private static float[] uniform(Random r, int n, float min, float max) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = min + r.nextFloat() * (max - min);
        }
        return v;
    }

    // ---------------------------------------------------------------- TFLite's test vectors

    static Stream<Interpreter.Backend> backends() {
        return Backends.available();
    }

    private static final float[] CONV_INPUT = {3, 2, 1, -1, -2, -3, 4, 3, 2, -2, -3, -4};
    private static final float[] CONV_FILTER = {1, 2, 3, 4, 3, 4, 5, 6, 7, 8, 5, 6, 3, 4, 1, 2};

    /** conv_test.cc, ConvolutionOpTest.SimplePerTensorTest: expects {61, 111, -115, -89}. */
    @ParameterizedTest
    @MethodSource("backends")
    void convSimplePerTensorTest(Interpreter.Backend backend) {
        assertArrayEquals(new byte[] {61, 111, -115, -89}, runConvInt8(backend, new float[] {1f}));
    }

    /** conv_test.cc, ConvolutionOpTest.SimplePerChannelTest: expects {61, 127, -115, -93}. */
    @ParameterizedTest
    @MethodSource("backends")
    void convSimplePerChannelTest(Interpreter.Backend backend) {
        assertArrayEquals(new byte[] {61, 127, -115, -93}, runConvInt8(backend, new float[] {1f, 2f}));
    }

    private static byte[] runConvInt8(Interpreter.Backend backend, float[] filterScales) {
        GraphBuilder g = new GraphBuilder();
        QuantParams act = QuantParams.perTensor(0.5f, -1);   // range [-63.5, 64]
        int in = g.input("input", DataType.INT8, new int[] {1, 2, 3, 2}, act);
        int[] filterQ = new int[CONV_FILTER.length];
        for (int i = 0; i < CONV_FILTER.length; i++) {
            float scale = filterScales.length == 1 ? filterScales[0] : filterScales[i / 8];
            filterQ[i] = QuantMath.quantize(CONV_FILTER[i], scale, 0);
        }
        QuantParams filterParams = filterScales.length == 1 ? QuantParams.perTensor(filterScales[0], 0)
                : QuantParams.perChannel(filterScales, new int[filterScales.length], 0);
        int filter = g.constantQuantized("filter", DataType.INT8, new int[] {2, 2, 2, 2}, filterParams, filterQ);
        float[] bias = {3, -2};
        int[] biasQ = new int[2];
        float[] biasScales = new float[2];
        for (int c = 0; c < 2; c++) {
            biasScales[c] = 0.5f * (filterScales.length == 1 ? filterScales[0] : filterScales[c]);
            biasQ[c] = QuantMath.quantize(bias[c], biasScales[c], 0);
        }
        int b = g.constantInt32("bias", new int[] {2}, QuantParams.perChannel(biasScales, new int[2], 0), biasQ);
        int out = g.tensor("output", DataType.INT8, new int[] {1, 1, 2, 2}, act);
        g.op(BuiltinOperator.CONV_2D, new int[] {in, filter, b}, new int[] {out},
                new OpOptions.Conv2D(Padding.VALID, 1, 1, Activation.NONE, 1, 1));
        g.output(out);
        byte[] input = new byte[CONV_INPUT.length];
        for (int i = 0; i < CONV_INPUT.length; i++) {
            input[i] = (byte) QuantMath.quantizeClamped(CONV_INPUT[i], 0.5f, -1, -128, 127);
        }
        return ModelRunner.runBytes(g.build(), backend, 1, input);
    }

    /**
     * conv_test.cc, QuantizedConvolutionOpTest.SimpleTestExplicitQuantizedOp (uint8): input and
     * filter range [-63.5, 64] (scale 0.5, zero point 127), output [-127, 128] (scale 1, zero point
     * 127), stride 2, VALID.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void convUint8ExplicitQuantizedOp(Interpreter.Backend backend) {
        float[] input = {1, 1, 1, 1, 2, 2, 2, 2, 1, 2, 3, 4, 1, 2, 3, 4};
        float[] filter = {1, 2, 3, 4, -1, 1, -1, 1, -1, -1, 1, 1};
        QuantParams inQ = QuantParams.perTensor(0.5f, 127);
        GraphBuilder g = new GraphBuilder();
        int in = g.input("input", DataType.UINT8, new int[] {2, 2, 4, 1}, inQ);
        int f = g.constantQuantized("filter", DataType.UINT8, new int[] {3, 2, 2, 1}, inQ, quantize(filter, inQ));
        int b = g.constantInt32("bias", new int[] {3}, QuantParams.perTensor(0.25f, 0), new int[] {4, 8, 12});
        int out = g.tensor("output", DataType.UINT8, new int[] {2, 1, 2, 3}, QuantParams.perTensor(1f, 127));
        g.op(BuiltinOperator.CONV_2D, new int[] {in, f, b}, new int[] {out},
                new OpOptions.Conv2D(Padding.VALID, 2, 2, Activation.NONE, 1, 1));
        g.output(out);
        byte[] inBytes = new byte[input.length];
        for (int i = 0; i < input.length; i++) {
            inBytes[i] = (byte) QuantMath.quantizeClamped(input[i], 0.5f, 127, 0, 255);
        }
        byte[] result = ModelRunner.runBytes(g.build(), backend, 1, inBytes);
        assertArrayEquals(new int[] {145, 129, 132, 145, 129, 132, 144, 131, 130, 164, 131, 130}, unsigned(result));
    }

    /**
     * depthwise_conv_test.cc, QuantizedDepthwiseConvolutionOpTest.SimpleTestQuantized: uint8 input
     * and filter range [-63.5, 64] (scale 0.5, zp 127), output [-127, 128] (scale 1, zp 127), depth
     * multiplier 2, VALID; dequantized {71, -34, 99, -20, 91, -26, 127, -4}.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void depthwiseSimpleTestQuantized(Interpreter.Backend backend) {
        float[] input = {1, 2, 7, 8, 3, 4, 9, 10, 5, 6, 11, 12};
        float[] filter = {1, 2, 3, 4, -9, 10, -11, 12, 5, 6, 7, 8, 13, -14, 15, -16};
        QuantParams q = QuantParams.perTensor(0.5f, 127);
        GraphBuilder g = new GraphBuilder();
        int in = g.input("input", DataType.UINT8, new int[] {1, 3, 2, 2}, q);
        int f = g.constantQuantized("filter", DataType.UINT8, new int[] {1, 2, 2, 4}, q, quantize(filter, q));
        int b = g.constantInt32("bias", new int[] {4}, QuantParams.perTensor(0.25f, 0), new int[] {4, 8, 12, 16});
        int out = g.tensor("output", DataType.UINT8, new int[] {1, 2, 1, 4}, QuantParams.perTensor(1f, 127));
        g.op(BuiltinOperator.DEPTHWISE_CONV_2D, new int[] {in, f, b}, new int[] {out},
                new OpOptions.DepthwiseConv2D(Padding.VALID, 1, 1, 2, Activation.NONE, 1, 1));
        g.output(out);
        byte[] result = ModelRunner.runBytes(g.build(), backend, 1, toBytes(quantize(input, q)));
        assertArrayEquals(new int[] {71 + 127, -34 + 127, 99 + 127, -20 + 127, 91 + 127, -26 + 127, 127 + 127, -4 + 127},
                unsigned(result));
    }

    /**
     * tensorflow/lite/kernels/fully_connected_test.cc, QuantizedFullyConnectedOpTest.SimpleTestQuantizedUint8:
     * input and weights range [-63.5, 64], output [-127, 128]; 2 batches of 10, 3 units, bias {1, 2, 3};
     * expected output {151, 152, 153, 185, 186, 187}.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void fullyConnectedSimpleTestQuantizedUint8(Interpreter.Backend backend) {
        float[] weights = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        float[] input = {1, 2, 3, 4, 5, 6, 7, 8, -9, -10, 1, 2, 3, 4, 5, 6, 7, -8, 9, -10};
        QuantParams q = QuantParams.perTensor(0.5f, 127);
        GraphBuilder g = new GraphBuilder();
        int in = g.input("input", DataType.UINT8, new int[] {2, 10}, q);
        int w = g.constantQuantized("weights", DataType.UINT8, new int[] {3, 10}, q, quantize(weights, q));
        int b = g.constantInt32("bias", new int[] {3}, QuantParams.perTensor(0.25f, 0), new int[] {4, 8, 12});
        int out = g.tensor("output", DataType.UINT8, new int[] {2, 3}, QuantParams.perTensor(1f, 127));
        g.op(BuiltinOperator.FULLY_CONNECTED, new int[] {in, w, b}, new int[] {out},
                new OpOptions.FullyConnected(Activation.RELU, 0, false, false));
        g.output(out);
        byte[] result = ModelRunner.runBytes(g.build(), backend, 1, toBytes(quantize(input, q)));
        assertArrayEquals(new int[] {151, 152, 153, 185, 186, 187}, unsigned(result));
    }

    /**
     * tensorflow/lite/kernels/fully_connected_test.cc, QuantizedFullyConnectedOpTest.SimpleTestQuantizedInt8:
     * input and weights int8 over [-63.5, 64] (scale 0.5, zero point -1: the legacy per-tensor weights
     * offset), output [-127, 128] (scale 1, zero point -1), bias {1, 2, 3}, RELU; expected
     * {23, 24, 25, 57, 58, 59}.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void fullyConnectedSimpleTestQuantizedInt8(Interpreter.Backend backend) {
        float[] weights = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        float[] input = {1, 2, 3, 4, 5, 6, 7, 8, -9, -10, 1, 2, 3, 4, 5, 6, 7, -8, 9, -10};
        QuantParams q = QuantParams.perTensor(0.5f, -1);
        GraphBuilder g = new GraphBuilder();
        int in = g.input("input", DataType.INT8, new int[] {2, 10}, q);
        int w = g.constantQuantized("weights", DataType.INT8, new int[] {3, 10}, q, quantize(weights, q));
        int b = g.constantInt32("bias", new int[] {3}, QuantParams.perTensor(0.25f, 0), new int[] {4, 8, 12});
        int out = g.tensor("output", DataType.INT8, new int[] {2, 3}, QuantParams.perTensor(1f, -1));
        g.op(BuiltinOperator.FULLY_CONNECTED, new int[] {in, w, b}, new int[] {out},
                new OpOptions.FullyConnected(Activation.RELU, 0, false, false));
        g.output(out);
        byte[] result = ModelRunner.runBytes(g.build(), backend, 1, toBytes(quantize(input, q)));
        assertArrayEquals(new byte[] {23, 24, 25, 57, 58, 59}, result);
    }

    private static int[] quantize(float[] v, QuantParams q) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = QuantMath.quantize(v[i], q.scale(), q.zeroPoint());
        }
        return r;
    }

    private static byte[] toBytes(int[] v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    private static int[] unsigned(byte[] b) {
        int[] r = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[i] & 0xFF;
        }
        return r;
    }
}
