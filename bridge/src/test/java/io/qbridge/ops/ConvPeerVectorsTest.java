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
import io.qbridge.testing.ModelRunner;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * CONV_2D against TFLite's own test vectors, transcribed from
 * tensorflow/lite/kernels/conv_test.cc.
 */
class ConvPeerVectorsTest {
    private static final float[] INPUT = {3, 2, 1, -1, -2, -3, 4, 3, 2, -2, -3, -4};
    private static final float[] FILTER = {1, 2, 3, 4, 3, 4, 5, 6, 7, 8, 5, 6, 3, 4, 1, 2};

    static java.util.stream.Stream<Interpreter.Backend> backends() {
        return io.qbridge.testing.Backends.available();
    }

    /** conv_test.cc, ConvolutionOpTest.SimplePerTensorTest: expects {61, 111, -115, -89}. */
    @ParameterizedTest
    @MethodSource("backends")
    void simplePerTensorTest(Interpreter.Backend backend) {
        assertArrayEquals(new byte[] {61, 111, -115, -89}, runInt8(backend, new float[] {1f}));
    }

    /** conv_test.cc, ConvolutionOpTest.SimplePerChannelTest: expects {61, 127, -115, -93}. */
    @ParameterizedTest
    @MethodSource("backends")
    void simplePerChannelTest(Interpreter.Backend backend) {
        assertArrayEquals(new byte[] {61, 127, -115, -93}, runInt8(backend, new float[] {1f, 2f}));
    }

    private static byte[] runInt8(Interpreter.Backend backend, float[] filterScales) {
        GraphBuilder g = new GraphBuilder();
        QuantParams act = QuantParams.perTensor(0.5f, -1);   // range [-63.5, 64]
        int in = g.input("input", DataType.INT8, new int[] {1, 2, 3, 2}, act);
        int[] filterQ = new int[FILTER.length];
        for (int i = 0; i < FILTER.length; i++) {
            float scale = filterScales.length == 1 ? filterScales[0] : filterScales[i / 8];
            filterQ[i] = QuantMath.quantize(FILTER[i], scale, 0);
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
        Graph graph = g.build();
        byte[] input = new byte[INPUT.length];
        for (int i = 0; i < INPUT.length; i++) {
            input[i] = (byte) QuantMath.quantizeClamped(INPUT[i], 0.5f, -1, -128, 127);
        }
        return ModelRunner.runBytes(graph, backend, 1, input);
    }

    /**
     * conv_test.cc, QuantizedConvolutionOpTest.SimpleTestExplicitQuantizedOp (uint8): input and
     * filter range [-63.5, 64] (scale 0.5, zero point 127), output [-127, 128] (scale 1, zero point
     * 127), stride 2, VALID.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void uint8ExplicitQuantizedOp(Interpreter.Backend backend) {
        float[] input = {1, 1, 1, 1, 2, 2, 2, 2, 1, 2, 3, 4, 1, 2, 3, 4};
        float[] filter = {1, 2, 3, 4, -1, 1, -1, 1, -1, -1, 1, 1};
        QuantParams inQ = QuantParams.perTensor(0.5f, 127);
        GraphBuilder g = new GraphBuilder();
        int in = g.input("input", DataType.UINT8, new int[] {2, 2, 4, 1}, inQ);
        int[] fq = new int[filter.length];
        for (int i = 0; i < filter.length; i++) {
            fq[i] = QuantMath.quantize(filter[i], 0.5f, 127);
        }
        int f = g.constantQuantized("filter", DataType.UINT8, new int[] {3, 2, 2, 1}, inQ, fq);
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
        int[] expected = {145, 129, 132, 145, 129, 132, 144, 131, 130, 164, 131, 130};
        int[] actual = new int[result.length];
        for (int i = 0; i < result.length; i++) {
            actual[i] = result[i] & 0xFF;
        }
        assertArrayEquals(expected, actual);
    }
}
