package io.qbridge.ops;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Operator;
import io.qbridge.graph.TensorSpec;
import io.qbridge.image.ImageInput;
import io.qbridge.plan.OpRegistry;
import io.qbridge.plan.Planner;
import io.qbridge.plan.ops.ReduceOps;
import io.qbridge.testing.Backends;
import io.qbridge.testing.ModelRunner;
import io.qbridge.testing.OpGraphs;
import io.qbridge.testing.SharedData;
import io.qbridge.tflite.ModelReader;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pooling, MEAN and activations inside the shared real models ({@code ../shared/models}, skipped
 * when absent): mobilenet_v1_0.25_128_quant's AVERAGE_POOL_2D and SOFTMAX on real images, the
 * MEAN of tf2_mobilenet_v2_1.0_224_ptq with its own parameters, and the float single-op models.
 */
class SharedModelOpsTest {
    private static final String[] IMAGES = {"grace_hopper.bmp", "cat.bmp", "bird.bmp", "dragonfly.bmp",
        "sunflower.bmp"};

    static Stream<Interpreter.Backend> backends() {
        return Backends.available();
    }

    /**
     * mobilenet_v1_0.25_128_quant with its final RESHAPE ([1,1,1,1001] to [1,1001], a plain copy)
     * left out: SOFTMAX reads the logits directly and both are outputs. Every other op is the
     * model's own.
     */
    static Graph mobilenetWithoutFinalReshape(Graph model) {
        GraphBuilder g = OpGraphs.copyTensors(model, model.inputs());
        int logits = -1;
        float beta = 1f;
        int probabilitiesType = -1;
        for (Operator op : model.operators()) {
            if (op.builtinCode() == BuiltinOperator.RESHAPE) {
                logits = op.input(0);
                continue;
            }
            if (op.builtinCode() == BuiltinOperator.SOFTMAX) {
                beta = ((OpOptions.Softmax) op.options()).beta();
                probabilitiesType = op.output(0);
                continue;
            }
            g.op(op.builtinCode(), op.customCode(), op.version(), op.inputs(), op.outputs(), op.options());
        }
        TensorSpec l = model.tensor(logits);
        int probabilities = g.tensor("probabilities", l.type(), l.shape(), model.tensor(probabilitiesType).quant());
        g.op(BuiltinOperator.SOFTMAX, new int[] {logits}, new int[] {probabilities}, new OpOptions.Softmax(beta));
        g.output(probabilities);
        g.output(logits);
        return g.build();
    }

