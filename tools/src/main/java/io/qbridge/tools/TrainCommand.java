package io.qbridge.tools;

import io.qbridge.trainer.DefaultModel;
import io.qbridge.trainer.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code qbridge train}: makes the default model (synthetic digits, a small CNN trained in Java,
 * a float .tflite) with its calibration and test images, or reuses the folder when it already
 * holds a model made with the same settings.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the default model: a small CNN on procedurally drawn digits (28x28 grayscale), written as "
                + "a float .tflite with calibration/ and test/ images (PNG + labels.csv). Reuses OUT when it already "
                + "holds a model trained with the same settings.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the model and images.")
    Path out;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training set (default: 2).")
    Integer epochs;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the images and the initial weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--quant-delay", paramLabel = "STEPS", defaultValue = "-1",
            description = "Quantization-aware training: fake-quantize weights and activations after STEPS steps and "
                    + "export FAKE_QUANT ranges (default: off).")
    int quantDelay;

    @Option(names = "--train-samples", paramLabel = "N", description = "Training images (default: 10000).")
    Integer trainSamples;

    @Option(names = "--calibration-samples", paramLabel = "N", description = "Calibration images (default: 200).")
    Integer calibrationSamples;

    @Option(names = "--test-samples", paramLabel = "N", description = "Held-out test images (default: 1000).")
    Integer testSamples;

    @Option(names = "--threads", paramLabel = "N",
            description = "Training threads (default: up to 2); the model is the same for any count.")
    Integer threads;

    @Option(names = "--retrain", description = "Train even when OUT holds a model made with the same settings.")
    boolean retrain;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DefaultModel.Settings d = DefaultModel.Settings.defaults();
        Trainer.Config c = d.training().withSeed(seed).withQuantDelay(quantDelay);
        if (epochs != null) {
            requirePositive(epochs, "--epochs");
            c = c.withEpochs(epochs);
        }
        if (threads != null) {
            requirePositive(threads, "--threads");
            c = c.withThreads(threads);
        }
        if (quantDelay < -1) {
            throw new CliException("--quant-delay must be 0 or more steps, got " + quantDelay);
        }
        DefaultModel.Settings settings = new DefaultModel.Settings(c,
                count(trainSamples, d.trainSamples(), "--train-samples"),
                count(calibrationSamples, d.calibrationSamples(), "--calibration-samples"),
                count(testSamples, d.testSamples(), "--test-samples"));
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new CliException("--out " + out + " is a file, not a folder");
        }
        if (retrain) {
            Files.deleteIfExists(out.resolve(DefaultModel.STAMP_FILE));
        }
        PrintWriter w = spec.commandLine().getOut();
        DefaultModel.Result r = DefaultModel.trainOrReuse(out, settings, line -> {
            w.println(line);
            w.flush();
        });
        w.printf(Locale.ROOT, "model:        %s (%d bytes, %d parameters%s)%n", r.model(), r.modelBytes(), r.parameters(),
                r.quantizationAware() ? ", quantization-aware" : "");
        w.printf(Locale.ROOT, "accuracy:     %.2f%% on %d held-out images (%s)%n", 100 * r.heldOutAccuracy(),
                settings.testSamples(), r.testLabels());
        w.printf(Locale.ROOT, "calibration:  %s%n", r.calibrationLabels());
        w.printf(Locale.ROOT, "labels:       %s%n", r.labels());
        w.printf(Locale.ROOT, "trained in:   %.1f s (%.1f s of CPU time)%s%n", r.trainSeconds(), r.trainCpuSeconds(),
                r.reused() ? ", earlier: reused" : "");
        w.flush();
        return 0;
    }

    private static void requirePositive(int v, String option) {
        if (v < 1) {
            throw new CliException(option + " must be at least 1, got " + v);
        }
    }

    private static int count(Integer v, int fallback, String option) {
        if (v == null) {
            return fallback;
        }
        requirePositive(v, option);
        return v;
    }
}
