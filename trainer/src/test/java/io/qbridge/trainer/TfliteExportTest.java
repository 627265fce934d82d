package io.qbridge.trainer;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Operator;
import io.qbridge.graph.Padding;
import io.qbridge.graph.TensorSpec;
import io.qbridge.image.ImageInput;
import io.qbridge.plan.OpRegistry;
import io.qbridge.tflite.ModelReader;
import io.qbridge.tflite.ModelWriter;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exported model computes what the trainer computes: each layer's weights in TFLite's layout,
 * run by the Java backend, against the trainer's own loops; then the whole model.
 */
class TfliteExportTest {
    private static final DigitCnn.Architecture SMALL = new DigitCnn.Architecture(28, 8, 16, 32, 10);
    private static SyntheticDigits.Dataset test;
    private static Trainer.Result trained;
    private static Trainer.Result quantizationAware;

    @BeforeAll
    static void trainSmallNetworks() {
        SyntheticDigits.Dataset train = SyntheticDigits.generate(9, SyntheticDigits.Split.TRAIN, 800);
        test = SyntheticDigits.generate(9, SyntheticDigits.Split.TEST, 200);
        Trainer.Config config = Trainer.Config.defaults().withEpochs(1).withSeed(9).withArchitecture(SMALL);
        trained = Trainer.train(config, train, test, null);
        quantizationAware = Trainer.train(config.withQuantDelay(10), train, test, null);
    }

    private static Interpreter javaInterpreter(Graph g) {
        return new Interpreter(ModelWriter.toByteBuffer(g), new Interpreter.Options().setBackend(Interpreter.Backend.JAVA));
    }

    private static float[] randomActivations(int n, long seed) {
        Rng r = new Rng(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.chance(0.4) ? 0f : (float) r.uniform(0, 2);   // ReLU-like: many zeros
        }
        return a;
    }

    @Test
    void convolutionWeightsInTfliteLayoutComputeTheSame() {
        DigitCnn net = trained.network();
        // conv1 on a digit, conv2 on ReLU-like activations
        float[] x = new float[28 * 28];
        test.input(3, x, 0);
        checkConv(net, x, 28, 1, net.w1, net.b1, SMALL.conv1());
        checkConv(net, randomActivations(14 * 14 * SMALL.conv1(), 4), 14, SMALL.conv1(), net.w2, net.b2, SMALL.conv2());
    }

