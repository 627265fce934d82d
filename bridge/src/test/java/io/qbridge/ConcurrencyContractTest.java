package io.qbridge;

import io.qbridge.testing.Backends;
import io.qbridge.testing.Emulation;
import io.qbridge.testing.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An Interpreter under a gateway's threads (mobilenet_v1_0.25_128_quant, as in the issue): close()
 * while another thread runs it waits for that inference (it crashed the JVM on neon: the native
 * plan was freed under a running qb_run), two threads running one Interpreter get either the right
 * answer or IllegalStateException (939 of 1000 neon outputs were silently wrong), and every call
 * after close throws.
 */
class ConcurrencyContractTest {
    private static final String MODEL = "mobilenet_v1_0.25_128_quant";

    static Stream<Interpreter.Backend> backends() {
        return Backends.available();
    }

    private static Interpreter open(Path model, Interpreter.Backend backend) throws IOException {
        return new Interpreter(model, new Interpreter.Options().setBackend(backend));
    }

    private static byte[] input(int bytes, long seed) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void closeWhileAnotherThreadRunsWaitsAndNeverCrashesOrHangs(Interpreter.Backend backend) throws Exception {
        Path model = SharedData.model(MODEL);
        Random random = new Random(7);
        int rounds = Emulation.scaled(100, 8);
        for (int round = 0; round < rounds; round++) {
            Interpreter it = open(model, backend);
            it.getInputTensor(0).copyFrom(input(it.getInputTensor(0).numBytes(), round));
            CountDownLatch started = new CountDownLatch(1);
            AtomicInteger runs = new AtomicInteger();
            AtomicReference<Throwable> ended = new AtomicReference<>();
            Thread runner = new Thread(() -> {
                try {
                    while (true) {
                        started.countDown();
                        it.run();
                        runs.incrementAndGet();
                    }
                } catch (Throwable t) {
                    ended.set(t);
                }
            }, "runner-" + round);
            runner.start();
            assertTrue(started.await(60, TimeUnit.SECONDS));
            Thread.sleep(random.nextInt(3));
            it.close();   // while the runner is inside run() or between two runs
            runner.join(TimeUnit.SECONDS.toMillis(Emulation.scaled(30, 300)));
            assertFalse(runner.isAlive(), "round " + round + ": the runner hangs after close");
            assertTrue(ended.get() instanceof IllegalStateException, "round " + round + ": " + ended.get());
            assertTrue(ended.get().getMessage().contains("closed"), ended.get().getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void twoThreadsOnOneInterpreterGetTheRightAnswerOrAreRefused(Interpreter.Backend backend) throws Exception {
        Path model = SharedData.model(MODEL);
        try (Interpreter it = open(model, backend)) {
            int inBytes = it.getInputTensor(0).numBytes();
            int outBytes = it.getOutputTensor(0).numBytes();
            byte[][] inputs = {input(inBytes, 1), input(inBytes, 2)};
            byte[][] expected = new byte[2][outBytes];
            for (int k = 0; k < 2; k++) {
                it.run(inputs[k], expected[k]);
            }
            assertFalse(Arrays.equals(expected[0], expected[1]), "the two inputs must give different outputs");
            int perThread = Emulation.scaled(200, 10);
            AtomicInteger right = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            List<String> wrong = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                int which = k;
                threads.add(new Thread(() -> {
                    byte[] out = new byte[outBytes];
                    for (int i = 0; i < perThread; i++) {
                        try {
                            it.run(inputs[which], out);
                        } catch (IllegalStateException e) {
                            assertTrue(e.getMessage().contains("one inference at a time"), e.getMessage());
                            refused.incrementAndGet();
                            continue;
                        }
                        if (Arrays.equals(out, expected[which])) {
                            right.incrementAndGet();
                        } else {
                            synchronized (wrong) {
                                wrong.add("thread " + which + " run " + i);
                            }
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(List.of(), wrong, "wrong outputs");
            assertEquals(2 * perThread, right.get() + refused.get());
            assertTrue(right.get() > 0);
            System.out.printf("[concurrency] %s: %d right, %d refused with IllegalStateException%n", backend.id(),
                    right.get(), refused.get());
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void everyCallAfterCloseThrows(Interpreter.Backend backend) throws IOException {
        Interpreter it = open(SharedData.model(MODEL), backend);
        Tensor in = it.getInputTensor(0);
        Tensor out = it.getOutputTensor(0);
        it.close();
        it.close();   // a second close does nothing
        assertThrows(IllegalStateException.class, it::run);
        assertThrows(IllegalStateException.class, () -> it.run(new byte[in.numBytes()], new byte[out.numBytes()]));
        assertThrows(IllegalStateException.class, () -> it.getInputTensor(0));
        assertThrows(IllegalStateException.class, () -> it.getOutputTensor(0));
        assertThrows(IllegalStateException.class, () -> in.copyFrom(new byte[in.numBytes()]));
        assertThrows(IllegalStateException.class, out::bytes);
        assertThrows(IllegalStateException.class, out::floats);
        assertThrows(IllegalStateException.class, out::buffer);
        assertArrayEquals(new int[] {1, 128, 128, 3}, in.shape(), "a closed tensor still says what it was");
    }
}
