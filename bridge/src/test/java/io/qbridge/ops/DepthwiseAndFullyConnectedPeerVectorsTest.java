package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.numerics.QuantMath;
import io.qbridge.testing.ModelRunner;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** DEPTHWISE_CONV_2D and FULLY_CONNECTED against TFLite's own test vectors. */
class DepthwiseAndFullyConnectedPeerVectorsTest {

    static Stream<Interpreter.Backend> backends() {
        return io.qbridge.testing.Backends.available();
    }

    /**
     * tensorflow/lite/kernels/depthwise_conv_test.cc, QuantizedDepthwiseConvolutionOpTest.SimpleTestQuantized:
     * uint8 input and filter range [-63.5, 64] (scale 0.5, zp 127), output [-127, 128] (scale 1, zp 127),
     * depth multiplier 2, VALID; dequantized {71, -34, 99, -20, 91, -26, 127, -4}.
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
