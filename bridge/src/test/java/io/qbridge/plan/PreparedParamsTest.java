package io.qbridge.plan;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.plan.ops.DepthwiseConv2DOps.DepthwiseConv2DParams;
import io.qbridge.plan.ops.ReduceOps.MeanParams;
import io.qbridge.plan.ops.ShapeOps.PadParams;
import io.qbridge.testing.OpGraphs;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The values an op's prepare computes once for every backend (the Java kernels and the native
 * encoder only read them), on small cases worked out by hand.
 */
class PreparedParamsTest {
    private static OpParams planOne(Graph g) {
        return Planner.plan(g).ops().get(0).params();
    }

    private static Graph pad(int[] inShape, int[] paddings, int[] outShape) {
        GraphBuilder g = new GraphBuilder();
        QuantParams q = QuantParams.perTensor(0.5f, 3);
        int in = g.input("input", DataType.INT8, inShape, q);
        int pads = g.constantInt32("paddings", new int[] {inShape.length, 2}, QuantParams.NONE, paddings);
        int out = g.tensor("output", DataType.INT8, outShape, q);
        g.op(BuiltinOperator.PAD, new int[] {in, pads}, new int[] {out}, new OpOptions.Pad());
        g.output(out);
        return g.build();
    }

    @Test
    void padMergesEveryUnpaddedTrailingDimensionIntoTheOneBefore() {
        // NHWC padded in H and W: C joins W, H and N stay.
        PadParams p = (PadParams) planOne(pad(new int[] {1, 4, 4, 3}, new int[] {0, 0, 1, 1, 2, 0, 0, 0},
                new int[] {1, 6, 6, 3}));
        assertArrayEquals(new int[] {1, 4, 12}, p.inputShape());
        assertArrayEquals(new int[] {1, 6, 18}, p.outputShape());
        assertArrayEquals(new int[] {0, 1, 6}, p.padBefore());
        assertArrayEquals(new byte[] {3}, p.padValue());
    }

    @Test
    void padOfAScalarIsOneUnpaddedElement() {
        PadParams p = (PadParams) planOne(pad(new int[0], new int[0], new int[0]));
        assertArrayEquals(new int[] {1}, p.inputShape());
        assertArrayEquals(new int[] {1}, p.outputShape());
        assertArrayEquals(new int[] {0}, p.padBefore());
    }

    @Test
    void meanListsTheOffsetsOfEveryOutputAndEveryReducedElement() {
        QuantParams q = QuantParams.perTensor(0.1f, -128);
        MeanParams p = (MeanParams) planOne(OpGraphs.mean(DataType.INT8, new int[] {2, 3, 4}, q, new int[] {1},
                false, new int[] {2, 4}, q));
        assertArrayEquals(new int[] {0, 1, 2, 3, 12, 13, 14, 15}, p.outputOffsets());
        assertArrayEquals(new int[] {0, 4, 8}, p.reducedOffsets());
        assertEquals(-128 * 3, p.zeroPointTimesCount());
    }

    @Test
    void depthwiseConv2DIsPlannedUnderItsOwnName() {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("input", DataType.INT8, new int[] {1, 5, 5, 2}, QuantParams.perTensor(0.5f, 1));
        int filter = g.constantQuantized("filter", DataType.INT8, new int[] {1, 3, 3, 4},
                QuantParams.perChannel(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, new int[4], 3), new int[36]);
        int out = g.tensor("output", DataType.INT8, new int[] {1, 5, 5, 4}, QuantParams.perTensor(0.25f, -2));
        g.op(BuiltinOperator.DEPTHWISE_CONV_2D, new int[] {in, filter}, new int[] {out},
                new OpOptions.DepthwiseConv2D(Padding.SAME, 1, 1, 2, Activation.NONE, 1, 1));
        g.output(out);
        DepthwiseConv2DParams p = (DepthwiseConv2DParams) planOne(g.build());
        assertEquals(2, p.depthMultiplier());
        assertEquals(1, p.padTop());
        assertEquals(1, p.padLeft());
        assertEquals(4, p.quantization().outputMultiplier().length);
    }
}
