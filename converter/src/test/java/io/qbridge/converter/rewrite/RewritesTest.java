package io.qbridge.converter.rewrite;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.tflite.ModelWriter;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every float rewrite keeps the function (on the data it was derived from) and does what it says. */
class RewritesTest {
    static float[] random(Random r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * scale;
        }
        return v;
    }

    static float[] run(Graph g, float[] input) {
        try (Interpreter it = new Interpreter(ModelWriter.toByteBuffer(g),
                new Interpreter.Options().setBackend(Interpreter.Backend.JAVA))) {
            it.getInputTensor(0).copyFrom(input);
            it.run();
            return it.getOutputTensor(0).floats();
        }
    }

    static void assertSameOutputs(Graph a, Graph b, int inputSize, float lo, float hi, float tolerance) {
        Random r = new Random(5);
        for (int s = 0; s < 5; s++) {
            float[] x = new float[inputSize];
            for (int i = 0; i < x.length; i++) {
                x[i] = lo + (hi - lo) * r.nextFloat();
            }
            float[] ya = run(a, x);
            float[] yb = run(b, x);
            for (int i = 0; i < ya.length; i++) {
                assertEquals(ya[i], yb[i], tolerance * Math.max(1, Math.abs(ya[i])), "output " + i);
            }
        }
    }

    /** input [1,5,5,3] -> CONV 3x3 (4, activation a1) -> second op chosen by the caller. */
    static GraphBuilder convInput(Random r, GraphBuilder b, Activation a1, int[] out) {
        int in = b.input("x", DataType.FLOAT32, new int[] {1, 5, 5, 3}, QuantParams.NONE);
        int w = b.constantFloat32("w", new int[] {4, 3, 3, 3}, random(r, 4 * 27, 0.5f));
        int bias = b.constantFloat32("b", new int[] {4}, random(r, 4, 0.2f));
        out[0] = b.tensor("conv", DataType.FLOAT32, new int[] {1, 5, 5, 4}, QuantParams.NONE);
        b.op(BuiltinOperator.CONV_2D, new int[] {in, w, bias}, new int[] {out[0]},
                new OpOptions.Conv2D(Padding.SAME, 1, 1, a1, 1, 1));
        return b;
    }

    @Test
    void mulAndAddAfterAConvolutionFoldIntoItsWeightsAndBias() {
        Random r = new Random(1);
        GraphBuilder b = new GraphBuilder();
        int[] conv = new int[1];
        convInput(r, b, Activation.NONE, conv);
        int m = b.constantFloat32("scale", new int[] {1, 1, 1, 4}, new float[] {0.5f, -2f, 3f, 1.5f});
        int scaled = b.tensor("scaled", DataType.FLOAT32, new int[] {1, 5, 5, 4}, QuantParams.NONE);
        b.op(BuiltinOperator.MUL, new int[] {conv[0], m}, new int[] {scaled}, new OpOptions.Mul(Activation.NONE));
        int a = b.constantFloat32("shift", new int[] {4}, new float[] {0.1f, 0.2f, -0.3f, 0.4f});
        int out = b.tensor("out", DataType.FLOAT32, new int[] {1, 5, 5, 4}, QuantParams.NONE);
        b.op(BuiltinOperator.ADD, new int[] {scaled, a}, new int[] {out}, new OpOptions.Add(Activation.RELU6));
        b.output(out);
        Graph g = b.build();
        EditableGraph e = new EditableGraph(g);
        assertEquals(2, AffineFolding.apply(e));
        Graph folded = e.buildCompacted().graph();
        assertEquals(1, folded.operators().size());
        assertEquals(Activation.RELU6, ((OpOptions.Conv2D) folded.operators().get(0).options()).activation());
        assertEquals("out", folded.output(0).name());
        assertSameOutputs(g, folded, 75, -1, 1, 1e-5f);
    }

    @Test
    void standaloneReluFusesIntoItsProducer() {
        Random r = new Random(2);
        GraphBuilder b = new GraphBuilder();
        int[] conv = new int[1];
        convInput(r, b, Activation.NONE, conv);
        int out = b.tensor("relu6", DataType.FLOAT32, new int[] {1, 5, 5, 4}, QuantParams.NONE);
        b.op(BuiltinOperator.RELU6, new int[] {conv[0]}, new int[] {out}, OpOptions.None.INSTANCE);
        b.output(out);
        Graph g = b.build();
        EditableGraph e = new EditableGraph(g);
        assertEquals(1, ActivationFusion.apply(e));
        Graph fused = e.buildCompacted().graph();
        assertEquals(1, fused.operators().size());
        assertEquals(Activation.RELU6, ((OpOptions.Conv2D) fused.operators().get(0).options()).activation());
        assertSameOutputs(g, fused, 75, -2, 2, 1e-6f);
    }

    /** conv (activation a1) -> depthwise 3x3 whose channels have very different ranges. */
    static Graph pair(Activation a1, long seed) {
        Random r = new Random(seed);
        GraphBuilder b = new GraphBuilder();
        int[] conv = new int[1];
        convInput(r, b, a1, conv);
        float[] dw = random(r, 9 * 4, 1f);
        for (int i = 0; i < dw.length; i++) {
            dw[i] *= new float[] {1f, 0.01f, 5f, 0.2f}[i % 4];
        }
        int w = b.constantFloat32("dw", new int[] {1, 3, 3, 4}, dw);
        int out = b.tensor("out", DataType.FLOAT32, new int[] {1, 5, 5, 4}, QuantParams.NONE);
        b.op(BuiltinOperator.DEPTHWISE_CONV_2D, new int[] {conv[0], w, -1}, new int[] {out},
                new OpOptions.DepthwiseConv2D(Padding.SAME, 1, 1, 1, Activation.NONE, 1, 1));
        b.output(out);
        return b.build();
    }

    @Test
    void balancingEqualizesChannelRangesWithoutChangingTheFunction() {
        Graph g = pair(Activation.RELU, 3);
        EditableGraph e = new EditableGraph(g);
        assertEquals(1, CrossLayerEqualization.apply(e, Map.of(), CrossLayerEqualization.Mode.BALANCE_WEIGHTS));
        Graph eq = e.buildCompacted().graph();
        assertSameOutputs(g, eq, 75, -1, 1, 1e-4f);
        float[] before = spread(g);
        float[] after = spread(eq);
        assertTrue(after[1] / after[0] < before[1] / before[0] / 10,
                "depthwise channel ranges " + before[0] + ".." + before[1] + " -> " + after[0] + ".." + after[1]);
    }

    /** Smallest and largest per-channel max|w| of the depthwise weights. */
    static float[] spread(Graph g) {
        float[] w = io.qbridge.converter.graph.Constants.floats(g.tensor(g.operators().get(1).input(1)));
        float[] m = WeightLayout.maxAbsPerChannel(w, new int[] {1, 3, 3, 4}, 3);
        float lo = Float.MAX_VALUE;
        float hi = 0;
        for (float v : m) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return new float[] {lo, hi};
    }

    @Test
    void relu6PairsScaleOnlyChannelsThatNeverReachTheClamp() {
        Graph g = pair(Activation.RELU6, 4);
        // Calibrated ranges of the conv output: channel 0 reaches 6 (must keep k = 1), the others do not.
        Map<Integer, CrossLayerEqualization.ChannelRange> ranges = new HashMap<>();
        int x = g.operators().get(0).output(0);
        ranges.put(x, new CrossLayerEqualization.ChannelRange(new float[4], new float[] {6f, 1.5f, 3f, 0.75f}));
        EditableGraph e = new EditableGraph(g);
        assertEquals(1, CrossLayerEqualization.apply(e, ranges, CrossLayerEqualization.Mode.FILL_ACTIVATIONS));
        Graph eq = e.buildCompacted().graph();
        float[] w0 = io.qbridge.converter.graph.Constants.floats(g.tensor(g.operators().get(0).input(1)));
        float[] w1 = io.qbridge.converter.graph.Constants.floats(eq.tensor(eq.operators().get(0).input(1)));
        float[] k = new float[4];
        for (int c = 0; c < 4; c++) {
            k[c] = w1[c * 27] / w0[c * 27];
        }
        assertEquals(1f, k[0], 1e-6f);
        assertEquals(4f, k[1], 1e-5f);   // 6 / 1.5
        assertEquals(2f, k[2], 1e-5f);
        assertEquals(8f, k[3], 1e-5f);
        // Inputs small enough that no channel reaches the clamp: the function is unchanged there.
        assertSameOutputs(g, eq, 75, -0.1f, 0.1f, 1e-4f);
    }

    @Test
    void relu6ChannelsMayBeScaledUntilTheirUpperPercentileMeetsTheClamp() {
        Graph g = pair(Activation.RELU6, 4);
        // Channel 0 reaches 6 but its upper percentile is 2: scaled by 3 (its rare values above 2 clamp);
        // channel 1 reaches 6 with its percentile at 6: kept; channels 2 and 3 fill up to their percentile.
        Map<Integer, CrossLayerEqualization.ChannelRange> ranges = new HashMap<>();
        int x = g.operators().get(0).output(0);
        ranges.put(x, new CrossLayerEqualization.ChannelRange(new float[4], new float[] {6f, 6f, 3f, 0.75f},
                new float[] {2f, 6f, 1.5f, 0.75f}));
        EditableGraph e = new EditableGraph(g);
        assertEquals(1, CrossLayerEqualization.apply(e, ranges, CrossLayerEqualization.Mode.FILL_ACTIVATIONS));
        Graph eq = e.buildCompacted().graph();
        float[] w0 = io.qbridge.converter.graph.Constants.floats(g.tensor(g.operators().get(0).input(1)));
        float[] w1 = io.qbridge.converter.graph.Constants.floats(eq.tensor(eq.operators().get(0).input(1)));
        float[] k = new float[4];
        for (int c = 0; c < 4; c++) {
            k[c] = w1[c * 27] / w0[c * 27];
        }
        assertEquals(3f, k[0], 1e-5f);
        assertEquals(1f, k[1], 1e-6f);
        assertEquals(4f, k[2], 1e-5f);
        assertEquals(8f, k[3], 1e-5f);
    }

    @Test
    void pointwiseConvolutionOnOnePixelBecomesFullyConnected() {
        Random r = new Random(6);
        GraphBuilder b = new GraphBuilder();
        int in = b.input("x", DataType.FLOAT32, new int[] {1, 1, 1, 6}, QuantParams.NONE);
        int w = b.constantFloat32("w", new int[] {5, 1, 1, 6}, random(r, 30, 1f));
        int bias = b.constantFloat32("b", new int[] {5}, random(r, 5, 1f));
        int out = b.tensor("logits", DataType.FLOAT32, new int[] {1, 1, 1, 5}, QuantParams.NONE);
        b.op(BuiltinOperator.CONV_2D, new int[] {in, w, bias}, new int[] {out},
                new OpOptions.Conv2D(Padding.SAME, 1, 1, Activation.NONE, 1, 1));
        b.output(out);
        Graph g = b.build();
        EditableGraph e = new EditableGraph(g);
        assertEquals(1, PointwiseToFullyConnected.apply(e));
        Graph fc = e.buildCompacted().graph();
        assertEquals("FULLY_CONNECTED", fc.operators().get(0).opName());
        assertSameOutputs(g, fc, 6, -1, 1, 1e-6f);
    }
}