    /**
     * On five real images the quantized SOFTMAX agrees with a double-precision softmax of the
     * dequantized logits within one output step (1/256), its top class is a top logit, and the
     * probabilities add up to 1 within rounding.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void mobilenetV1QuantSoftmaxOnImages(Interpreter.Backend backend) throws Exception {
        Graph model = ModelReader.read(SharedData.model("mobilenet_v1_0.25_128_quant"));
        Graph g = mobilenetWithoutFinalReshape(model);
        QuantParams logitQ = g.tensor(g.outputs()[1]).quant();
        for (String image : IMAGES) {
            BufferedImage img = ImageInput.read(SharedData.require("images/" + image));
            try (Interpreter it = ModelRunner.open(g, backend, 2)) {
                ImageInput.feed(it.getInputTensor(0), img, null, null);
                it.run();
                byte[] probabilities = it.getOutputTensor(0).bytes();
                byte[] logits = it.getOutputTensor(1).bytes();
                double[] expected = softmax(logits, logitQ.scale(), logitQ.zeroPoint(), 1.0);
                double sum = 0;
                int top = 0;
                int topLogit = 0;
                for (int i = 0; i < probabilities.length; i++) {
                    double p = (probabilities[i] & 0xFF) / 256.0;
                    sum += p;
                    assertEquals(expected[i], p, 1.0 / 256, image + " class " + i);
                    top = (probabilities[i] & 0xFF) > (probabilities[top] & 0xFF) ? i : top;
                    topLogit = (logits[i] & 0xFF) > (logits[topLogit] & 0xFF) ? i : topLogit;
                }
                assertEquals(logits[topLogit] & 0xFF, logits[top] & 0xFF, image + ": top probability is not a top logit");
                assertEquals(1.0, sum, probabilities.length * 0.5 / 256, image + ": probabilities add up to " + sum);
            }
        }
    }

    private static double[] softmax(byte[] q, float scale, int zeroPoint, double beta) {
        double max = Double.NEGATIVE_INFINITY;
        for (byte b : q) {
            max = Math.max(max, scale * ((b & 0xFF) - zeroPoint));
        }
        double[] p = new double[q.length];
        double sum = 0;
        for (int i = 0; i < q.length; i++) {
            p[i] = Math.exp(beta * (scale * ((q[i] & 0xFF) - zeroPoint) - max));
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /**
     * Once RESHAPE runs (another op family), the whole model's output must equal the SOFTMAX above
     * byte for byte. Skipped while RESHAPE is not supported.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void mobilenetV1QuantEndToEndMatchesWhenReshapeRuns(Interpreter.Backend backend) throws Exception {
        Assumptions.assumeTrue(OpRegistry.isSupported(BuiltinOperator.RESHAPE), "RESHAPE is not supported yet");
        Path file = SharedData.model("mobilenet_v1_0.25_128_quant");
        Graph g = mobilenetWithoutFinalReshape(ModelReader.read(file));
        BufferedImage img = ImageInput.read(SharedData.require("images/grace_hopper.bmp"));
        byte[] whole;
        try (Interpreter it = new Interpreter(file, new Interpreter.Options().setBackend(backend))) {
            ImageInput.feed(it.getInputTensor(0), img, null, null);
            it.run();
            whole = it.getOutputTensor(0).bytes();
        }
        try (Interpreter it = ModelRunner.open(g, backend, 1)) {
            ImageInput.feed(it.getInputTensor(0), img, null, null);
            it.run();
            assertArrayEquals(it.getOutputTensor(0).bytes(), whole);
        }
    }

    /**
     * tf2_mobilenet_v2_1.0_224_ptq's MEAN (int8 [1,7,7,1280], axes {1,2}, keep_dims, input scale
     * 0.0235 and output scale 0.0191, both zero points -128) run alone with the model's own
     * tensors: it plans as one 49-element reduction per channel and agrees with a float mean
     * within one output step.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void tf2MobilenetMeanWithModelParameters(Interpreter.Backend backend) throws Exception {
        Graph model = ModelReader.read(SharedData.model("tf2_mobilenet_v2_1.0_224_ptq"));
        Operator mean = model.operators().stream().filter(o -> o.builtinCode() == BuiltinOperator.MEAN).findFirst()
                .orElseThrow();
        TensorSpec in = model.tensor(mean.input(0));
        TensorSpec out = model.tensor(mean.output(0));
        ByteBuffer axisData = model.tensor(mean.input(1)).data();
        int[] axes = new int[axisData.remaining() / 4];
        axisData.asIntBuffer().get(axes);
        boolean keepDims = ((OpOptions.Reducer) mean.options()).keepDims();
        assertEquals(DataType.INT8, in.type());
        assertArrayEquals(new int[] {1, 7, 7, 1280}, in.shape());
        assertArrayEquals(new int[] {1, 2}, axes);
        assertTrue(keepDims);

        Graph g = OpGraphs.mean(in.type(), in.shape(), in.quant(), axes, keepDims, out.shape(), out.quant());
        ReduceOps.MeanParams p = (ReduceOps.MeanParams) Planner.plan(g).ops().get(0).params();
        assertArrayEquals(new int[] {49, 1280}, p.dims());
        assertEquals(49, p.reducedCount());
        assertEquals(-128, p.inputZeroPoint());

        Random r = new Random(49);
        byte[] input = new byte[7 * 7 * 1280];
        r.nextBytes(input);
        byte[] result = ModelRunner.runBytes(g, backend, 2, input);
        QuantParams inQ = in.quant();
        QuantParams outQ = out.quant();
        for (int c = 0; c < 1280; c++) {
            double sum = 0;
            for (int pixel = 0; pixel < 49; pixel++) {
                sum += inQ.scale() * (input[pixel * 1280 + c] - inQ.zeroPoint());
            }
            double expected = Math.min(outQ.scale() * (127 - outQ.zeroPoint()), sum / 49);
            assertEquals(expected, outQ.scale() * (result[c] - outQ.zeroPoint()), outQ.scale(), "channel " + c);
        }
    }

    /** The float single-op models of ../shared/models/single-op-float against direct computation. */
    @ParameterizedTest
    @MethodSource("backends")
    void singleOpFloatModels(Interpreter.Backend backend) throws Exception {
        Random r = new Random(7);
        float[] x = randomFloats(r, 6);
        float[] relu = run(backend, "single_relu", x);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Math.max(0f, x[i]), relu[i], 0f);
        }
        x = randomFloats(r, 24);
        float[] tanh = run(backend, "single_tanh", x);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Math.tanh(x[i]), tanh[i], 1e-6);
        }
        x = randomFloats(r, 48);                                  // [1, 6, 8, 1], 2x2 stride 2 VALID
        float[] pool = run(backend, "single_max_pool_2d", x);
        for (int oy = 0; oy < 3; oy++) {
            for (int ox = 0; ox < 4; ox++) {
                float m = Math.max(Math.max(x[(2 * oy) * 8 + 2 * ox], x[(2 * oy) * 8 + 2 * ox + 1]),
                        Math.max(x[(2 * oy + 1) * 8 + 2 * ox], x[(2 * oy + 1) * 8 + 2 * ox + 1]));
                assertEquals(m, pool[oy * 4 + ox], 0f);
            }
        }
        Graph meanModel = ModelReader.read(SharedData.model("single-op-float/single_mean"));
        int axis = meanModel.tensor(meanModel.operators().get(0).input(1)).data().getInt(0);
        x = randomFloats(r, 32 * 32);                             // [1, 32, 32]
        float[] mean = run(backend, "single_mean", x);
        for (int i = 0; i < 32; i++) {
            double sum = 0;
            for (int j = 0; j < 32; j++) {
                sum += axis == 1 || axis == -2 ? x[j * 32 + i] : x[i * 32 + j];
            }
            assertEquals(sum / 32, mean[i], 1e-5);
        }
    }

    private static float[] randomFloats(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (r.nextFloat() - 0.5f) * 8;
        }
        return v;
    }

    /** A native backend refusing an op it does not implement skips the case (auto would run java). */
    private static Interpreter openOrSkip(Path file, Interpreter.Backend backend) throws Exception {
        try {
            return new Interpreter(file, new Interpreter.Options().setBackend(backend));
        } catch (io.qbridge.UnsupportedModelException e) {
            if (backend != Interpreter.Backend.JAVA && e.getMessage().startsWith("the " + backend.id() + " backend")) {
                org.junit.jupiter.api.Assumptions.abort(e.getMessage());
            }
            throw e;
        }
    }

    private static float[] run(Interpreter.Backend backend, String name, float[] input) throws Exception {
        Path file = SharedData.model("single-op-float/" + name);
        try (Interpreter it = openOrSkip(file, backend)) {
            it.getInputTensor(0).copyFrom(input);
            it.run();
            return it.getOutputTensor(0).floats();
        }
    }
}
