package io.qbridge.armnn;

import io.qbridge.armnn.bindings.ArmnnNetwork;
import io.qbridge.testing.SharedData;
import org.bytedeco.javacpp.BytePointer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The javacpp bindings of the Arm NN façade on their own, below the Backend SPI: Arm NN's refusals
 * come back as messages (never as a C++ exception or a crash), and a network runs on bound memory.
 */
class ArmNnBindingsTest {
    private static ArmNnRuntime runtime;

    @BeforeAll
    static void runtime() {
        runtime = ArmNnRuntime.get();
        Assumptions.assumeTrue(runtime != null, "Arm NN not available here: " + ArmNnRuntime.unavailableReason());
    }

    private static BytePointer model(String name) throws IOException {
        byte[] bytes = Files.readAllBytes(SharedData.model(name));
        return new BytePointer(bytes);
    }

    private static ArmnnNetwork load(String name, String backends) throws IOException {
        ArmnnNetwork net = new ArmnnNetwork();
        try (BytePointer m = model(name)) {
            net.load(runtime.runtime, m, m.limit(), backends, true);
        }
        return net;
    }

    @Test
    void runtimeHasCpuRef() {
        assertTrue(Arrays.asList(runtime.backendIds.split(",")).contains("CpuRef"), runtime.backendIds);
    }

    /**
     * Where Debian's CpuAcc backend is installed (arm64, armhf), every layer of a uint8 MobileNet
     * runs on it, and its thread count is the Compute Library scheduler's.
     */
    @Test
    void cpuAccRunsEveryLayerWhereInstalled() throws IOException {
        Assumptions.assumeTrue(Arrays.asList(runtime.backendIds.split(",")).contains("CpuAcc"),
                "no CpuAcc backend here (backends: " + runtime.backendIds + ")");
        try (ArmnnNetwork net = load("mobilenet_v1_0.25_128_quant", ArmNnRuntime.DEFAULT_BACKENDS)) {
            assertEquals("", net.error());
            assertTrue(net.layerBackends().matches("CpuAcc:\\d+"), net.layerBackends());
        }
        runtime.useComputeLibraryThreads(1);
        assertEquals(1, runtime.runtime.computeLibraryThreads());
        runtime.useComputeLibraryThreads(2);
        assertEquals(2, runtime.runtime.computeLibraryThreads());
    }

    @Test
    void perChannelDepthwiseIsRefusedWithArmNnsReason() throws IOException {
        try (ArmnnNetwork net = load("person_detect", ArmNnRuntime.DEFAULT_BACKENDS)) {
            assertEquals(0, net.inputCount(), "nothing is left bound after a failed load");
            assertTrue(net.error().contains("Quantization dimension for per-axis quantization expected to be 0"),
                    net.error());
            assertFalse(net.run(), "run without a loaded network");
            assertTrue(net.error().contains("no network loaded"), net.error());
        }
    }

    @Test
    void fullyConnectedWithoutBiasFailsToParse() throws IOException {
        for (String name : new String[] {"conv_fc_mnist", "conv_fc_mnist_srq_a8w8"}) {
            try (ArmnnNetwork net = load(name, ArmNnRuntime.DEFAULT_BACKENDS)) {
                assertTrue(net.error().contains("must be non-negative, received: -1"), name + ": " + net.error());
            }
        }
    }

    @Test
    void garbageAndUnknownBackendsAreErrorsNotCrashes() throws IOException {
        try (ArmnnNetwork net = new ArmnnNetwork(); BytePointer junk = new BytePointer(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})) {
            assertFalse(net.load(runtime.runtime, junk, junk.limit(), "CpuRef", true));
            assertFalse(net.error().isEmpty());
        }
        try (ArmnnNetwork net = load("mobilenet_v1_0.25_128_quant", "NoSuchBackend")) {
            assertTrue(net.error().contains("None of the preferred backends"), net.error());
        }
    }

    @Test
    void mobilenetRunsOnBoundMemoryAndRepeats() throws IOException {
        try (ArmnnNetwork net = load("mobilenet_v1_0.25_128_quant", ArmNnRuntime.DEFAULT_BACKENDS)) {
            assertEquals("", net.error());
            assertEquals(1, net.inputCount());
            assertEquals(1, net.outputCount());
            assertEquals(2, net.inputDataType(0), "QAsymmU8");
            assertEquals(128 * 128 * 3, net.inputByteSize(0));
            assertEquals(1001, net.outputByteSize(0));
            assertTrue(net.layerBackends().matches("(Cpu(Acc|Ref):\\d+,?)+"), net.layerBackends());

            try (BytePointer in = new BytePointer(net.inputByteSize(0));
                 BytePointer out = new BytePointer(net.outputByteSize(0))) {
                assertFalse(net.bindInput(0, in, 10), "too small a buffer is refused");
                assertTrue(net.error().contains("too small"), net.error());
                assertFalse(net.run(), "run with an unbound input");

                byte[] pixels = new byte[(int) net.inputByteSize(0)];
                new Random(4).nextBytes(pixels);
                in.put(pixels);
                assertTrue(net.bindInput(0, in, in.limit()), net.error());
                assertTrue(net.bindOutput(0, out, out.limit()), net.error());
                assertTrue(net.run(), net.error());
                byte[] first = new byte[1001];
                out.get(first);
                assertTrue(net.run(), net.error());
                byte[] second = new byte[1001];
                out.get(second);
                assertArrayEquals(first, second);
                int sum = 0;
                for (byte b : first) {
                    sum += b & 0xff;
                }
                assertTrue(sum > 200 && sum < 320, "softmax output sums to about 256, got " + sum);
            }
            net.unload();
            assertFalse(net.run());
        }
    }
}
