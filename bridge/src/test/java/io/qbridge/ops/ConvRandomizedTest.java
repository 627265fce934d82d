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

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Randomized CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED (fixed seeds): the same real-valued
 * layer run in float and quantized (uint8 per-tensor, int8 per-channel) must agree within the
 * error that quantization allows, and quantized results must be identical for 1 and 3 threads.
 * Shapes use odd channel counts, batch > 1, strides, both paddings, dilation; zero points reach
 * the ends of their ranges.
 */
class ConvRandomizedTest {

    /** One random layer: kind 0 = CONV_2D, 1 = DEPTHWISE_CONV_2D, 2 = FULLY_CONNECTED. */
    record Case(int seed, int kind, DataType type) {
        @Override
        public String toString() {
            return new String[] {"conv", "depthwise", "fc"}[kind] + " " + type + " seed " + seed;
        }
    }

    static Stream<Object[]> cases() {
        List<Object[]> list = new ArrayList<>();
        for (Interpreter.Backend backend : io.qbridge.testing.Backends.available().toList()) {
            for (int seed = 1; seed <= 12; seed++) {
                for (int kind = 0; kind < 3; kind++) {
                    list.add(new Object[] {backend, new Case(seed, kind, seed % 2 == 0 ? DataType.INT8 : DataType.UINT8)});
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void quantizedMatchesFloatWithinQuantizationError(Interpreter.Backend backend, Case c) {
        Random r = new Random(c.seed * 7919L + c.kind);
        int batches = 1 + r.nextInt(2);
        int inH = 1 + r.nextInt(9);
        int inW = 1 + r.nextInt(9);
        int inC = 1 + r.nextInt(7);
        int fH = 1 + r.nextInt(3);
        int fW = 1 + r.nextInt(3);
        int stride = 1 + r.nextInt(2);
        int dilation = c.kind == 2 ? 1 : 1 + r.nextInt(2);
        Padding padding = r.nextBoolean() ? Padding.SAME : Padding.VALID;
        if (padding == Padding.VALID) {   // keep at least one output pixel
            inH = Math.max(inH, (fH - 1) * dilation + 1);
            inW = Math.max(inW, (fW - 1) * dilation + 1);
        }
        int depthMultiplier = 1 + r.nextInt(2);
        int outC = c.kind == 0 ? 1 + r.nextInt(9) : c.kind == 1 ? inC * depthMultiplier : 1 + r.nextInt(11);
        Activation activation = new Activation[] {Activation.NONE, Activation.RELU, Activation.RELU6}[r.nextInt(3)];

        int[] inShape = c.kind == 2 ? new int[] {batches, inC * inH} : new int[] {batches, inH, inW, inC};
        int inDepth = c.kind == 2 ? inC * inH : inC;
        int[] filterShape = c.kind == 0 ? new int[] {outC, fH, fW, inC}
                : c.kind == 1 ? new int[] {1, fH, fW, outC} : new int[] {outC, inDepth};
        float inMin = -r.nextFloat() * 3;
        float inMax = r.nextFloat() * 3 + 0.1f;
        float[] input = uniform(r, product(inShape), inMin, inMax);
        float[] filter = uniform(r, product(filterShape), -1f, 1f);
        float[] bias = uniform(r, outC, -0.5f, 0.5f);

        OpOptions options;
        int[] outShape;
        int op;
        if (c.kind == 2) {
            op = BuiltinOperator.FULLY_CONNECTED;
            options = new OpOptions.FullyConnected(activation, 0, false, false);
            outShape = new int[] {batches, outC};
        } else {
            int outH = padding == Padding.SAME ? (inH + stride - 1) / stride : (inH - ((fH - 1) * dilation + 1) + stride) / stride;
            int outW = padding == Padding.SAME ? (inW + stride - 1) / stride : (inW - ((fW - 1) * dilation + 1) + stride) / stride;
            outShape = new int[] {batches, outH, outW, outC};
            op = c.kind == 0 ? BuiltinOperator.CONV_2D : BuiltinOperator.DEPTHWISE_CONV_2D;
            options = c.kind == 0 ? new OpOptions.Conv2D(padding, stride, stride, activation, dilation, dilation)
                    : new OpOptions.DepthwiseConv2D(padding, stride, stride, depthMultiplier, activation, dilation, dilation);
        }

        // the float reference always runs on java (native backends run quantized ops only)
        float[] expected = runFloat(Interpreter.Backend.JAVA, op, options, inShape, filterShape, outShape, input, filter, bias);
        float outMin = 0;
        float outMax = 0;
        for (float v : expected) {
            outMin = Math.min(outMin, v);
            outMax = Math.max(outMax, v);
        }
        outMax = Math.max(outMax, outMin + 1e-3f);

        // Quantized twin.
        DataType t = c.type;
        QuantParams inQ = params(inMin, inMax, t);
        QuantParams outQ = params(outMin, outMax, t);
        int channelAxis = c.kind == 1 ? 3 : 0;
        float[] wScales = new float[c.type == DataType.INT8 ? outC : 1];
        int[] wq = new int[filter.length];
        QuantParams wQ;
        if (t == DataType.INT8) {
            for (int i = 0; i < filter.length; i++) {
                int ch = channelAxis == 0 ? i / (filter.length / outC) : i % outC;
                wScales[ch] = Math.max(wScales[ch], Math.abs(filter[i]) / 127f);
            }
            for (int ch = 0; ch < outC; ch++) {
                wScales[ch] = Math.max(wScales[ch], 1e-6f);
            }
            for (int i = 0; i < filter.length; i++) {
                int ch = channelAxis == 0 ? i / (filter.length / outC) : i % outC;
                wq[i] = QuantMath.quantizeClamped(filter[i], wScales[ch], 0, -127, 127);
            }
            wQ = QuantParams.perChannel(wScales, new int[outC], channelAxis);
        } else {
            wQ = params(-1f, 1f, t);
            for (int i = 0; i < filter.length; i++) {
                wq[i] = QuantMath.quantizeClamped(filter[i], wQ.scale(), wQ.zeroPoint(), 0, 255);
            }
        }
        float[] biasScales = new float[outC];
        int[] bq = new int[outC];
        for (int ch = 0; ch < outC; ch++) {
            biasScales[ch] = inQ.scale() * (wQ.isPerChannel() ? wQ.scale(ch) : wQ.scale());
            bq[ch] = QuantMath.quantize(bias[ch], biasScales[ch], 0);
        }
        GraphBuilder g = new GraphBuilder();
        int in = g.input("in", t, inShape, inQ);
        int f = g.constantQuantized("filter", t, filterShape, wQ, wq);
        int b = g.constantInt32("bias", new int[] {outC},
                wQ.isPerChannel() ? QuantParams.perChannel(biasScales, new int[outC], 0) : QuantParams.perTensor(biasScales[0], 0), bq);
        int out = g.tensor("out", t, outShape, outQ);
        g.op(op, new int[] {in, f, b}, new int[] {out}, options);
        g.output(out);
        Graph quantized = g.build();
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
        int k = c.kind == 0 ? fH * fW * inC : c.kind == 1 ? fH * fW : inDepth;
        float maxX = Math.max(Math.abs(inMin), Math.abs(inMax)) + inQ.scale();
        float sw = 0;
        for (int ch = 0; ch < wScales.length; ch++) {
            sw = Math.max(sw, wQ.isPerChannel() ? wQ.scale(ch) : wQ.scale());
        }
        float bound = outQ.scale() + k * (1f * inQ.scale() / 2 + maxX * sw / 2 + inQ.scale() * sw / 4)
                + inQ.scale() * sw;
        for (int i = 0; i < expected.length; i++) {
            int q = t == DataType.UINT8 ? one[i] & 0xFF : one[i];
            float actual = outQ.scale() * (q - outQ.zeroPoint());
            float e = Math.max(outMin, Math.min(outMax, expected[i]));
            assertTrue(Math.abs(actual - e) <= bound, c + ": output " + i + " is " + actual + ", float gives "
                    + expected[i] + ", bound " + bound);
        }
    }

    private static float[] runFloat(Interpreter.Backend backend, int op, OpOptions options, int[] inShape,
                                    int[] filterShape, int[] outShape, float[] input, float[] filter, float[] bias) {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("in", DataType.FLOAT32, inShape, QuantParams.NONE);
        int f = g.constantFloat32("filter", filterShape, filter);
        int b = g.constantFloat32("bias", new int[] {bias.length}, bias);
        int out = g.tensor("out", DataType.FLOAT32, outShape, QuantParams.NONE);
        g.op(op, new int[] {in, f, b}, new int[] {out}, options);
        g.output(out);
        return ModelRunner.runFloats(g.build(), backend, 1, input);
    }

    /** Asymmetric parameters for [min, max], widened to include 0, nudged so 0 is exact (TFLite's rule). */
    static QuantParams params(float min, float max, DataType t) {
        min = Math.min(min, 0);
        max = Math.max(max, 0);
        int qmin = t.minValue();
        int qmax = t.maxValue();
        float scale = (max - min) / (qmax - qmin);
        int zp = Math.max(qmin, Math.min(qmax, Math.round(qmin - min / scale)));
        return QuantParams.perTensor(scale, zp);
    }

    private static float[] uniform(Random r, int n, float min, float max) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = min + r.nextFloat() * (max - min);
        }
        return v;
    }

    private static int product(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
