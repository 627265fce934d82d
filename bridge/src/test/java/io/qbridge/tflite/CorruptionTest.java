package io.qbridge.tflite;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QbridgeException;
import io.qbridge.QuantParams;
import io.qbridge.graph.Activation;
import io.qbridge.graph.GraphBuilder;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Padding;
import io.qbridge.testing.Backends;
import io.qbridge.testing.SharedData;
import io.qbridge.tflite.schema.BuiltinOperator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every byte of a small model flipped in turn (all bits, then the lowest bit, which shifts offsets
 * and lengths by one): each corrupted file must either load and run, or fail with a qbridge
 * exception that has a message. Never an unchecked exception from inside qbridge, never a hang
 * (each case has its own time limit), never a JVM crash.
 */
class CorruptionTest {
    private static final long CASE_TIMEOUT_SECONDS = 10;

    /** A conv → FC int8 model of about 1.5 KB, built here so the test needs no shared data. */
    static byte[] builtModel() {
        GraphBuilder g = new GraphBuilder();
        QuantParams act = QuantParams.perTensor(0.5f, -3);
        int in = g.input("in", DataType.INT8, new int[] {1, 4, 4, 2}, act);
        int filter = g.constantQuantized("filter", DataType.INT8, new int[] {3, 2, 2, 2},
                QuantParams.perChannel(new float[] {0.1f, 0.2f, 0.3f}, new int[] {0, 0, 0}, 0),
                new int[] {1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16, 17, -18, 19, -20, 21, -22, 23, -24});
        int bias = g.constantInt32("bias", new int[] {3},
                QuantParams.perChannel(new float[] {0.05f, 0.1f, 0.15f}, new int[] {0, 0, 0}, 0), new int[] {10, -20, 30});
        int conv = g.tensor("conv", DataType.INT8, new int[] {1, 2, 2, 3}, QuantParams.perTensor(0.25f, 5));
        g.op(BuiltinOperator.CONV_2D, new int[] {in, filter, bias}, new int[] {conv},
                new OpOptions.Conv2D(Padding.VALID, 2, 2, Activation.RELU, 1, 1));
        int flat = g.tensor("flat", DataType.INT8, new int[] {1, 12}, QuantParams.perTensor(0.25f, 5));
        int weights = g.constantQuantized("weights", DataType.INT8, new int[] {2, 12}, QuantParams.perTensor(0.02f, 0),
                new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12});
        int out = g.tensor("out", DataType.INT8, new int[] {1, 2}, QuantParams.perTensor(0.125f, 0));
        g.op(BuiltinOperator.FULLY_CONNECTED, new int[] {conv, weights, -1}, new int[] {out},
                new OpOptions.FullyConnected(Activation.NONE, 0, false, false));
        // conv [1,2,2,3] is read by FC as [1,12]: FC flattens its input.
        g.output(out);
        return ModelWriter.toBytes(g.build());
    }

    static Stream<Object[]> cases() {
        List<Object[]> list = new ArrayList<>();
        for (Interpreter.Backend backend : Backends.available().toList()) {
            list.add(new Object[] {backend, "built conv+fc int8"});
            list.add(new Object[] {backend, "hello_world_int8"});
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    @Timeout(value = 120)
    void everyFlippedByteFailsCleanlyOrRuns(Interpreter.Backend backend, String model) throws Exception {
        byte[] original;
        if (model.startsWith("built")) {
            original = builtModel();
        } else {
            Path p = SharedData.model(model);
            original = Files.readAllBytes(p);
        }
        Assumptions.assumeTrue(loadsAndRuns(original, backend) == null, model + " itself does not run yet");
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "corruption-case");
            t.setDaemon(true);   // a hung case must not keep the JVM alive
            return t;
        });
        int ran = 0;
        int refused = 0;
        try {
            for (int mask : new int[] {0xFF, 0x01}) {
                for (int i = 0; i < original.length; i++) {
                    byte[] corrupt = original.clone();
                    corrupt[i] ^= (byte) mask;
                    Future<QbridgeException> outcome = worker.submit(() -> loadsAndRuns(corrupt, backend));
                    QbridgeException refusal;
                    try {
                        refusal = outcome.get(CASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    } catch (TimeoutException e) {
                        outcome.cancel(true);
                        fail(model + " with byte " + i + " ^ 0x" + Integer.toHexString(mask) + " still loading or running after "
                                + CASE_TIMEOUT_SECONDS + " s");
                        return;
                    } catch (ExecutionException e) {
                        throw new AssertionError(model + " with byte " + i + " ^ 0x" + Integer.toHexString(mask)
                                + " threw " + e.getCause(), e.getCause());
                    }
                    if (refusal == null) {
                        ran++;
                    } else {
                        refused++;
                        String m = refusal.getMessage();
                        assertTrue(m != null && !m.isBlank(), "exception without a message at byte " + i);
                        assertTrue(refusal.getCause() == null, model + " with byte " + i + " ^ 0x" + Integer.toHexString(mask)
                                + " slipped past the verifier into an accessor: " + refusal);
                    }
                }
            }
        } finally {
            worker.shutdownNow();
        }
        // Both outcomes must occur, or the test is not exercising what it claims.
        assertTrue(ran > 0 && refused > 0, "ran " + ran + ", refused " + refused);
    }

    /** Loads and runs once on zero-ish inputs; returns the qbridge exception, or null on success. */
    private static QbridgeException loadsAndRuns(byte[] model, Interpreter.Backend backend) {
        try (Interpreter it = new Interpreter(ByteBuffer.wrap(model), new Interpreter.Options().setBackend(backend))) {
            for (int k = 0; k < it.getInputTensorCount(); k++) {
                byte[] input = new byte[it.getInputTensor(k).numBytes()];
                for (int j = 0; j < input.length; j++) {
                    input[j] = (byte) (j * 37);
                }
                it.getInputTensor(k).copyFrom(input);
            }
            it.run();
            for (int k = 0; k < it.getOutputTensorCount(); k++) {
                it.getOutputTensor(k).bytes();
            }
            return null;
        } catch (QbridgeException e) {
            return e;
        }
    }
}
