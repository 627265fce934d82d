package io.qbridge.testing;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.Random;

/**
 * The one generator of random CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED layers for the
 * tests: the geometry (channel counts that are not multiples of 4/8/16, batch > 1, strides, both
 * paddings, dilation, depth multipliers, every fused activation) drawn from a seeded
 * {@link Random}, and the layer's graph built from weights and quantization the test chooses.
 */
public record RandomConvLayer(Kind kind, int batches, int inH, int inW, int inC, int outC, int fH, int fW,
                              int stride, int dilation, int depthMultiplier, Padding padding, Activation activation) {

    public enum Kind { CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED }

    /** Every fused activation TFLite's conv family takes. */
    public static final Activation[] ALL_ACTIVATIONS = {Activation.NONE, Activation.RELU, Activation.RELU6,
        Activation.RELU_N1_TO_1};

    /** A random layer of that kind with any fused activation; at least one output pixel. */
    public static RandomConvLayer random(Random r, Kind kind) {
        return random(r, kind, ALL_ACTIVATIONS);
    }

    /** A random layer of that kind, its fused activation one of {@code activations}. */
    public static RandomConvLayer random(Random r, Kind kind, Activation... activations) {
        boolean fc = kind == Kind.FULLY_CONNECTED;
        int batches = 1 + r.nextInt(3);
        int inC = fc ? 1 + r.nextInt(300) : pick(r, 1, 3, 7, 8, 15, 16, 17, 24, 31, 33);
        int fH = fc ? 1 : 1 + r.nextInt(3);
        int fW = fc ? 1 : (r.nextInt(4) == 0 ? 1 + r.nextInt(3) : fH);
        int stride = fc ? 1 : 1 + r.nextInt(2);
        int dilation = fc || r.nextInt(4) != 0 ? 1 : 2;
        Padding padding = fc || r.nextBoolean() ? Padding.SAME : Padding.VALID;
        int inH = fc ? 1 : (fH - 1) * dilation + 1 + r.nextInt(9);
        int inW = fc ? 1 : (fW - 1) * dilation + 1 + r.nextInt(9);
        int depthMultiplier = kind == Kind.DEPTHWISE_CONV_2D && r.nextInt(4) == 0 ? 2 : 1;
        int outC = kind == Kind.DEPTHWISE_CONV_2D ? inC * depthMultiplier : pick(r, 1, 4, 5, 8, 9, 13, 16, 20, 33, 64);
        Activation activation = activations[r.nextInt(activations.length)];
        return new RandomConvLayer(kind, batches, inH, inW, inC, outC, fH, fW, stride, dilation, depthMultiplier,
                padding, activation);
    }

    public int[] inputShape() {
        return kind == Kind.FULLY_CONNECTED ? new int[] {batches, inC} : new int[] {batches, inH, inW, inC};
    }

    /** OHWI for CONV_2D, 1HWO for DEPTHWISE_CONV_2D, OI for FULLY_CONNECTED. */
    public int[] filterShape() {
        return switch (kind) {
            case CONV_2D -> new int[] {outC, fH, fW, inC};
            case DEPTHWISE_CONV_2D -> new int[] {1, fH, fW, outC};
            case FULLY_CONNECTED -> new int[] {outC, inC};
        };
    }

    public int[] outputShape() {
        return kind == Kind.FULLY_CONNECTED ? new int[] {batches, outC}
                : new int[] {batches, outSize(inH, fH), outSize(inW, fW), outC};
    }

    /** The filter's per-channel quantization axis: 0, or 3 for DEPTHWISE_CONV_2D. */
    public int channelAxis() {
        return kind == Kind.DEPTHWISE_CONV_2D ? 3 : 0;
    }

    /** Products summed into one output: fH * fW * inC for CONV_2D, fH * fW for depthwise, inC for FC. */
    public int accumulationDepth() {
        return kind == Kind.CONV_2D ? fH * fW * inC : kind == Kind.DEPTHWISE_CONV_2D ? fH * fW : inC;
    }

    /** The output channel of the filter's flat index {@code i}. */
    public int outputChannelOf(int filterIndex, int filterSize) {
        return channelAxis() == 0 ? filterIndex / (filterSize / outC) : filterIndex % outC;
    }

    public static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** The float32 twin: the same layer on real values. */
    public Graph floatGraph(float[] filter, float[] bias) {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("in", DataType.FLOAT32, inputShape(), QuantParams.NONE);
        int f = g.constantFloat32("filter", filterShape(), filter);
        int b = g.constantFloat32("bias", new int[] {outC}, bias);
        int out = g.tensor("out", DataType.FLOAT32, outputShape(), QuantParams.NONE);
        g.op(op(), new int[] {in, f, b}, new int[] {out}, options());
        g.output(out);
        return g.build();
    }

    /**
     * The quantized layer (uint8 or int8 activations and filter, int32 bias with scale
     * input scale * filter scale, per channel where the filter is); no bias where {@code bias} is null.
     */
    public Graph quantizedGraph(DataType type, QuantParams inQ, QuantParams filterQ, int[] filter, int[] bias,
                                QuantParams outQ) {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("in", type, inputShape(), inQ);
        int f = g.constantQuantized("filter", type, filterShape(), filterQ, filter);
        int b = -1;
        if (bias != null) {
            float[] biasScales = new float[outC];
            for (int c = 0; c < outC; c++) {
                biasScales[c] = inQ.scale() * (filterQ.isPerChannel() ? filterQ.scale(c) : filterQ.scale());
            }
            b = g.constantInt32("bias", new int[] {outC}, filterQ.isPerChannel()
                    ? QuantParams.perChannel(biasScales, new int[outC], 0) : QuantParams.perTensor(biasScales[0], 0), bias);
        }
        int out = g.tensor("out", type, outputShape(), outQ);
        g.op(op(), new int[] {in, f, b}, new int[] {out}, options());
        g.output(out);
        return g.build();
    }

    private int op() {
        return switch (kind) {
            case CONV_2D -> BuiltinOperator.CONV_2D;
            case DEPTHWISE_CONV_2D -> BuiltinOperator.DEPTHWISE_CONV_2D;
            case FULLY_CONNECTED -> BuiltinOperator.FULLY_CONNECTED;
        };
    }

    private OpOptions options() {
        return switch (kind) {
            case CONV_2D -> new OpOptions.Conv2D(padding, stride, stride, activation, dilation, dilation);
            case DEPTHWISE_CONV_2D -> new OpOptions.DepthwiseConv2D(padding, stride, stride, depthMultiplier, activation,
                    dilation, dilation);
            case FULLY_CONNECTED -> new OpOptions.FullyConnected(activation, 0, false, false);
        };
    }

    private int outSize(int in, int f) {
        int effective = (f - 1) * dilation + 1;
        return padding == Padding.SAME ? (in + stride - 1) / stride : (in - effective + stride) / stride;
    }

    private static int pick(Random r, int... values) {
        return values[r.nextInt(values.length)];
    }

    @Override
    public String toString() {
        return kind == Kind.FULLY_CONNECTED ? kind + " " + batches + "x" + inC + " -> " + outC + " " + activation
                : kind + " " + batches + "x" + inH + "x" + inW + "x" + inC + " -> " + outC + " filter " + fH + "x" + fW
                + " stride " + stride + " dilation " + dilation + " x" + depthMultiplier + " " + padding + " " + activation;
    }
}
