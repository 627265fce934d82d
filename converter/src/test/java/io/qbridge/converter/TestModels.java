package io.qbridge.converter;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.converter.calibration.CalibrationData;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small float models built in code for converter tests (ops the Java backend runs). */
final class TestModels {
    private TestModels() {
    }

    static float[] random(Random r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    /**
     * input [1,8,8,3] -> CONV 3x3 (8, RELU6) -> DEPTHWISE 3x3 (RELU6, channels of very different
     * ranges) -> CONV 1x1 (6) -> FULLY_CONNECTED (5). Returns the graph; the depthwise channel scales
     * span 1/50 .. 1 so that per-tensor uint8 weights suffer unless equalized.
     */
    static Graph smallCnn(long seed) {
        Random r = new Random(seed);
        GraphBuilder b = new GraphBuilder();
        int in = b.input("image", DataType.FLOAT32, new int[] {1, 8, 8, 3}, QuantParams.NONE);
        int w1 = b.constantFloat32("conv1/w", new int[] {8, 3, 3, 3}, random(r, 8 * 27, 0.3f));
        int b1 = b.constantFloat32("conv1/b", new int[] {8}, random(r, 8, 0.1f));
        int x1 = b.tensor("conv1", DataType.FLOAT32, new int[] {1, 8, 8, 8}, QuantParams.NONE);
        b.op(BuiltinOperator.CONV_2D, new int[] {in, w1, b1}, new int[] {x1},
                new OpOptions.Conv2D(Padding.SAME, 1, 1, Activation.RELU6, 1, 1));
        float[] dw = random(r, 9 * 8, 1f);
        for (int i = 0; i < dw.length; i++) {
            int c = i % 8;
            dw[i] *= (c % 2 == 0) ? 1f : 0.02f;   // alternate large and tiny channels
        }
        int w2 = b.constantFloat32("dw/w", new int[] {1, 3, 3, 8}, dw);
        int b2 = b.constantFloat32("dw/b", new int[] {8}, random(r, 8, 0.05f));
        int x2 = b.tensor("dw", DataType.FLOAT32, new int[] {1, 8, 8, 8}, QuantParams.NONE);
        b.op(BuiltinOperator.DEPTHWISE_CONV_2D, new int[] {x1, w2, b2}, new int[] {x2},
                new OpOptions.DepthwiseConv2D(Padding.SAME, 1, 1, 1, Activation.RELU6, 1, 1));
        float[] pw = random(r, 6 * 8, 0.5f);
        for (int i = 0; i < pw.length; i++) {
            if ((i % 8) % 2 == 1) {
                pw[i] *= 20f;   // the tiny depthwise channels matter downstream
            }
        }
        int w3 = b.constantFloat32("pw/w", new int[] {6, 1, 1, 8}, pw);
        int b3 = b.constantFloat32("pw/b", new int[] {6}, random(r, 6, 0.1f));
        int x3 = b.tensor("pw", DataType.FLOAT32, new int[] {1, 8, 8, 6}, QuantParams.NONE);
        b.op(BuiltinOperator.CONV_2D, new int[] {x2, w3, b3}, new int[] {x3},
                new OpOptions.Conv2D(Padding.SAME, 1, 1, Activation.NONE, 1, 1));
        int w4 = b.constantFloat32("fc/w", new int[] {5, 384}, random(r, 5 * 384, 0.05f));
        int b4 = b.constantFloat32("fc/b", new int[] {5}, random(r, 5, 0.1f));
        int out = b.tensor("logits", DataType.FLOAT32, new int[] {1, 5}, QuantParams.NONE);
        b.op(BuiltinOperator.FULLY_CONNECTED, new int[] {x3, w4, b4}, new int[] {out},
                new OpOptions.FullyConnected(Activation.NONE, 0, false, false));
        b.output(out);
        return b.build();
    }

    /** n samples of one input, uniform in [lo, hi]. */
    static CalibrationData uniformSamples(Graph g, int n, float lo, float hi, long seed) {
        Random r = new Random(seed);
        List<float[][]> samples = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            float[][] sample = new float[g.inputs().length][];
            for (int i = 0; i < sample.length; i++) {
                float[] v = new float[(int) g.input(i).elementCount()];
                for (int k = 0; k < v.length; k++) {
                    v[k] = lo + (hi - lo) * r.nextFloat();
                }
                sample[i] = v;
            }
            samples.add(sample);
        }
        return new CalibrationData(samples);
    }
}
