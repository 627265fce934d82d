package io.qbridge.converter.quantize;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.converter.InferenceType;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FullyConnectedClippingTest {

    /**
     * x [1, 64] -> FULLY_CONNECTED [4, 64] weights N(0, 0.1), optionally one outlier of 2 on an input
     * that is nearly always small: clipping it costs less than the coarse step costs all the others.
     */
    static Graph fc(boolean outlier) {
        Random r = new Random(9);
        float[] w = new float[4 * 64];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.1);
        }
        if (outlier) {
            w[5] = 2f;
        }
        GraphBuilder b = new GraphBuilder();
        int in = b.input("x", DataType.FLOAT32, new int[] {1, 64}, QuantParams.NONE);
        int wt = b.constantFloat32("w", new int[] {4, 64}, w);
        int bias = b.constantFloat32("b", new int[] {4}, new float[4]);
        int out = b.tensor("y", DataType.FLOAT32, new int[] {1, 4}, QuantParams.NONE);
        b.op(BuiltinOperator.FULLY_CONNECTED, new int[] {in, wt, bias}, new int[] {out},
                new OpOptions.FullyConnected(Activation.NONE, 0, false, false));
        b.output(out);
        return b.build();
    }

    static QuantParams weightParams(Graph g) {
        return weightParams(g, Quantizer.Options.defaults(InferenceType.INT8));
    }

    static QuantParams weightParams(Graph g, Quantizer.Options o) {
        Graph q = Quantizer.quantize(g, Map.of(0, new Range(-1, 1), 3, new Range(-10, 10)), new RangeHints(), o,
                Map.of(0, new ChannelMoments(new double[64], meanSquares()))).graph();
        return q.tensor(q.operators().get(0).input(1)).quant();
    }

    /** E[x^2] of the inputs: 1/3 (uniform in [-1, 1]) but 0.001 for input 5, the outlier's. */
    static double[] meanSquares() {
        double[] a = new double[64];
        Arrays.fill(a, 1.0 / 3);
        a[5] = 0.001;
        return a;
    }

    @Test
    void anOutlierWeightOnAQuietInputIsClippedForTheOthersPrecision() {
        float full = 2f / 127;
        float scale = weightParams(fc(true)).scale();
        assertTrue(scale < 0.9f * full, "scale " + scale + " vs max/127 " + full);
        assertTrue(scale >= 0.5f * full * 0.999f, "searched down to half the maximum only: " + scale);
        assertEquals(0, weightParams(fc(true)).zeroPoint());
    }

    @Test
    void withoutClippingTheScaleIsTheMaximumOver127() {
        Quantizer.Options d = Quantizer.Options.defaults(InferenceType.INT8);
        Quantizer.Options noClip = new Quantizer.Options(d.type(), d.inputType(), d.outputType(), d.inputMean(),
                d.inputStd(), d.defaultRange(), d.biasCorrection(), d.floatLayers(), d.perTensorTolerance(), false);
        assertEquals(2f / 127, weightParams(fc(true), noClip).scale(), 1e-7f);
    }
}
