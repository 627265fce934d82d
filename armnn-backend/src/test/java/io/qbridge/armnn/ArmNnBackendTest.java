package io.qbridge.armnn;

import io.qbridge.Interpreter;
import io.qbridge.UnsupportedModelException;
import io.qbridge.backend.BackendRegistry;
import io.qbridge.image.ImageInput;
import io.qbridge.testing.Backends;
import io.qbridge.testing.SharedData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The armnn backend through the public Interpreter API: registered, compared with the Java
 * reference on the shared uint8 MobileNets (within 3, same top-1: Arm NN rounds differently from
 * TFLite), Arm NN's refusals reported as UnsupportedModelException with its reason, and auto never
 * stopping at a refusal.
 */
class ArmNnBackendTest {
    /**
     * Arm NN 20.08 vs TFLite's integer kernels on a whole 8-bit MobileNet, random inputs: its own
     * CpuRef and CpuAcc were measured to differ by up to 2 (../shared/README.md); CpuRef differs from
     * java by more, because a rounding difference of 1 in an early layer grows through the layers and
     * the softmax (measured here, seeds 1, 2, 2008: up to 5 on mobilenet_v1_0.25_128_quant, 7 on
     * mobilenet_v1_0.5_160_quant, 4 on mobilenet_v2_1.0_224_quant). The top-1 was the same on all.
     */
    static final int TOLERANCE = 8;

    private static void assumeArmNn() {
        Assumptions.assumeTrue(ArmNnRuntime.unavailableReason() == null,
                "Arm NN not available here: " + ArmNnRuntime.unavailableReason());
    }

    @Test
    void registeredAndListedWhereItLoads() {
        assertInstanceOf(ArmNnBackend.class, BackendRegistry.byName("armnn"));
        assertEquals(java.util.List.of("neon", "armnn", "java"),
                BackendRegistry.all().stream().map(io.qbridge.backend.Backend::name).toList(),
                "auto tries backends by their declared rank");
        String why = ArmNnRuntime.unavailableReason();
        assertEquals(why == null, Backends.onThisMachine().contains(Interpreter.Backend.ARMNN),
                "Backends.onThisMachine() lists armnn exactly when it loads (" + why + ")");
        if (why != null) {
            assertTrue(why.contains("libarmnn") || why.contains("no native library"), why);
        }
    }

    static int argmax(byte[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if ((scores[i] & 0xff) > (scores[best] & 0xff)) {
                best = i;
            }
        }
        return best;
    }

    static byte[] run(Path model, Interpreter.Backend backend, int threads, byte[] input) throws IOException {
        try (Interpreter it = new Interpreter(model, new Interpreter.Options().setBackend(backend).setNumThreads(threads))) {
            assertEquals(backend.id(), it.backendName());
            it.getInputTensor(0).copyFrom(input);
            it.run();
            return it.getOutputTensor(0).bytes();
        }
    }

    static void assertClose(byte[] reference, byte[] armnn, String what) {
        assertEquals(reference.length, armnn.length);
        int worst = maxDifference(reference, armnn);
        assertTrue(worst <= TOLERANCE, what + ": armnn differs from java by up to " + worst);
        int top = argmax(reference);
        assertEquals(armnn[top] & 0xff, armnn[argmax(armnn)] & 0xff,
                what + ": java's top-1 " + top + " is not armnn's top-1 " + argmax(armnn));
    }

