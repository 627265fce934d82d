package io.qbridge.backend.neon;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QuantParams;
import io.qbridge.UnsupportedModelException;
import io.qbridge.graph.Activation;
import io.qbridge.graph.Graph;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.testing.ModelRunner;
import io.qbridge.testing.RandomConvLayer;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The neon backend itself: every shared model bit-exact with java or refused cleanly, the kernel
 * family each CPU should use, and auto's choices. (Its ops are compared with java byte for byte by
 * every op test: io.qbridge.ops and {@link io.qbridge.testing.JavaReference}.) Runs wherever the
 * native library loads (x86_64 here, Arm JVMs under qemu-tests).
 */
class NeonBackendTest {
    static boolean neonAvailable() {
        return new NeonBackend().unavailableReason() == null;
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
        RandomConvLayer layer = RandomConvLayer.random(new Random(7), RandomConvLayer.Kind.CONV_2D);
        QuantParams q = QuantParams.perTensor(0.05f, 128);
        Graph graph = layer.quantizedGraph(DataType.UINT8, q, q, new int[RandomConvLayer.size(layer.filterShape())],
                null, q);
        try (Interpreter it = ModelRunner.open(graph, Interpreter.Backend.AUTO, 1)) {
            assertEquals("neon", it.backendName());
        }
    }
}
