package io.qbridge.armnn;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.testing.SingleOpHarness;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A per-channel int8 convolution whose bias carries no scales (TFLite never reads them; qbridge's
 * converter leaves them out): Arm NN 20.08 aborted the JVM on it before the adapter filled them in.
 */
class ArmNnModelAdapterTest {
    private static final int CHANNELS = 8;

    private static SingleOpHarness convolutionWithUnscaledBias() {
        Random random = new Random(8);
        SingleOpHarness h = new SingleOpHarness();
        byte[] pixels = new byte[6 * 6 * 3];
        random.nextBytes(pixels);
        int in = h.input(DataType.INT8, new int[] {1, 6, 6, 3}, QuantParams.perTensor(0.02f, -5), pixels);
        float[] weightScales = new float[CHANNELS];
        for (int c = 0; c < CHANNELS; c++) {
            weightScales[c] = 0.002f + 0.001f * c;
        }
        byte[] weights = new byte[CHANNELS * 3 * 3 * 3];
        random.nextBytes(weights);
        int w = h.constant(DataType.INT8, new int[] {CHANNELS, 3, 3, 3},
                QuantParams.perChannel(weightScales, new int[CHANNELS], 0), weights);
        int[] biasValues = new int[CHANNELS];
        for (int c = 0; c < CHANNELS; c++) {
            biasValues[c] = random.nextInt(2001) - 1000;
        }
        int b = h.constant(DataType.INT32, new int[] {CHANNELS}, QuantParams.NONE, SingleOpHarness.int32s(biasValues));
        h.output(DataType.INT8, new int[] {1, 4, 4, CHANNELS}, QuantParams.perTensor(0.05f, 3));
        h.op(BuiltinOperator.CONV_2D, new int[] {in, w, b},
                new OpOptions.Conv2D(Padding.VALID, 1, 1, Activation.RELU, 1, 1));
        return h;
    }

    @Test
    void fillsInTheBiasScalesTfliteImplies() {
        Graph graph = convolutionWithUnscaledBias().graph();
        int bias = graph.operators().get(0).input(2);
        assertFalse(graph.tensor(bias).quant() != null && graph.tensor(bias).quant().isQuantized());
        Graph adapted = ArmNnModelAdapter.adapt(graph);
        QuantParams q = adapted.tensor(bias).quant();
        assertTrue(q.isPerChannel());
        for (int c = 0; c < CHANNELS; c++) {
            assertEquals(0.02f * (0.002f + 0.001f * c), q.scale(c), 1e-9f);
            assertEquals(0, q.zeroPoint(c));
        }
        assertEquals(graph.tensor(bias).data(), adapted.tensor(bias).data());
        Graph again = ArmNnModelAdapter.adapt(adapted);
        assertTrue(again == adapted, "a model with bias scales is left as it is");
    }

    @Test
    void armnnRunsItWithinOneStepOfJava() {
        Assumptions.assumeTrue(ArmNnRuntime.unavailableReason() == null,
                "Arm NN not available here: " + ArmNnRuntime.unavailableReason());
        SingleOpHarness h = convolutionWithUnscaledBias();
        byte[] java = h.run(Interpreter.Backend.JAVA, 1);
        byte[] armnn = h.run(Interpreter.Backend.ARMNN, 1);
        assertEquals(java.length, armnn.length);
        for (int i = 0; i < java.length; i++) {
            assertTrue(Math.abs(java[i] - armnn[i]) <= 1, "element " + i + ": java " + java[i] + ", armnn " + armnn[i]);
        }
    }
}