    /**
     * Random inputs: within {@link #TOLERANCE} of java and the same top-1, for any thread count.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mobilenet_v1_0.25_128_quant", "mobilenet_v1_0.5_160_quant", "mobilenet_v2_1.0_224_quant"})
    void uint8MobileNetsWithinToleranceOfJavaOnRandomInputs(String name) throws IOException {
        assumeArmNn();
        Path model = SharedData.model(name);
        // under QEMU one seed (java runs the whole MobileNet too): fewer inputs, the same checks
        int[] seeds = io.qbridge.testing.Emulation.isEmulated() ? new int[] {2008} : new int[] {2008, 1, 2};
        for (int seed : seeds) {
            byte[] random = new byte[inputBytes(model)];
            new Random(seed).nextBytes(random);
            byte[] armnn = run(model, Interpreter.Backend.ARMNN, 1, random);
            assertClose(run(model, Interpreter.Backend.JAVA, 1, random), armnn, name + " random input " + seed);
            if (seed == 2008) {
                assertArrayEquals(armnn, run(model, Interpreter.Backend.ARMNN, 2, random), "armnn with 1 and 2 threads");
            }
        }
    }

    /**
     * Photos: a rounding difference of 1 early in a MobileNet grows through the layers and the
     * softmax (measured on mobilenet_v1_0.25_128_quant: up to 10 on sunflower.bmp; on
     * mobilenet_v1_0.5_160_quant up to 14 on grace_hopper.bmp, where its first layer differs only by 1
     * in 0.2% of its outputs), so the bound here is the class: the same top-1 wherever java is
     * confident (top score over 50%; mobilenet_v1_0.25_128_quant is confident on none of these).
     */
    @ParameterizedTest
    @ValueSource(strings = {"mobilenet_v2_1.0_224_quant"})
    void uint8MobileNetsClassifyPhotosLikeJava(String name) throws IOException {
        assumeArmNn();
        Path model = SharedData.model(name);
        int confident = 0;
        for (String photo : new String[] {"grace_hopper.bmp", "cat.bmp", "bird.bmp", "sunflower.bmp"}) {
            byte[] image;
            try (Interpreter it = new Interpreter(model)) {
                ImageInput.feed(it.getInputTensor(0), ImageInput.read(SharedData.require("images/" + photo)), null, null);
                image = it.getInputTensor(0).bytes();
            }
            byte[] java = run(model, Interpreter.Backend.JAVA, 1, image);
            byte[] armnn = run(model, Interpreter.Backend.ARMNN, 1, image);
            int top = argmax(java);
            System.out.printf("[armnn] %s %s: java top-1 %d (%d/255), armnn top-1 %d (%d/255), max difference %d%n", name,
                    photo, top, java[top] & 0xff, argmax(armnn), armnn[argmax(armnn)] & 0xff, maxDifference(java, armnn));
            if ((java[top] & 0xff) > 128) {
                confident++;
                assertEquals(top, argmax(armnn), name + " " + photo);
            }
        }
        assertTrue(confident > 0, name + ": java is confident on none of the photos");
    }

    static int inputBytes(Path model) throws IOException {
        try (Interpreter it = new Interpreter(model)) {
            return it.getInputTensor(0).numBytes();
        }
    }

