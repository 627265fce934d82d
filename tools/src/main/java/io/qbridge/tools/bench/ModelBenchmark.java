package io.qbridge.tools.bench;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QbridgeException;
import io.qbridge.Tensor;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;

/** Measures one model on one backend and thread count in this process. */
final class ModelBenchmark {
    /** What to measure and how often. */
    record Settings(int warmup, int runs, int countedRuns) {
    }

    private ModelBenchmark() {
    }

    /**
     * Runs warm-up and timed inferences on inputs filled with fixed-seed random values; with
     * {@code marker}, then counts the instructions of single inferences until they settle (see
     * {@link #countSettled}).
     */
    static BenchResult measure(Path model, String target, String cpu, String backend, int threads, Settings s,
                               IcountMarker marker) throws IOException {
        long fileBytes = Files.size(model);
        Interpreter.Options options = new Interpreter.Options().setBackend(Interpreter.Backend.parse(backend))
                .setNumThreads(threads);
        System.gc();
        PeakMemory.reset();
        try (Interpreter it = new Interpreter(model, options)) {
            fillInputs(it);
            for (int i = 0; i < s.warmup(); i++) {
                it.run();
            }
            long[] nanos = new long[s.runs()];
            for (int i = 0; i < nanos.length; i++) {
                long t0 = System.nanoTime();
                it.run();
                nanos[i] = System.nanoTime() - t0;
            }
            if (marker != null) {
                runUntilTheJitIsQuiet(it);
            }
            IcountMarker.Counts counted = marker == null ? null
                    : countSettled(s.countedRuns(), () -> {
                        marker.begin();
                        it.run();
                        return marker.end();
                    }, model.getFileName() + " on " + backend);
            long peak = PeakMemory.peakKiB();
            Arrays.sort(nanos);
            double total = Arrays.stream(nanos).sum();
            double p50 = percentile(nanos, 0.5) / 1e6;
            double p90 = percentile(nanos, 0.9) / 1e6;
            return new BenchResult(model.getFileName().toString(), fileBytes, target, cpu, false, it.backendName(),
                    threads, "ok", it.plan().macs(), p50, p90, nanos.length / (total / 1e9), peak,
                    counted == null ? -1 : counted.instructions(), counted == null ? -1 : counted.sdot());
        } catch (QbridgeException e) {
            return BenchResult.skipped(model.getFileName().toString(), fileBytes, target, cpu, false, backend, threads,
                    e.getMessage());
        }
    }

    /** Inferences allowed for the JIT to finish compiling before instructions are counted. */
    static final int MAX_JIT_WARMUP = 200;

    /**
     * Runs inferences until one runs without the JIT compiling anything (the emulated JVM
     * compiles in the foreground), so that the counted inferences run the code the JIT settles
     * on: otherwise the java backend's count can repeat at a value it later improves on.
     */
    static void runUntilTheJitIsQuiet(Interpreter it) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        for (int i = 0; i < MAX_JIT_WARMUP; i++) {
            long before = jit.getTotalCompilationTime();
            it.run();
            if (jit.getTotalCompilationTime() == before) {
                return;
            }
        }
    }

    /**
     * Counted inferences beyond {@code --counted-runs} allowed while waiting for the counts to
     * settle (a safepoint or other JVM work on the inference thread lands in some windows).
     */
    static final int EXTRA_COUNTED_RUNS = 20;

    /**
     * Counts single inferences, each in its own window, until the least count so far has been
     * seen twice (after at least {@code minRuns}, at most {@code minRuns + EXTRA_COUNTED_RUNS})
     * and returns it: the inference's own cost, which repeats exactly from one process to the
     * next. Other windows also hold JVM work done on the inference thread (a safepoint, the JIT
     * compiling or replacing code, which for the java backend changes the inference's own code
     * until it has settled). If no count repeats, returns the least and says so.
     */
    static IcountMarker.Counts countSettled(int minRuns, Supplier<IcountMarker.Counts> countOneInference,
                                           String what) {
        IcountMarker.Counts least = null;
        int leastSeen = 0;
        int limit = minRuns + EXTRA_COUNTED_RUNS;
        long[] seen = new long[limit];
        for (int i = 0; i < limit; i++) {
            IcountMarker.Counts c = countOneInference.get();
            seen[i] = c.instructions();
            if (least == null || c.instructions() < least.instructions()) {
                least = c;
                leastSeen = 1;
            } else if (c.equals(least)) {
                leastSeen++;
            }
            if (leastSeen >= 2 && i + 1 >= minRuns) {
                return least;
            }
        }
        System.err.printf("note: %s: instructions per inference did not repeat in %d counted runs (last three %s); "
                + "reporting the least%n", what, limit, Arrays.toString(Arrays.copyOfRange(seen, limit - 3, limit)));
        return least;
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Deterministic inputs: uniform over the type's range (floats in [-1, 1]). */
    static void fillInputs(Interpreter it) {
        Random random = new Random(42);
        for (int i = 0; i < it.getInputTensorCount(); i++) {
            Tensor t = it.getInputTensor(i);
            DataType type = t.dataType();
            if (type == DataType.FLOAT32) {
                float[] v = new float[t.numElements()];
                for (int k = 0; k < v.length; k++) {
                    v[k] = random.nextFloat() * 2 - 1;
                }
                t.copyFrom(v);
            } else {
                byte[] v = new byte[t.numBytes()];
                random.nextBytes(v);
                t.copyFrom(v);
            }
        }
    }
}
