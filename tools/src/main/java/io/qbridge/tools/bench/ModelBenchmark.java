package io.qbridge.tools.bench;

import io.qbridge.DataType;
import io.qbridge.Interpreter;
import io.qbridge.QbridgeException;
import io.qbridge.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/** Measures one model on one backend and thread count in this process. */
final class ModelBenchmark {
    /** What to measure and how often. */
    record Settings(int warmup, int runs, int countedRuns) {
    }

    private ModelBenchmark() {
    }

    /**
     * Runs warm-up and timed inferences on inputs filled with fixed-seed random values; with
     * {@code marker}, then runs {@code countedRuns} more inside one instruction-count window.
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
                marker.begin();
                for (int i = 0; i < s.countedRuns(); i++) {
                    it.run();
                }
                marker.end();
            }
            long peak = PeakMemory.peakKiB();
            Arrays.sort(nanos);
            double total = Arrays.stream(nanos).sum();
            double p50 = percentile(nanos, 0.5) / 1e6;
            double p90 = percentile(nanos, 0.9) / 1e6;
            return new BenchResult(model.getFileName().toString(), fileBytes, target, cpu, false, it.backendName(),
                    threads, "ok", it.plan().macs(), p50, p90, nanos.length / (total / 1e9), peak, -1, -1);
        } catch (QbridgeException e) {
            return BenchResult.skipped(model.getFileName().toString(), fileBytes, target, cpu, false, backend, threads,
                    e.getMessage());
        }
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