    private static void checkConv(DigitCnn net, float[] in, int size, int inC, int w, int b, int outC) {
        // the trainer's bordered channel planes in, output planes out; compared in NHWC
        DigitCnn.Plane plane = new DigitCnn.Plane(size);
        float[] planes = new float[inC * plane.bordered];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                for (int c = 0; c < inC; c++) {
                    planes[c * plane.bordered + plane.inside(y, x)] = in[(y * size + x) * inC + c];
                }
            }
        }
        float[][] outPlanes = new float[outC][plane.out];
        DigitCnn.conv3x3Relu(planes, plane, inC, net.params, w, b, outC, new float[inC * 9][plane.out], outPlanes);
        float[] expected = new float[size * size * outC];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                for (int c = 0; c < outC; c++) {
                    expected[(y * size + x) * outC + c] = outPlanes[c][y * plane.pitch + x];
                }
            }
        }
        GraphBuilder g = new GraphBuilder();
        int x = g.input("x", DataType.FLOAT32, new int[] {1, size, size, inC}, QuantParams.NONE);
        int f = g.constantFloat32("f", new int[] {outC, 3, 3, inC}, TfliteExport.convFilter(net.params, w, inC, outC));
        int bias = g.constantFloat32("b", new int[] {outC}, TfliteExport.slice(net.params, b, outC));
        int y = g.tensor("y", DataType.FLOAT32, new int[] {1, size, size, outC}, QuantParams.NONE);
        g.op(BuiltinOperator.CONV_2D, new int[] {x, f, bias}, new int[] {y},
                new OpOptions.Conv2D(Padding.SAME, 1, 1, Activation.RELU, 1, 1));
        g.output(y);
        try (Interpreter it = javaInterpreter(g.build())) {
            float[] actual = new float[expected.length];
            it.run(in, actual);
            assertArrayEquals(expected, actual, 1e-4f);
        }
    }

    /** FULLY_CONNECTED on the pooled NHWC tensor: TFLite flattens it in the trainer's order. */
    @Test
    void denseWeightsInTfliteLayoutComputeTheSame() {
        DigitCnn net = trained.network();
        float[] pooled = randomActivations(SMALL.flat(), 6);
        float[] hidden = new float[SMALL.hidden()];
        float[] expected = new float[SMALL.classes()];
        DigitCnn.dense(pooled, SMALL.flat(), net.params, net.w3, net.b3, SMALL.hidden(), hidden, true);
        DigitCnn.dense(hidden, SMALL.hidden(), net.params, net.w4, net.b4, SMALL.classes(), expected, false);

        GraphBuilder g = new GraphBuilder();
        int x = g.input("x", DataType.FLOAT32, new int[] {1, 7, 7, SMALL.conv2()}, QuantParams.NONE);
        int w1 = g.constantFloat32("w1", new int[] {SMALL.hidden(), SMALL.flat()},
                TfliteExport.denseWeights(net.params, net.w3, SMALL.flat(), SMALL.hidden()));
        int b1 = g.constantFloat32("b1", new int[] {SMALL.hidden()}, TfliteExport.slice(net.params, net.b3, SMALL.hidden()));
        int h = g.tensor("h", DataType.FLOAT32, new int[] {1, SMALL.hidden()}, QuantParams.NONE);
        g.op(BuiltinOperator.FULLY_CONNECTED, new int[] {x, w1, b1}, new int[] {h},
                new OpOptions.FullyConnected(Activation.RELU, 0, false, false));
        int w2 = g.constantFloat32("w2", new int[] {SMALL.classes(), SMALL.hidden()},
                TfliteExport.denseWeights(net.params, net.w4, SMALL.hidden(), SMALL.classes()));
        int b2 = g.constantFloat32("b2", new int[] {SMALL.classes()}, TfliteExport.slice(net.params, net.b4, SMALL.classes()));
        int y = g.tensor("y", DataType.FLOAT32, new int[] {1, SMALL.classes()}, QuantParams.NONE);
        g.op(BuiltinOperator.FULLY_CONNECTED, new int[] {h, w2, b2}, new int[] {y},
                new OpOptions.FullyConnected(Activation.NONE, 0, false, false));
        g.output(y);
        try (Interpreter it = javaInterpreter(g.build())) {
            float[] actual = new float[expected.length];
            it.run(pooled, actual);
            assertArrayEquals(expected, actual, 1e-4f);
        }
    }

    @Test
    void modelHasTheKerasConverterOpsAndShapes() {
        Graph g = ModelReader.read(ModelWriter.toByteBuffer(TfliteExport.graph(trained.network(), null)));
        assertEquals(List.of("CONV_2D", "MAX_POOL_2D", "CONV_2D", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED",
                "FULLY_CONNECTED", "SOFTMAX"), g.operators().stream().map(Operator::opName).toList());
        assertArrayEquals(new int[] {1, 28, 28, 1}, g.input(0).shape());
        assertEquals(DataType.FLOAT32, g.input(0).type());
        assertArrayEquals(new int[] {1, 10}, g.output(0).shape());
        assertArrayEquals(new int[] {8, 3, 3, 1}, g.tensor(g.operators().get(0).input(1)).shape());
        assertArrayEquals(new int[] {16, 3, 3, 8}, g.tensor(g.operators().get(2).input(1)).shape());
        assertArrayEquals(new int[] {32, 784}, g.tensor(g.operators().get(5).input(1)).shape());
        assertArrayEquals(new int[] {10, 32}, g.tensor(g.operators().get(6).input(1)).shape());
        for (TensorSpec t : g.tensors()) {
            assertTrue(!t.quant().isQuantized() && t.quant().min() == null, "a plain float model has no ranges: " + t);
        }
    }

    @Test
    void quantizationAwareModelCarriesFakeQuantRanges() {
        Trainer.Result qat = quantizationAware;
        assertTrue(qat.quantizationAware());
        Graph g = ModelReader.read(ModelWriter.toByteBuffer(TfliteExport.graph(qat.network(), qat.fakeQuant())));
        assertEquals(List.of("CONV_2D", "FAKE_QUANT", "MAX_POOL_2D", "CONV_2D", "FAKE_QUANT", "MAX_POOL_2D", "RESHAPE",
                "FULLY_CONNECTED", "FAKE_QUANT", "FULLY_CONNECTED", "FAKE_QUANT", "SOFTMAX"),
                g.operators().stream().map(Operator::opName).toList());
        int[] which = {FakeQuant.CONV1, FakeQuant.CONV2, FakeQuant.HIDDEN, FakeQuant.LOGITS};
        int k = 0;
        for (Operator op : g.operators()) {
            if (op.builtinCode() != BuiltinOperator.FAKE_QUANT) {
                continue;
            }
            float[] range = qat.fakeQuant().range(which[k++]);
            OpOptions.FakeQuant o = (OpOptions.FakeQuant) op.options();
            assertEquals(new OpOptions.FakeQuant(range[0], range[1], 8, false), o);
            assertTrue(range[1] > range[0]);
            for (int t : new int[] {op.input(0), op.output(0)}) {
                assertArrayEquals(new float[] {range[0]}, g.tensor(t).quant().min());
                assertArrayEquals(new float[] {range[1]}, g.tensor(t).quant().max());
            }
        }
        assertEquals(4, k);
        assertArrayEquals(new float[] {-1f}, g.input(0).quant().min());
        assertArrayEquals(new float[] {1f}, g.input(0).quant().max());
        // ReLU outputs have ranges starting at 0; the logits' range spans negative values
        assertEquals(0f, qat.fakeQuant().range(FakeQuant.CONV1)[0]);
        assertTrue(qat.fakeQuant().range(FakeQuant.LOGITS)[0] < 0);
    }

    /** Weights of a quantization-aware model are exported on their 8-bit per-channel grid. */
    @Test
    void quantizationAwareWeightsAreOnTheirPerChannelGrid() {
        Graph g = TfliteExport.graph(quantizationAware.network(), quantizationAware.fakeQuant());
        TensorSpec w = g.tensor(g.operators().get(3).input(1));   // conv2 filter [outC, 3, 3, inC]
        float[] f = new float[(int) w.elementCount()];
        w.data().asFloatBuffer().get(f);
        int perChannel = f.length / w.dim(0);
        for (int c = 0; c < w.dim(0); c++) {
            float maxAbs = 0;
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(f[i]));
            }
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                float level = f[i] / (maxAbs / 127f);
                assertEquals(Math.round(level), level, 2e-3f, "channel " + c + " weight " + i);
            }
        }
    }

    /** The quantization-aware float model, FAKE_QUANT ops included, computes the trainer's fake-quantized forward pass. */
    @Test
    void quantizationAwareModelPredictsAsTheTrainer() {
        assumeOpsRun();
        DigitCnn net = quantizationAware.network();
        FakeQuant fq = quantizationAware.fakeQuant();
        assertTrue(fq.active());
        DigitCnn.Workspace ws = net.workspace();
        ws.weights = new float[net.paramCount];
        FakeQuant.quantizeWeights(net, ws.weights);
        int agree = 0;
        float worst = 0;
        try (Interpreter it = javaInterpreter(TfliteExport.graph(net, fq))) {
            float[] probs = new float[10];
            for (int i = 0; i < test.count(); i++) {
                test.input(i, ws.x, 0);
                int predicted = net.forward(ws, fq);
                it.run(ws.x, probs);
                for (int c = 0; c < 10; c++) {
                    worst = Math.max(worst, Math.abs(probs[c] - ws.probs[c]));
                }
                if (argmax(probs) == predicted) {
                    agree++;
                }
            }
        }
        // Sums in another order can move a value across a rounding boundary: one 8-bit step somewhere
        // (measured: none, the probabilities are identical on these 200 samples); the predictions stay the trainer's.
        assertEquals(test.count(), agree);
        assertTrue(worst < 0.02f, "largest probability difference " + worst);
    }

    private static void assumeOpsRun() {
        Assumptions.assumeTrue(OpRegistry.isSupported(BuiltinOperator.MAX_POOL_2D)
                        && OpRegistry.isSupported(BuiltinOperator.RESHAPE) && OpRegistry.isSupported(BuiltinOperator.SOFTMAX),
                "the Java backend does not run MAX_POOL_2D, RESHAPE and SOFTMAX yet: skipping the whole-model comparison");
    }

    /** The whole float model on the Java backend gives the trainer's probabilities and predictions. */
    @Test
    void wholeModelPredictsAsTheTrainer() {
        assumeOpsRun();
        DigitCnn net = trained.network();
        DigitCnn.Workspace ws = net.workspace();
        int agree = 0;
        try (Interpreter it = javaInterpreter(TfliteExport.graph(net, null))) {
            float[] probs = new float[10];
            for (int i = 0; i < test.count(); i++) {
                test.input(i, ws.x, 0);
                int predicted = net.forward(ws, null);
                it.run(ws.x, probs);
                assertArrayEquals(ws.probs, probs, 1e-5f, "sample " + i);
                if (argmax(probs) == predicted) {
                    agree++;
                }
            }
        }
        assertEquals(test.count(), agree);
    }

    /** From the PNG files through the project's image preprocessing to the same predictions. */
    @Test
    void pngImagesThroughImageInputGiveTheTrainersPredictions(@TempDir Path dir) throws Exception {
        assumeOpsRun();
        DigitCnn net = trained.network();
        SyntheticDigits.write(test, dir);
        DigitCnn.Workspace ws = net.workspace();
        Path model = dir.resolve("m.tflite");
        TfliteExport.write(trained, model);
        try (Interpreter it = new Interpreter(model, new Interpreter.Options().setBackend(Interpreter.Backend.JAVA))) {
            for (int i = 0; i < 40; i++) {
                ImageInput.feed(it.getInputTensor(0), ImageInput.read(dir.resolve(SyntheticDigits.fileName(i))), null, null);
                it.run();
                test.input(i, ws.x, 0);
                assertEquals(net.forward(ws, null), argmax(it.getOutputTensor(0).floats()), "image " + i);
                assertArrayEquals(ws.probs, it.getOutputTensor(0).floats(), 1e-4f, "image " + i);
            }
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
