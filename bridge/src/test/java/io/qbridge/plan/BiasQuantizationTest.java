package io.qbridge.plan;

import io.qbridge.DataType;
import io.qbridge.InvalidModelException;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A quantized bias is checked as TFLite checks it (conv.cc Prepare: zero point 0; kernel_util.cc
 * GetQuantizedConvolutionMultipler: with a per-tensor filter, |input scale x filter scale - bias
 * scale| <= 1e-6 x the smaller): a bias of scale 0 or zero point 100000 was accepted.
 */
class BiasQuantizationTest {
    private static final float IN_SCALE = 0.5f;
    private static final float FILTER_SCALE = 0.25f;

    /** A 1x1 CONV_2D, int8, with the given filter and bias quantization. */
    private static Graph conv(QuantParams filterQ, QuantParams biasQ) {
        GraphBuilder g = new GraphBuilder();
        int in = g.input("in", DataType.INT8, new int[] {1, 2, 2, 2}, QuantParams.perTensor(IN_SCALE, 0));
        int w = g.constantQuantized("w", DataType.INT8, new int[] {2, 1, 1, 2}, filterQ, new int[] {1, 2, 3, 4});
        int b = g.constantInt32("conv_bias", new int[] {2}, biasQ, new int[] {5, -5});
        int out = g.tensor("out", DataType.INT8, new int[] {1, 2, 2, 2}, QuantParams.perTensor(1f, 0));
        g.op(BuiltinOperator.CONV_2D, new int[] {in, w, b}, new int[] {out},
                new OpOptions.Conv2D(Padding.VALID, 1, 1, Activation.NONE, 1, 1)).output(out);
        return g.build();
    }

    private static void assertRefused(Graph g, String expected) {
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> Planner.plan(g));
        assertTrue(e.getMessage().contains("'conv_bias'") && e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void perTensorBiasScaleMustBeInputTimesFilterScale() {
        QuantParams filter = QuantParams.perTensor(FILTER_SCALE, 0);
        assertDoesNotThrow(() -> Planner.plan(conv(filter, QuantParams.perTensor(IN_SCALE * FILTER_SCALE, 0))));
        // within TFLite's relative 1e-6
        assertDoesNotThrow(() -> Planner.plan(conv(filter, QuantParams.perTensor(0.125f * (1 + 5e-7f), 0))));
        assertRefused(conv(filter, QuantParams.perTensor(0.125f * (1 + 5e-6f), 0)), "has scale");
        assertRefused(conv(filter, QuantParams.perTensor(0f, 0)), "has scale 0.0");
        assertRefused(conv(filter, QuantParams.NONE), "has scale 0.0");
    }

    @Test
    void biasZeroPointMustBeZero() {
        assertRefused(conv(QuantParams.perTensor(FILTER_SCALE, 0), QuantParams.perTensor(0.125f, 100000)),
                "zero point 100000");
        QuantParams perChannel = QuantParams.perChannel(new float[] {0.25f, 0.5f}, new int[2], 0);
        assertRefused(conv(perChannel, QuantParams.perChannel(new float[] {0.125f, 0.25f}, new int[] {0, 100000}, 0)),
                "zero point 100000");
    }

    /** TFLite reads no bias scale where the filter is per channel: neither does qbridge. */
    @Test
    void perChannelBiasScalesAreNotChecked() {
        QuantParams perChannel = QuantParams.perChannel(new float[] {0.25f, 0.5f}, new int[2], 0);
        assertDoesNotThrow(() -> Planner.plan(conv(perChannel,
                QuantParams.perChannel(new float[] {0.125f, 0.25f}, new int[2], 0))));
        assertDoesNotThrow(() -> Planner.plan(conv(perChannel, QuantParams.NONE)));
    }
}
