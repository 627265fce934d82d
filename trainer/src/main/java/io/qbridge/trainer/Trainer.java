package io.qbridge.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Mini-batch training of a {@link DigitCnn}: softmax cross-entropy, Adam with a cosine learning
 * rate decay, a fresh shuffle every epoch, optional quantization-aware training.
 * <p>
 * <b>Determinism.</b> A batch is cut into fixed chunks of {@value #CHUNK} samples whatever the
 * thread count; each chunk sums its samples' gradients in order in its own buffer, and the chunks'
 * sums are added in chunk order. Threads only decide which chunk runs where, so the weights after
 * every step, hence the model file, are bit-identical for a given seed and settings on 1, 2 or any
 * number of threads (tested). Every random draw comes from {@link Rng}, every transcendental
 * function from StrictMath, and Java's float arithmetic has no fused or reordered operations, so
 * other JVMs and CPUs should give the same bytes too (not yet checked on Arm).
 */
public final class Trainer {
    /** Samples per gradient chunk: the unit of parallel work. */
    static final int CHUNK = 8;

    /** How to train. {@code quantDelay < 0} disables quantization-aware training. */
    public record Config(long seed, int epochs, int batchSize, float learningRate, DigitCnn.Architecture architecture,
                         int quantDelay, int threads) {
        public Config {
            if (epochs < 1 || batchSize < 1 || !(learningRate > 0) || threads < 1) {
                throw new IllegalArgumentException("epochs, batch size, learning rate and threads must be positive");
            }
        }

        /** The default model's settings: 2 epochs, batch 32, Adam at 0.002; 8/16 conv channels, 128 hidden units. */
        public static Config defaults() {
            return new Config(1, 2, 32, 0.002f, new DigitCnn.Architecture(SyntheticDigits.SIZE, 8, 16, 128,
                    SyntheticDigits.CLASSES), -1, Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())));
        }

        public Config withEpochs(int e) {
            return new Config(seed, e, batchSize, learningRate, architecture, quantDelay, threads);
        }

        public Config withSeed(long s) {
            return new Config(s, epochs, batchSize, learningRate, architecture, quantDelay, threads);
        }

        public Config withQuantDelay(int steps) {
            return new Config(seed, epochs, batchSize, learningRate, architecture, steps, threads);
        }

        public Config withThreads(int t) {
            return new Config(seed, epochs, batchSize, learningRate, architecture, quantDelay, t);
        }

        public Config withArchitecture(DigitCnn.Architecture a) {
            return new Config(seed, epochs, batchSize, learningRate, a, quantDelay, threads);
        }
    }

    /**
     * A trained network, its fake-quantization ranges (null without QAT) and how it went: wall time,
     * and CPU time of the whole process over the same span (a figure that other load on the machine
     * does not inflate much).
     */
    public record Result(DigitCnn network, FakeQuant fakeQuant, double testAccuracy, double seconds, double cpuSeconds,
                         int steps, List<String> log) {
        /** Whether the network was trained with fake quantization (and exports FAKE_QUANT ops). */
        public boolean quantizationAware() {
            return fakeQuant != null;
        }
    }

    private final Config config;
    private final DigitCnn net;
    private final FakeQuant fakeQuant;
    private final DigitCnn.Workspace[] workspaces;
    private final float[] quantizedWeights;

    private Trainer(Config config) {
        this.config = config;
        this.net = new DigitCnn(config.architecture());
        this.fakeQuant = config.quantDelay() >= 0 ? new FakeQuant() : null;
        this.workspaces = new DigitCnn.Workspace[(config.batchSize() + CHUNK - 1) / CHUNK];
        for (int i = 0; i < workspaces.length; i++) {
            workspaces[i] = net.workspace();
        }
        this.quantizedWeights = fakeQuant == null ? null : new float[net.paramCount];
    }

    /** Trains on {@code train}, reporting held-out accuracy on {@code test} after each epoch. */
    public static Result train(Config config, SyntheticDigits.Dataset train, SyntheticDigits.Dataset test,
                               Consumer<String> log) {
        return new Trainer(config).run(train, test, log);
    }

    private Result run(SyntheticDigits.Dataset train, SyntheticDigits.Dataset test, Consumer<String> log) {
        long t0 = System.nanoTime();
        double cpu0 = processCpuSeconds();
        List<String> lines = new ArrayList<>();
        Consumer<String> out = s -> {
            lines.add(s);
            if (log != null) {
                log.accept(s);
            }
        };
        net.initialize(config.seed());
        int n = train.count();
        int batch = config.batchSize();
        int stepsPerEpoch = (n + batch - 1) / batch;
        int totalSteps = stepsPerEpoch * config.epochs();
        Adam adam = new Adam(net.paramCount);
        float[] gradient = new float[net.paramCount];
        float[] batchMin = new float[FakeQuant.COUNT];
        float[] batchMax = new float[FakeQuant.COUNT];
        int[] order = new int[n];
        double accuracy = 0;
        int step = 0;
        ExecutorService pool = config.threads() > 1 ? Executors.newFixedThreadPool(config.threads(), r -> {
            Thread t = new Thread(r, "qbridge-trainer");
            t.setDaemon(true);
            return t;
        }) : null;
        try {
            for (int epoch = 0; epoch < config.epochs(); epoch++) {
                long e0 = System.nanoTime();
                shuffle(order, new Rng(Rng.derive(config.seed(), 200, epoch)));
                double loss = 0;
                long correct = 0;
                for (int start = 0; start < n; start += batch, step++) {
                    int end = Math.min(n, start + batch);
                    float[] weights = prepareWeights(step);
                    int first = start;
                    List<Callable<Void>> tasks = new ArrayList<>();
                    for (int c = 0; c < workspaces.length && first + c * CHUNK < end; c++) {
                        DigitCnn.Workspace ws = workspaces[c];
                        int from = first + c * CHUNK;
                        int to = Math.min(end, from + CHUNK);
                        tasks.add(() -> {
                            ws.resetStats();
                            ws.weights = weights;
                            for (int k = from; k < to; k++) {
                                train.input(order[k], ws.x, 0);
                                net.trainSample(ws, train.label(order[k]), fakeQuant);
                            }
                            return null;
                        });
                    }
                    runAll(pool, tasks);
                    java.util.Arrays.fill(gradient, 0f);
                    java.util.Arrays.fill(batchMin, Float.POSITIVE_INFINITY);
                    java.util.Arrays.fill(batchMax, Float.NEGATIVE_INFINITY);
                    for (int c = 0; c < tasks.size(); c++) {
                        DigitCnn.Workspace ws = workspaces[c];
                        for (int i = 0; i < gradient.length; i++) {
                            gradient[i] += ws.grad[i];
                        }
                        loss += ws.loss;
                        correct += ws.correct;
                        for (int q = 0; q < FakeQuant.COUNT; q++) {
                            batchMin[q] = Math.min(batchMin[q], ws.observedMin[q]);
                            batchMax[q] = Math.max(batchMax[q], ws.observedMax[q]);
                        }
                    }
                    if (fakeQuant != null) {
                        fakeQuant.endStep(batchMin, batchMax);
                    }
                    float lr = (float) (config.learningRate() * 0.5 * (1 + StrictMath.cos(Math.PI * step / totalSteps)));
                    adam.step(net.params, gradient, 1f / (end - start), lr);
                }
                accuracy = evaluate(test, pool, prepareWeights(step));
                out.accept(String.format(Locale.ROOT,
                        "epoch %d/%d: loss %.4f, train accuracy %.2f%%, held-out accuracy %.2f%%%s, %.1f s",
                        epoch + 1, config.epochs(), loss / n, 100.0 * correct / n, 100 * accuracy,
                        fakeQuant != null && fakeQuant.active() ? " (fake-quantized)" : "",
                        (System.nanoTime() - e0) / 1e9));
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpuSeconds = processCpuSeconds() - cpu0;
        out.accept(String.format(Locale.ROOT, "trained in %.1f s (%.1f s of CPU time, %d threads)", seconds, cpuSeconds,
                config.threads()));
        return new Result(net, fakeQuant, accuracy, seconds, cpuSeconds, step, List.copyOf(lines));
    }

    private static double processCpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** The weights the forward pass uses at this step: the floats, or their 8-bit rounding under QAT. */
    private float[] prepareWeights(int step) {
        if (fakeQuant == null) {
            return net.params;
        }
        boolean quantize = step >= config.quantDelay();
        fakeQuant.beginStep(quantize);
        if (!fakeQuant.active()) {
            return net.params;
        }
        FakeQuant.quantizeWeights(net, quantizedWeights);
        return quantizedWeights;
    }

    /** Fraction of {@code data} classified right, as the network (with its fake quantization) stands. */
    private double evaluate(SyntheticDigits.Dataset data, ExecutorService pool, float[] weights) {
        int parts = workspaces.length;
        int n = data.count();
        int[] correct = new int[parts];
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int c = 0; c < parts; c++) {
            DigitCnn.Workspace ws = workspaces[c];
            int part = c;
            tasks.add(() -> {
                ws.weights = weights;
                for (int i = (int) ((long) n * part / parts); i < (long) n * (part + 1) / parts; i++) {
                    data.input(i, ws.x, 0);
                    if (net.forward(ws, fakeQuant) == data.label(i)) {
                        correct[part]++;
                    }
                }
                return null;
            });
        }
        runAll(pool, tasks);
        long sum = 0;
        for (int c : correct) {
            sum += c;
        }
        return (double) sum / n;
    }

    private static void runAll(ExecutorService pool, List<Callable<Void>> tasks) {
        try {
            if (pool == null) {
                for (Callable<Void> t : tasks) {
                    t.call();
                }
                return;
            }
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("training task failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("training interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("training task failed: " + e, e);
        }
    }

    private static void shuffle(int[] order, Rng r) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Adam (Kingma and Ba), the usual defaults: beta1 0.9, beta2 0.999, epsilon 1e-8. */
    static final class Adam {
        private static final double BETA1 = 0.9;
        private static final double BETA2 = 0.999;
        private static final float EPSILON = 1e-8f;
        private final float[] m;
        private final float[] v;
        private int t;

        Adam(int size) {
            m = new float[size];
            v = new float[size];
        }

        /** params -= lr * m^ / (sqrt(v^) + eps) for the gradient {@code g * gradScale}. */
        void step(float[] params, float[] g, float gradScale, float lr) {
            t++;
            float c1 = (float) (1 - StrictMath.pow(BETA1, t));
            float c2 = (float) (1 - StrictMath.pow(BETA2, t));
            float b1 = (float) BETA1, b2 = (float) BETA2;
            for (int i = 0; i < params.length; i++) {
                float gi = g[i] * gradScale;
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                float mh = m[i] / c1;
                float vh = v[i] / c2;
                params[i] -= lr * mh / ((float) Math.sqrt(vh) + EPSILON);
            }
        }
    }
}