    static int maxDifference(byte[] a, byte[] b) {
        int worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs((a[i] & 0xff) - (b[i] & 0xff)));
        }
        return worst;
    }

    /**
     * person_detect as written in the file is refused by Arm NN 20.08 ("Quantization dimension for
     * per-axis quantization expected to be 0 on tensor bias, but got: 3": ArmNnBindingsTest). The
     * backend hands Arm NN the validated model written anew, where a 1-D bias is quantized along
     * its only axis, 0: then Arm NN runs it, and agrees with java.
     */
    @Test
    void personDetectRunsOnceWrittenAnewAndAgreesWithJava() throws IOException {
        assumeArmNn();
        Path model = SharedData.model("person_detect");
        for (String photo : new String[] {"person.bmp", "no_person.bmp"}) {
            byte[] image;
            try (Interpreter it = new Interpreter(model)) {
                ImageInput.feed(it.getInputTensor(0), ImageInput.read(SharedData.require("images/" + photo)), null, null);
                image = it.getInputTensor(0).bytes();
            }
            byte[] java = run(model, Interpreter.Backend.JAVA, 1, image);
            byte[] armnn = run(model, Interpreter.Backend.ARMNN, 1, image);
            for (int i = 0; i < java.length; i++) {
                assertTrue(Math.abs(java[i] - armnn[i]) <= TOLERANCE, photo + " score " + i + ": java " + java[i] + ", armnn " + armnn[i]);
            }
            assertEquals(java[1] > java[0], armnn[1] > armnn[0], photo + ": person or not");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv_fc_mnist", "conv_fc_mnist_srq_a8w8"})
    void fullyConnectedWithoutBiasRefusedWithArmNnsReason(String name) {
        assumeArmNn();
        Path model = SharedData.model(name);
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> new Interpreter(model, new Interpreter.Options().setBackend(Interpreter.Backend.ARMNN)).close());
        // conv_fc_mnist_srq_a8w8's FCs also have per-channel int8 weights: refused before Arm NN aborts on them
        assertTrue(e.getMessage().contains("'operatorPtr->inputs[i]' must be non-negative, received: -1")
                || e.getMessage().contains("with per-channel int8 weights"), e.getMessage());
    }

    /** Refused before Arm NN sees it: Arm NN 20.08 corrupts its heap on MEAN with a scalar axis (ArmNnPreflight). */
    @Test
    void meanWithScalarAxisNeverReachesArmNn() {
        assumeArmNn();
        Path model = SharedData.require("models/single-op-float/single_mean.tflite");
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> new Interpreter(model, new Interpreter.Options().setBackend(Interpreter.Backend.ARMNN)).close());
        assertTrue(e.getMessage().contains("MEAN (operator 0) with a scalar axis tensor"), e.getMessage());
    }

    /** Auto passes over Arm NN's refusal (where auto considers armnn at all) and runs the model elsewhere. */
    @Test
    void autoFallsBackWhereArmNnRefuses() throws IOException {
        try (Interpreter it = new Interpreter(SharedData.model("person_detect"))) {
            assertNotEquals("armnn", it.backendName());
            it.run();
        }
    }

    /** CpuRef alone (x86 hosts) is slower than java and not bit-exact: auto does not choose it. */
    @Test
    void autoSkipsArmNnWithoutCpuAcc() throws IOException {
        assumeArmNn();
        ArmNnBackend armnn = (ArmNnBackend) BackendRegistry.byName("armnn");
        assertEquals(ArmNnRuntime.get().backendIds.contains("CpuAcc"), armnn.usableForAuto());
        if (!armnn.usableForAuto()) {
            try (Interpreter it = new Interpreter(SharedData.model("mobilenet_v1_0.25_128_quant"))) {
                assertNotEquals("armnn", it.backendName());
            }
        }
    }

    /** Networks are unloaded on close: many open/close cycles on one runtime, and a closed interpreter refuses to run. */
    @Test
    void closeUnloadsAndRepeats() throws IOException {
        assumeArmNn();
        Path model = SharedData.model("mobilenet_v1_0.25_128_quant");
        byte[] input = new byte[128 * 128 * 3];
        byte[] first = null;
        for (int i = 0; i < 20; i++) {
            byte[] out = run(model, Interpreter.Backend.ARMNN, 1, input);
            if (first == null) {
                first = out;
            }
            assertArrayEquals(first, out, "cycle " + i);
        }
        Interpreter it = new Interpreter(model, new Interpreter.Options().setBackend(Interpreter.Backend.ARMNN));
        it.close();
        assertThrows(IllegalStateException.class, it::run);
        it.close();
    }

    /**
     * Arm NN's placement of the optimized network's layers, through Interpreter.backendDetails():
     * wherever CpuAcc loads (always under qemu-aarch64, -cpu cortex-a72 and max alike: cross-toolchains
     * unpack Debian's CpuAcc for arm64) every layer of both uint8 MobileNets runs on CpuAcc, the
     * Compute Library's NEON backend; elsewhere (x86-64, armhf: Debian builds CpuAcc for arm64 only)
     * on CpuRef.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mobilenet_v1_0.25_128_quant", "mobilenet_v2_1.0_224_quant"})
    void cpuAccRunsEveryLayerOnAarch64(String name) throws IOException {
        assumeArmNn();
        boolean cpuAcc = ArmNnRuntime.get().backendIds.contains("CpuAcc");
        if (io.qbridge.testing.Emulation.isEmulated()) {
            // the emulated JVMs load .toolchains/armnn-<arch>: CpuAcc on arm64, CpuRef only on armhf
            assertEquals(System.getProperty("os.arch").equals("aarch64"), cpuAcc, ArmNnRuntime.get().backendIds);
        }
        // CpuAcc first whatever the environment says: this test loads the network and reads the placement
        String before = System.setProperty("qbridge.armnn.backends", "CpuAcc,CpuRef");
        try (Interpreter it = new Interpreter(SharedData.model(name),
                new Interpreter.Options().setBackend(Interpreter.Backend.ARMNN))) {
            String details = it.backendDetails();
            System.out.printf("[armnn] %s on %s (qemu -cpu %s): %s%n", name, System.getProperty("os.arch"),
                    io.qbridge.testing.Emulation.qemuCpu(), details);
            assertTrue(details.matches("layers " + (cpuAcc ? "CpuAcc" : "CpuRef") + ":\\d+"), details);
        } finally {
            if (before == null) {
                System.clearProperty("qbridge.armnn.backends");
            } else {
                System.setProperty("qbridge.armnn.backends", before);
            }
        }
    }

    @Test
    void inputsAndOutputsAreDirectBuffersInArmNnsReach() throws IOException {
        assumeArmNn();
        try (Interpreter it = new Interpreter(SharedData.model("mobilenet_v1_0.25_128_quant"),
                new Interpreter.Options().setBackend(Interpreter.Backend.ARMNN))) {
            assertTrue(it.getInputTensor(0).buffer().isDirect());
            assertTrue(it.getOutputTensor(0).buffer().isDirect());
            assertFalse(it.getInputTensor(0).buffer().isReadOnly());
        }
    }
}
