package io.qbridge.trainer;

import io.qbridge.tflite.ModelWriter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * The model qbridge makes itself, so that its main job needs no download: synthetic digits
 * ({@link SyntheticDigits}), a small CNN trained on them ({@link Trainer}), written as a float
 * .tflite ({@link TfliteExport}), with held-out images to calibrate and evaluate the quantized
 * versions on. One folder holds it all:
 * <pre>
 *   DIR/digits_float.tflite      the float model, input [1,28,28,1] = (pixel - 127.5) / 127.5
 *   DIR/labels.txt               class names, one a line ("0" .. "9")
 *   DIR/calibration/NNNNN.png    calibration images + labels.csv (file,label)
 *   DIR/test/NNNNN.png           held-out test images + labels.csv (file,label)
 *   DIR/trained.properties       the settings' hash and the training figures, written last
 * </pre>
 * The three splits are disjoint random streams of the same generator; training samples stay in
 * memory (they are reproducible from the seed). A second call with the same settings finds
 * {@code trained.properties} with the same hash and reuses the folder without training.
 */
public final class DefaultModel {
    /** Bumped whenever the generator, the network or the training changes what a seed produces. */
    static final String FORMAT = "qbridge-digits-1";
    public static final String MODEL_FILE = "digits_float.tflite";
    public static final String LABELS_FILE = "labels.txt";
    public static final String STAMP_FILE = "trained.properties";

    /** What to make. Threads change only the speed, never the result, so they are not part of the hash. */
    public record Settings(Trainer.Config training, int trainSamples, int calibrationSamples, int testSamples) {
        public Settings {
            if (trainSamples < 1 || calibrationSamples < 1 || testSamples < 1) {
                throw new IllegalArgumentException("sample counts must be positive");
            }
        }

        /** 10,000 training samples over 2 epochs (about 15 s of CPU time, 99%+ held out), 200 calibration and 1,000 test images. */
        public static Settings defaults() {
            return new Settings(Trainer.Config.defaults().withEpochs(2), 10_000, 200, 1_000);
        }

        public Settings withTraining(Trainer.Config c) {
            return new Settings(c, trainSamples, calibrationSamples, testSamples);
        }

