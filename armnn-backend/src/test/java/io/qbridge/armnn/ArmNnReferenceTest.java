package io.qbridge.armnn;

import io.qbridge.Interpreter;
import io.qbridge.testing.SharedData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The armnn backend adds nothing of its own to Arm NN's arithmetic: its outputs are byte-identical
 * to those of a program that uses Arm NN's C++ API directly (src/test/cpp/armnn_reference_run.cpp,
 * compiled here with g++ against the installed headers). Runs where the Arm NN headers and g++ are
 * installed and the compiled program is for this JVM's architecture (not under an emulator).
 */
class ArmNnReferenceTest {
    private static Path program;

    @BeforeAll
    static void compileReferenceProgram() throws IOException, InterruptedException {
        Assumptions.assumeTrue(ArmNnRuntime.unavailableReason() == null,
                "Arm NN not available here: " + ArmNnRuntime.unavailableReason());
        Assumptions.assumeTrue(Files.exists(Path.of("/usr/include/armnnTfLiteParser/ITfLiteParser.hpp")),
                "Arm NN headers not installed (libarmnntfliteparser-dev): skipping");
        Path source = Path.of("src/test/cpp/armnn_reference_run.cpp").toAbsolutePath();
        Assumptions.assumeTrue(Files.exists(source), source + " not found: run from the armnn-backend module");
        Path out = Path.of("target/armnn_reference_run").toAbsolutePath();
        Process p = new ProcessBuilder("g++", "-std=c++14", "-O1", source.toString(), "-o", out.toString(),
                "-larmnnTfLiteParser", "-larmnn").redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        Assumptions.assumeTrue(p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0, "g++ failed: " + log);
        Assumptions.assumeTrue(elfMachineMatchesJvm(out), "the compiled program is not for this JVM's architecture"
                + " (emulated run): skipping");
        program = out;
    }

    /** ELF e_machine (0x3E x86-64, 0xB7 aarch64, 0x28 arm) against os.arch. */
    private static boolean elfMachineMatchesJvm(Path elf) throws IOException {
        byte[] header;
        try (InputStream in = Files.newInputStream(elf)) {
            header = in.readNBytes(20);
        }
        int machine = (header[18] & 0xff) | (header[19] & 0xff) << 8;
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> machine == 0x3E;
            case "aarch64" -> machine == 0xB7;
            case "arm" -> machine == 0x28;
            default -> false;
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"mobilenet_v1_0.25_128_quant", "mobilenet_v1_0.5_160_quant", "mobilenet_v1_0.25_224_quant",
            "mobilenet_v2_1.0_224_quant"})
    void byteIdenticalToArmNnsOwnApi(String name) throws IOException, InterruptedException {
        Path model = SharedData.model(name);
        byte[] input = new byte[ArmNnBackendTest.inputBytes(model)];
        new Random(name.hashCode()).nextBytes(input);
        byte[] ours = ArmNnBackendTest.run(model, Interpreter.Backend.ARMNN, 1, input);

        Path in = Files.createTempFile("armnn-in", ".bin");
        Path out = Files.createTempFile("armnn-out", ".bin");
        try {
            Files.write(in, input);
            Process p = new ProcessBuilder(List.of(program.toString(), model.toString(), in.toString(), out.toString(),
                    ArmNnRuntime.preferredBackends())).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            assertEquals(true, p.waitFor(600, TimeUnit.SECONDS), "reference program still running");
            assertEquals(0, p.exitValue(), "reference program failed: " + log);
            assertArrayEquals(Files.readAllBytes(out), ours, name + ": qbridge's armnn backend vs Arm NN's C++ API");
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }
}
