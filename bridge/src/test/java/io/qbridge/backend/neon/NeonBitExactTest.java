package io.qbridge.backend.neon;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.UnsupportedModelException;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.testing.ModelRunner;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The native backend against the Java reference, byte for byte: randomized CONV_2D,
 * DEPTHWISE_CONV_2D and FULLY_CONNECTED layers (fixed seeds) in uint8 per-tensor and int8
 * per-channel, with channel counts that are not multiples of 4/8/16, zero points at the ends of
 * their ranges, multipliers above 1 (left shifts) and tiny ones (large right shifts), strides,
 * both paddings, dilation, depth multipliers, batch > 1, int8 weights of -128, and 1 and 3
 * threads. Runs wherever the native library loads (x86_64 here, Arm JVMs under qemu-tests).
 */
class NeonBitExactTest {
    static boolean neonAvailable() {
        return new NeonBackend().unavailableReason() == null;
    }

    static IntStream seeds() {
        return IntStream.rangeClosed(1, 150);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomLayerIsBitExactWithJava(int seed) {
        Assumptions.assumeTrue(neonAvailable(), () -> "neon unavailable: " + new NeonBackend().unavailableReason());
        Random r = new Random(seed * 1_000_003L);
        int kind = seed % 3;                               // 0 conv, 1 depthwise, 2 fully connected
        DataType type = (seed / 3) % 2 == 0 ? DataType.UINT8 : DataType.INT8;
        Graph graph = randomLayer(r, kind, type);
        byte[] input = new byte[(int) graph.tensor(graph.inputs()[0]).byteSize()];
        r.nextBytes(input);
        byte[] expected = ModelRunner.runBytes(graph, Interpreter.Backend.JAVA, 1, input);
        byte[] one = ModelRunner.runBytes(graph, Interpreter.Backend.NEON, 1, input);
        assertArrayEquals(expected, one, "neon (" + NeonBackend.isa() + ", 1 thread) differs from java");
        byte[] three = ModelRunner.runBytes(graph, Interpreter.Backend.NEON, 3, input);
        assertArrayEquals(expected, three, "neon (" + NeonBackend.isa() + ", 3 threads) differs from java");
    }

    private static Graph randomLayer(Random r, int kind, DataType t) {
        int qmin = t.minValue();
        int qmax = t.maxValue();
        int batches = 1 + r.nextInt(3);
        int inC = kind == 2 ? 1 + r.nextInt(300) : pick(r, 1, 3, 7, 8, 15, 16, 17, 24, 31, 33);
        int fH = kind == 2 ? 1 : 1 + r.nextInt(3);
        int fW = kind == 2 ? 1 : (r.nextInt(4) == 0 ? 1 + r.nextInt(3) : fH);
        int stride = 1 + r.nextInt(2);
        int dilation = kind == 2 || r.nextInt(4) != 0 ? 1 : 2;
        Padding padding = r.nextBoolean() ? Padding.SAME : Padding.VALID;
        int inH = (fH - 1) * dilation + 1 + r.nextInt(9);
        int inW = (fW - 1) * dilation + 1 + r.nextInt(9);
        int depthMultiplier = kind == 1 && r.nextInt(4) == 0 ? 2 : 1;
        int outC = kind == 1 ? inC * depthMultiplier : pick(r, 1, 4, 5, 8, 9, 13, 16, 20, 33, 64);
        Activation act = new Activation[] {Activation.NONE, Activation.RELU, Activation.RELU6, Activation.RELU_N1_TO_1}[r.nextInt(4)];

        QuantParams inQ = QuantParams.perTensor(0.02f + r.nextFloat() * 0.1f, extremeOr(r, qmin, qmax));
        // Output scales from tiny (multipliers far below 1) to small (multipliers above 1: left shifts).
        float outScale = r.nextInt(4) == 0 ? 1e-5f + r.nextFloat() * 1e-4f : 0.01f + r.nextFloat() * 4f;
        QuantParams outQ = QuantParams.perTensor(outScale, extremeOr(r, qmin, qmax));
        int channelAxis = kind == 1 ? 3 : 0;
        int[] filterShape = kind == 0 ? new int[] {outC, fH, fW, inC}
                : kind == 1 ? new int[] {1, fH, fW, outC} : new int[] {outC, inC};
        int filterSize = 1;
        for (int d : filterShape) {
            filterSize *= d;
        }
        int[] filter = new int[filterSize];
        QuantParams wQ;
        boolean minus128 = r.nextInt(5) == 0;   // outside the spec, but must still be exact
        float[] wScales = new float[outC];
        for (int c = 0; c < outC; c++) {
            wScales[c] = 0.001f + r.nextFloat() * 0.05f;
        }
        if (t == DataType.UINT8) {
            wQ = QuantParams.perTensor(wScales[0], extremeOr(r, 0, 255));
            for (int i = 0; i < filterSize; i++) {
                filter[i] = r.nextInt(256);
            }
        } else if (kind == 2 && r.nextInt(4) == 0) {
            wQ = QuantParams.perTensor(wScales[0], 0);
            for (int i = 0; i < filterSize; i++) {
                filter[i] = (minus128 ? -128 : -127) + r.nextInt(minus128 ? 256 : 255);
            }
        } else {
            wQ = QuantParams.perChannel(wScales, new int[outC], channelAxis);
            for (int i = 0; i < filterSize; i++) {
                filter[i] = (minus128 ? -128 : -127) + r.nextInt(minus128 ? 256 : 255);
            }
        }
        float[] biasScales = new float[outC];
        int[] bias = new int[outC];
        for (int c = 0; c < outC; c++) {
            biasScales[c] = inQ.scale() * (wQ.isPerChannel() ? wQ.scale(c) : wQ.scale());
            bias[c] = r.nextInt(200_001) - 100_000;
        }
        GraphBuilder g = new GraphBuilder();
        int[] inShape = kind == 2 ? new int[] {batches, inC} : new int[] {batches, inH, inW, inC};
        int in = g.input("in", t, inShape, inQ);
        int f = g.constantQuantized("filter", t, filterShape, wQ, filter);
        boolean withBias = r.nextInt(5) != 0;
        int b = withBias ? g.constantInt32("bias", new int[] {outC}, wQ.isPerChannel()
                ? QuantParams.perChannel(biasScales, new int[outC], 0) : QuantParams.perTensor(biasScales[0], 0), bias) : -1;
        int op;
        OpOptions options;
        int[] outShape;
        if (kind == 2) {
            op = BuiltinOperator.FULLY_CONNECTED;
            options = new OpOptions.FullyConnected(act, 0, false, false);
            outShape = new int[] {batches, outC};
        } else {
            int outH = outSize(padding, inH, fH, stride, dilation);
            int outW = outSize(padding, inW, fW, stride, dilation);
            outShape = new int[] {batches, outH, outW, outC};
            op = kind == 0 ? BuiltinOperator.CONV_2D : BuiltinOperator.DEPTHWISE_CONV_2D;
            options = kind == 0 ? new OpOptions.Conv2D(padding, stride, stride, act, dilation, dilation)
                    : new OpOptions.DepthwiseConv2D(padding, stride, stride, depthMultiplier, act, dilation, dilation);
        }
        int out = g.tensor("out", t, outShape, outQ);
        g.op(op, withBias ? new int[] {in, f, b} : new int[] {in, f, -1}, new int[] {out}, options);
        g.output(out);
        return g.build();
    }

    /** A uniformly random value, or one of the range ends a third of the time. */
    private static int extremeOr(Random r, int min, int max) {
        int k = r.nextInt(6);
        return k == 0 ? min : k == 1 ? max : min + r.nextInt(max - min + 1);
    }

    private static int pick(Random r, int... values) {
        return values[r.nextInt(values.length)];
    }

    private static int outSize(Padding padding, int in, int f, int stride, int dilation) {
        int eff = (f - 1) * dilation + 1;
        return padding == Padding.SAME ? (in + stride - 1) / stride : (in - eff + stride) / stride;
    }

    static java.util.stream.Stream<String> sharedModels() {
        return java.util.stream.Stream.of("mobilenet_v1_0.25_128_quant", "mobilenet_v1_0.5_160_quant",
                "mobilenet_v1_0.25_224_quant", "mobilenet_v2_1.0_224_quant", "tf2_mobilenet_v2_1.0_224_ptq",
                "person_detect", "micro_speech_quantized", "ds_cnn_s_quantized", "conv_fc_mnist_srq_a8w8",
                "hello_world_int8");
    }

    /**
     * Every shared model: where neon runs it, its outputs equal java's byte for byte on two random
     * inputs (1 and 2 threads); where it cannot, it refuses with UnsupportedModelException naming
     * the operators (auto then runs java).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sharedModels")
    void sharedModelIsBitExactOrRefusedCleanly(String name) throws Exception {
        Assumptions.assumeTrue(neonAvailable(), "neon unavailable");
        java.nio.file.Path model = io.qbridge.testing.SharedData.model(name);
        Interpreter neon;
        try {
            neon = new Interpreter(model, new Interpreter.Options().setBackend(Interpreter.Backend.NEON));
        } catch (UnsupportedModelException e) {
            assertTrue(e.getMessage().contains("operator"), e.getMessage());
            try (Interpreter auto = new Interpreter(model, new Interpreter.Options())) {
                assertEquals("java", auto.backendName());
            }
            Assumptions.abort("neon cannot run " + name + " yet: " + e.getMessage());
            return;
        }
        try (Interpreter java = new Interpreter(model, new Interpreter.Options().setBackend(Interpreter.Backend.JAVA));
             Interpreter neon2 = new Interpreter(model, new Interpreter.Options().setBackend(Interpreter.Backend.NEON)
                     .setNumThreads(2))) {
            Random r = new Random(name.hashCode());
            for (int trial = 0; trial < 2; trial++) {
                for (int i = 0; i < java.getInputTensorCount(); i++) {
                    byte[] in = new byte[java.getInputTensor(i).bytes().length];
                    r.nextBytes(in);
                    java.getInputTensor(i).copyFrom(in);
                    neon.getInputTensor(i).copyFrom(in);
                    neon2.getInputTensor(i).copyFrom(in);
                }
                java.run();
                neon.run();
                neon2.run();
                for (int o = 0; o < java.getOutputTensorCount(); o++) {
                    byte[] expected = java.getOutputTensor(o).bytes();
                    assertArrayEquals(expected, neon.getOutputTensor(o).bytes(), name + " output " + o + " (1 thread)");
                    assertArrayEquals(expected, neon2.getOutputTensor(o).bytes(), name + " output " + o + " (2 threads)");
                }
            }
        } finally {
            neon.close();
        }
    }

    /**
     * The kernel family in use, printed for the logs. Under qemu-tests (qbridge.qemu.cpu) or with
     * -Dqbridge.neon.expectedIsa it must be the one the emulated CPU calls for: aarch64-neon under
     * -cpu cortex-a72 (no SDOT there), aarch64-neondot under -cpu max, armv7-neon on armhf.
     */
    @Test
    void kernelFamilyIsTheOneThisCpuShouldUse() {
        Assumptions.assumeTrue(neonAvailable(), "neon unavailable");
        String isa = NeonBackend.isa();
        System.out.println("neon kernels on " + System.getProperty("os.arch") + ": " + isa);
        String expected = System.getProperty("qbridge.neon.expectedIsa");
        String qemuCpu = System.getProperty("qbridge.qemu.cpu");   // set by qemu-tests
        if (expected == null && qemuCpu != null) {
            expected = switch (qemuCpu) {
                case "cortex-a72", "cortex-a53" -> "aarch64-neon";   // no dot product: SDOT must not run
                case "max" -> "aarch64-neondot";
                case "cortex-a15", "cortex-a7" -> "armv7-neon";
                default -> null;
            };
        }
        if (expected != null) {
            assertEquals(expected, isa);
        } else if (System.getProperty("os.arch").equals("amd64")) {
            assertEquals("portable", isa);
        }
    }

    /** A float model: neon refuses it cleanly, auto runs it on java. */
    @Test
    void floatModelIsRefusedByNeonAndRunsOnJavaUnderAuto() {
        Assumptions.assumeTrue(neonAvailable(), "neon unavailable");
        GraphBuilder g = new GraphBuilder();
        int in = g.input("in", DataType.FLOAT32, new int[] {1, 4}, QuantParams.NONE);
        int f = g.constantFloat32("w", new int[] {2, 4}, new float[] {1, 2, 3, 4, 5, 6, 7, 8});
        int out = g.tensor("out", DataType.FLOAT32, new int[] {1, 2}, QuantParams.NONE);
        g.op(BuiltinOperator.FULLY_CONNECTED, new int[] {in, f, -1}, new int[] {out},
                new OpOptions.FullyConnected(Activation.NONE, 0, false, false));
        g.output(out);
        Graph graph = g.build();
        java.nio.ByteBuffer bytes = io.qbridge.tflite.ModelWriter.toByteBuffer(graph);
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> new Interpreter(bytes,
                new Interpreter.Options().setBackend(Interpreter.Backend.NEON)));
        assertTrue(e.getMessage().contains("FULLY_CONNECTED on FLOAT32 (operator 0)"), e.getMessage());
        try (Interpreter it = ModelRunner.open(graph, Interpreter.Backend.AUTO, 1)) {
            assertEquals("java", it.backendName());
            it.getInputTensor(0).copyFrom(new float[] {1, 1, 1, 1});
            it.run();
            assertArrayEquals(new float[] {10, 26}, it.getOutputTensor(0).floats());
        }
    }

    /** A quantized model neon runs is chosen by auto. */
    @Test
    void autoPicksNeonForQuantizedModels() {
        Assumptions.assumeTrue(neonAvailable(), "neon unavailable");
        Graph graph = randomLayer(new Random(7), 0, DataType.UINT8);
        try (Interpreter it = ModelRunner.open(graph, Interpreter.Backend.AUTO, 1)) {
            assertEquals("neon", it.backendName());
        }
    }
}