        /** A short hex digest of everything that determines the output. */
        public String hash() {
            Trainer.Config c = training;
            DigitCnn.Architecture a = c.architecture();
            String canonical = String.join("|", FORMAT, "seed=" + c.seed(), "epochs=" + c.epochs(),
                    "batch=" + c.batchSize(), "lr=" + Float.floatToIntBits(c.learningRate()),
                    "arch=" + a.size() + "," + a.conv1() + "," + a.conv2() + "," + a.hidden() + "," + a.classes(),
                    "quantDelay=" + c.quantDelay(), "train=" + trainSamples, "calibration=" + calibrationSamples,
                    "test=" + testSamples);
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(d, 0, 8);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 missing from this JVM", e);
            }
        }
    }

    /**
     * The folder's contents and figures.
     *
     * @param heldOutAccuracy the trainer's accuracy on the test images (its own forward pass,
     *                        fake-quantized when training was quantization-aware)
     * @param trainSeconds    wall time of the training run that made the model (also when reused)
     * @param trainCpuSeconds CPU time of that run (all threads)
     * @param reused          true when the folder already held this model and nothing was trained
     * @param log             the training's progress lines (empty when reused)
     */
    public record Result(Path model, Path labels, Path calibrationDir, Path testDir, double heldOutAccuracy,
                         double trainSeconds, double trainCpuSeconds, long modelBytes, int parameters, boolean quantizationAware,
                         boolean reused, String settingsHash, List<String> log) {
        public Path calibrationLabels() {
            return calibrationDir.resolve("labels.csv");
        }

        public Path testLabels() {
            return testDir.resolve("labels.csv");
        }
    }

    private DefaultModel() {
    }

    public static Result trainOrReuse(Path dir) throws IOException {
        return trainOrReuse(dir, Settings.defaults(), null);
    }

    /** Makes the model and its images in {@code dir}, or returns them when they are already there. */
    public static Result trainOrReuse(Path dir, Settings settings, Consumer<String> log) throws IOException {
        Files.createDirectories(dir);
        String hash = settings.hash();
        Result existing = reuse(dir, hash);
        if (existing != null) {
            if (log != null) {
                log.accept("reusing the default model in " + dir + " (settings " + hash + ")");
            }
            return existing;
        }
        Files.deleteIfExists(dir.resolve(STAMP_FILE));
        Trainer.Config c = settings.training();
        long seed = c.seed();
        if (log != null) {
            log.accept(String.format(Locale.ROOT,
                    "training the default model: %d synthetic digits, %d epochs, batch %d, %d threads%s",
                    settings.trainSamples(), c.epochs(), c.batchSize(), c.threads(),
                    c.quantDelay() >= 0 ? ", quantization-aware after step " + c.quantDelay() : ""));
        }
        SyntheticDigits.Dataset train = SyntheticDigits.generate(seed, SyntheticDigits.Split.TRAIN, settings.trainSamples());
        SyntheticDigits.Dataset test = SyntheticDigits.generate(seed, SyntheticDigits.Split.TEST, settings.testSamples());
        SyntheticDigits.Dataset calibration = SyntheticDigits.generate(seed, SyntheticDigits.Split.CALIBRATION,
                settings.calibrationSamples());
        Trainer.Result trained = Trainer.train(c, train, test, log);

        Path calibrationDir = dir.resolve("calibration");
        Path testDir = dir.resolve("test");
        clearImages(calibrationDir);
        clearImages(testDir);
        SyntheticDigits.write(calibration, calibrationDir);
        SyntheticDigits.write(test, testDir);
        Path labels = dir.resolve(LABELS_FILE);
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < SyntheticDigits.CLASSES; i++) {
            names.append(i).append('\n');
        }
        Files.writeString(labels, names.toString(), StandardCharsets.UTF_8);
        Path model = dir.resolve(MODEL_FILE);
        ModelWriter.write(TfliteExport.graph(trained), model);

        Properties p = new Properties();
        p.setProperty("settings.hash", hash);
        p.setProperty("held_out_accuracy", Double.toString(trained.testAccuracy()));
        p.setProperty("train_seconds", String.format(Locale.ROOT, "%.3f", trained.seconds()));
        p.setProperty("train_cpu_seconds", String.format(Locale.ROOT, "%.3f", trained.cpuSeconds()));
        p.setProperty("steps", Integer.toString(trained.steps()));
        p.setProperty("parameters", Integer.toString(trained.network().parameterCount()));
        p.setProperty("quantization_aware", Boolean.toString(trained.quantizationAware()));
        p.setProperty("threads", Integer.toString(c.threads()));
        Path tmp = Files.createTempFile(dir, STAMP_FILE, ".partial");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "qbridge default model; delete this file to retrain");
        }
        Files.move(tmp, dir.resolve(STAMP_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        if (log != null) {
            log.accept(String.format(Locale.ROOT, "wrote %s (%d bytes, %d parameters), held-out accuracy %.2f%%",
                    model, Files.size(model), trained.network().parameterCount(), 100 * trained.testAccuracy()));
        }
        return new Result(model, labels, calibrationDir, testDir, trained.testAccuracy(), trained.seconds(),
                trained.cpuSeconds(), Files.size(model), trained.network().parameterCount(), trained.quantizationAware(), false, hash,
                trained.log());
    }

    /** The folder's result when its stamp matches the settings and its files are all there, else null. */
    private static Result reuse(Path dir, String hash) throws IOException {
        Path stamp = dir.resolve(STAMP_FILE);
        Path model = dir.resolve(MODEL_FILE);
        Path labels = dir.resolve(LABELS_FILE);
        Path calibrationDir = dir.resolve("calibration");
        Path testDir = dir.resolve("test");
        if (!Files.isRegularFile(stamp) || !Files.isRegularFile(model) || !Files.isRegularFile(labels)
                || !Files.isRegularFile(calibrationDir.resolve("labels.csv"))
                || !Files.isRegularFile(testDir.resolve("labels.csv"))) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(stamp)) {
            p.load(in);
        }
        if (!hash.equals(p.getProperty("settings.hash"))) {
            return null;
        }
        try {
            return new Result(model, labels, calibrationDir, testDir,
                    Double.parseDouble(p.getProperty("held_out_accuracy")),
                    Double.parseDouble(p.getProperty("train_seconds")),
                    Double.parseDouble(p.getProperty("train_cpu_seconds")), Files.size(model),
                    Integer.parseInt(p.getProperty("parameters")),
                    Boolean.parseBoolean(p.getProperty("quantization_aware")), true, hash, List.of());
        } catch (RuntimeException e) {
            return null;   // a damaged stamp: train again
        }
    }

    /** Removes images this class wrote earlier (NNNNN.png and labels.csv), nothing else. */
    private static void clearImages(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "[0-9][0-9][0-9][0-9][0-9].png")) {
            for (Path f : files) {
                Files.delete(f);
            }
        }
        Files.deleteIfExists(dir.resolve("labels.csv"));
    }
}
