package io.qbridge.backend.javaref;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.plan.OpParams;
import io.qbridge.plan.ops.ConvOps.ConvParams;
import io.qbridge.plan.ops.ConvOps.FullyConnectedParams;
import io.qbridge.testing.ModelRunner;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Java backend's CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED kernels give exactly the bytes
 * of {@link ReferenceConv} (the reference loops), for 1, 2 and 3 threads: random shapes (odd
 * channel counts, batch > 1, strides and dilations differing by axis, both paddings, depth
 * multipliers, layers large enough for every form of the kernels: weight blocks, pixel columns,
 * whole-row depthwise), random raw weights, zero
 * points at the ends of their ranges, multipliers below and above one, biases near the int32
 * range, every fused activation; float layers with values of mixed magnitude and signed zeros,
 * where any change in the order of additions would show.
 */
class ConvKernelsMatchReferenceTest {
    enum Kind { CONV, DEPTHWISE, FULLY_CONNECTED }

    record Case(Kind kind, DataType type, int seed) {
        @Override
        public String toString() {
            return kind + " " + type + " seed " + seed;
        }
    }

    static Stream<Case> cases() {
        List<Case> list = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (DataType type : new DataType[] {DataType.UINT8, DataType.INT8, DataType.FLOAT32}) {
                for (int seed = 1; seed <= 16; seed++) {
                    list.add(new Case(kind, type, seed));
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sameBytesAsTheReferenceLoopsForAnyThreadCount(Case c) {
        Random r = new Random(c.seed() * 1_000_003L + c.kind().ordinal() * 31L + c.type().ordinal());
        boolean large = c.seed() % 4 == 0;     // big enough for several weight blocks and pixel tiles
        DataType t = c.type();
        boolean quantized = t != DataType.FLOAT32;
        int batches = 1 + r.nextInt(3);
        // Large layers have a column of 256 pixels or more (the narrow GEMM) and 60 to 260 channels.
        int inH = large ? 16 + r.nextInt(9) : 1 + r.nextInt(9);
        int inW = large ? 16 + r.nextInt(9) : 1 + r.nextInt(9);
        int inC = large ? 40 + r.nextInt(300) : 1 + r.nextInt(9);
        int fH = 1 + r.nextInt(3);
        int fW = 1 + r.nextInt(3);
        if (large && r.nextBoolean()) {
            fH = 1;
            fW = 1;
        }
        int strideH = 1 + r.nextInt(2);
        int strideW = 1 + r.nextInt(3);
        int dilationH = 1 + r.nextInt(2);
        int dilationW = r.nextInt(3) == 0 ? 2 : 1;
        Padding padding = r.nextBoolean() ? Padding.SAME : Padding.VALID;
        if (padding == Padding.VALID) {
            inH = Math.max(inH, (fH - 1) * dilationH + 1);
            inW = Math.max(inW, (fW - 1) * dilationW + 1);
        }
        int depthMultiplier = c.kind() == Kind.DEPTHWISE && r.nextInt(3) == 0 ? 2 + r.nextInt(2) : 1;
        int outC = switch (c.kind()) {
            case CONV -> large ? 60 + r.nextInt(200) : 1 + r.nextInt(20);
            case DEPTHWISE -> inC * depthMultiplier;
            case FULLY_CONNECTED -> large ? 100 + r.nextInt(400) : 1 + r.nextInt(40);
        };
        Activation activation = new Activation[] {Activation.NONE, Activation.RELU, Activation.RELU_N1_TO_1,
                Activation.RELU6}[r.nextInt(4)];

        int[] inShape;
        int[] filterShape;
        int[] outShape;
        int op;
        OpOptions options;
        int channelAxis = 0;
        if (c.kind() == Kind.FULLY_CONNECTED) {
            int depth = large ? 500 + r.nextInt(2000) : inH * inC;
            inShape = new int[] {batches, depth};
            filterShape = new int[] {outC, depth};
            outShape = new int[] {batches, outC};
            op = BuiltinOperator.FULLY_CONNECTED;
            options = new OpOptions.FullyConnected(activation, 0, false, false);
        } else {
            int outH = padding == Padding.SAME ? (inH + strideH - 1) / strideH
                    : (inH - (fH - 1) * dilationH - 1 + strideH) / strideH;
            int outW = padding == Padding.SAME ? (inW + strideW - 1) / strideW
                    : (inW - (fW - 1) * dilationW - 1 + strideW) / strideW;
            inShape = new int[] {batches, inH, inW, inC};
            outShape = new int[] {batches, outH, outW, outC};
            if (c.kind() == Kind.CONV) {
                filterShape = new int[] {outC, fH, fW, inC};
                op = BuiltinOperator.CONV_2D;
                options = new OpOptions.Conv2D(padding, strideW, strideH, activation, dilationW, dilationH);
            } else {
                filterShape = new int[] {1, fH, fW, outC};
                op = BuiltinOperator.DEPTHWISE_CONV_2D;
                options = new OpOptions.DepthwiseConv2D(padding, strideW, strideH, depthMultiplier, activation,
                        dilationW, dilationH);
                channelAxis = 3;
            }
        }
        int inCount = product(inShape);
        int filterCount = product(filterShape);

        GraphBuilder g = new GraphBuilder();
        int in;
        int filter;
        int bias;
        int out;
        byte[] inputBytes = new byte[quantized ? inCount : 0];
        float[] inputFloats = new float[quantized ? 0 : inCount];
        if (quantized) {
            r.nextBytes(inputBytes);
            float inScale = 0.001f + r.nextFloat() * 0.1f;
            int inZero = extremeOrRandom(r, t);
            float[] wScales = new float[outC];
            int[] wZeros = new int[outC];
            int[] w = new int[filterCount];
            QuantParams wq;
            boolean perChannel = t == DataType.INT8 && (c.kind() != Kind.FULLY_CONNECTED || r.nextBoolean());
            for (int i = 0; i < outC; i++) {
                wScales[i] = 0.001f + r.nextFloat() * 0.05f;
            }
            if (perChannel) {
                wq = QuantParams.perChannel(wScales, wZeros, channelAxis);
            } else {
                // uint8 weights carry a zero point; so may legacy int8 FULLY_CONNECTED weights.
                wq = QuantParams.perTensor(wScales[0], t == DataType.UINT8 || c.kind() == Kind.FULLY_CONNECTED
                        ? extremeOrRandom(r, t) : 0);
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = t == DataType.UINT8 ? r.nextInt(256) : r.nextInt(255) - 127;
            }
            int[] b = new int[outC];
            float[] bScales = new float[outC];
            for (int i = 0; i < outC; i++) {
                b[i] = r.nextInt(8) == 0 ? r.nextInt() : r.nextInt(1 << 20) - (1 << 19);
                bScales[i] = inScale * (perChannel ? wScales[i] : wScales[0]);
            }
            // Multipliers from 1e-4 to 4 (shifts from -13 to +2).
            double multiplier = Math.exp(Math.log(1e-4) + r.nextDouble() * Math.log(4e4));
            float outScale = (float) (inScale * wScales[0] / multiplier);
            in = g.input("in", t, inShape, QuantParams.perTensor(inScale, inZero));
            filter = g.constantQuantized("filter", t, filterShape, wq, w);
            bias = g.constantInt32("bias", new int[] {outC}, perChannel
                    ? QuantParams.perChannel(bScales, new int[outC], 0) : QuantParams.perTensor(bScales[0], 0), b);
            out = g.tensor("out", t, outShape, QuantParams.perTensor(outScale, extremeOrRandom(r, t)));
        } else {
            for (int i = 0; i < inCount; i++) {
                inputFloats[i] = mixedMagnitude(r);
            }
            float[] w = new float[filterCount];
            for (int i = 0; i < w.length; i++) {
                w[i] = mixedMagnitude(r);
            }
            float[] b = new float[outC];
            for (int i = 0; i < outC; i++) {
                b[i] = mixedMagnitude(r);
            }
            in = g.input("in", t, inShape, QuantParams.NONE);
            filter = g.constantFloat32("filter", filterShape, w);
            bias = g.constantFloat32("bias", new int[] {outC}, b);
            out = g.tensor("out", t, outShape, QuantParams.NONE);
        }
        g.op(op, new int[] {in, filter, bias}, new int[] {out}, options);
        g.output(out);

        for (int threads = 1; threads <= 3; threads++) {
            try (Interpreter it = ModelRunner.open(g.build(), Interpreter.Backend.JAVA, threads)) {
                OpParams p = it.plan().ops().get(0).params();
                if (quantized) {
                    it.getInputTensor(0).copyFrom(inputBytes);
                    it.run();
                    byte[] expected = p instanceof ConvParams cp ? ReferenceConv.conv(cp, inputBytes)
                            : ReferenceConv.fullyConnected((FullyConnectedParams) p, inputBytes);
                    assertArrayEquals(expected, it.getOutputTensor(0).bytes(), c + ", " + threads + " threads");
                } else {
                    it.getInputTensor(0).copyFrom(inputFloats);
                    it.run();
                    float[] expected = p instanceof ConvParams cp ? ReferenceConv.convFloat(cp, inputFloats)
                            : ReferenceConv.fullyConnectedFloat((FullyConnectedParams) p, inputFloats);
                    float[] actual = it.getOutputTensor(0).floats();
                    assertEquals(expected.length, actual.length);
                    for (int i = 0; i < expected.length; i++) {
                        assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                                c + ", " + threads + " threads, output " + i + ": " + expected[i] + " vs " + actual[i]);
                    }
                }
            }
        }
    }

    /** A zero point at either end of the type's range half of the time. */
    private static int extremeOrRandom(Random r, DataType t) {
        return switch (r.nextInt(4)) {
            case 0 -> t.minValue();
            case 1 -> t.maxValue();
            default -> t.minValue() + r.nextInt(t.maxValue() - t.minValue() + 1);
        };
    }

    /** Floats from 1e-3 to 1e3 in size, either sign, some signed zeros: sums that round at every step. */
    private static float mixedMagnitude(Random r) {
        if (r.nextInt(50) == 0) {
            return r.nextBoolean() ? 0f : -0f;
        }
        float v = (float) Math.pow(10, r.nextDouble() * 6 - 3);
        return r.nextBoolean() ? v : -v;
    }

    private static int product(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
