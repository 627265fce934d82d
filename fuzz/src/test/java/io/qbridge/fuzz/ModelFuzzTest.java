package io.qbridge.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.qbridge.BackendUnavailableException;
import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.InvalidModelException;
import io.qbridge.QbridgeException;
import io.qbridge.Tensor;
import io.qbridge.UnsupportedModelException;
import io.qbridge.backend.BackendRegistry;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The model loader and both backends under Jazzer: any bytes are read, planned and run on java
 * and, where it loads, on neon, whose outputs must be java's byte for byte. A model may only be
 * refused with the documented exceptions (InvalidModelException, UnsupportedModelException) and a
 * message that says something; any other exception, a JVM crash or a hang is a finding.
 * <p>
 * Plain {@code mvn test} replays the seeds (made by {@link SeedModels}) and every finding kept in
 * {@code src/test/resources/io/qbridge/fuzz/ModelFuzzTestInputs/loadRunCompare/}; the {@code fuzz}
 * execution then fuzzes: 60,000 executions from a fixed seed, at most a minute ({@code -Dfuzz.skip=true}
 * skips it; {@code fuzz/fuzz-longer.sh} goes on longer with new seeds).
 */
class ModelFuzzTest {
    /** Models past these sizes are only loaded and planned: running them would make the fuzzer slow, not wiser. */
    private static final long MAX_ARENA_BYTES = 8L << 20;
    private static final long MAX_MACS = 20_000_000L;

    private static final boolean NEON = BackendRegistry.byName("neon") != null
            && BackendRegistry.byName("neon").unavailableReason() == null;

    /** The test command's bounded run; fuzz/fuzz-longer.sh repeats it, each run resuming from the corpus the last one grew. */
    @FuzzTest(maxDuration = "60s")
    @Timeout(20)
    void loadRunCompare(byte[] model) {
        byte[][] reference = run(model, Interpreter.Backend.JAVA);
        if (reference == null || !NEON) {
            return;
        }
        byte[][] neon = run(model, Interpreter.Backend.NEON);
        if (neon == null) {
            return;   // refused by neon (a float operator): java runs it
        }
        assertTrue(reference.length == neon.length);
        for (int k = 0; k < neon.length; k++) {
            assertArrayEquals(reference[k], neon[k], "output " + k + " on neon differs from java");
        }
    }

    /** Every output's bytes after one run on a fixed input pattern; null where the model is refused or too big. */
    private static byte[][] run(byte[] model, Interpreter.Backend backend) {
        Interpreter it;
        try {
            it = new Interpreter(ByteBuffer.wrap(model), new Interpreter.Options().setBackend(backend));
        } catch (InvalidModelException | UnsupportedModelException e) {
            checkMessage(e);
            return null;
        } catch (BackendUnavailableException e) {
            fail("backend " + backend.id() + " unavailable: " + e.getMessage());
            return null;
        }
        try (it) {
            if (it.plan().arenaBytes() > MAX_ARENA_BYTES || it.plan().macs() > MAX_MACS) {
                return null;
            }
            for (int k = 0; k < it.getInputTensorCount(); k++) {
                Tensor in = it.getInputTensor(k);
                if (in.dataType() == DataType.FLOAT32) {
                    float[] v = new float[in.numElements()];
                    for (int j = 0; j < v.length; j++) {
                        v[j] = (float) Math.sin(j * 0.37 + k);
                    }
                    in.copyFrom(v);
                } else {
                    byte[] v = new byte[in.numBytes()];
                    for (int j = 0; j < v.length; j++) {
                        v[j] = (byte) (j * 31 + k * 7);
                    }
                    in.copyFrom(v);
                }
            }
            it.run();
            byte[][] out = new byte[it.getOutputTensorCount()][];
            for (int k = 0; k < out.length; k++) {
                out[k] = it.getOutputTensor(k).bytes();
            }
            return out;
        }
    }

    /** A refusal names what is wrong in printable text. */
    private static void checkMessage(QbridgeException e) {
        String m = e.getMessage();
        assertTrue(m != null && m.length() > 10, "unclear message: " + e);
        assertTrue(m.chars().noneMatch(c -> c < 0x20 && c != '\t'), "control characters in the message: "
                + Arrays.toString(m.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
