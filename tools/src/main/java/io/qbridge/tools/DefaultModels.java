package io.qbridge.tools;

import io.qbridge.trainer.DefaultModel;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The default model in its three forms (float, int8 per-channel, uint8 per-tensor) in one work
 * folder: trained here or reused ({@link DefaultModel}), quantized with the same {@code convert}
 * command users run. {@code demo} always quantizes anew (the conversion is part of its story);
 * {@code bench} without {@code --model} reuses quantized files newer than the float model.
 */
public final class DefaultModels {
    /** Where demo and bench make and reuse the default model, relative to the working directory. */
    public static final String WORK = "qbridge-demo";
    /** Images the default model's quantized forms are calibrated on. */
    public static final int CALIBRATION_COUNT = 100;
    /** The quantized forms, in the order they are measured. */
    public static final List<String> TYPES = List.of("int8", "uint8");

    private DefaultModels() {
    }

    /** The float model and its quantized forms, as measured side by side. */
    public record Variants(Path floatModel, List<Path> quantized) {
    }

    /** Trains (or reuses) the default model under {@code work} with default settings. */
    public static DefaultModel.Result trainOrReuse(Path work, DefaultModel.Settings settings, PrintWriter log)
            throws IOException {
        Files.createDirectories(work);
        return DefaultModel.trainOrReuse(work.resolve("default-model"), settings, line -> {
            log.println("  " + line);
            log.flush();
        });
    }

    /**
     * The default model and its int8 and uint8 forms, made where missing or older than the float
     * model; progress and the converter's report go to {@code log}.
     */
    public static Variants reuseOrMake(Path work, PrintWriter log) throws IOException {
        DefaultModel.Result trained = trainOrReuse(work, DefaultModel.Settings.defaults(), log);
        List<Path> quantized = new ArrayList<>();
        for (String type : TYPES) {
            Path q = quantizedFile(work, trained.model(), type);
            if (!Files.isRegularFile(q)
                    || Files.getLastModifiedTime(q).compareTo(Files.getLastModifiedTime(trained.model())) < 0) {
                quantize(trained.model(), q, type, trained.calibrationDir(), CALIBRATION_COUNT, null, null, log, log);
            }
            quantized.add(q);
        }
        return new Variants(trained.model(), quantized);
    }

    /** Where the {@code type} form of {@code floatModel} goes: {@code WORK/<name>_<type>.tflite}. */
    public static Path quantizedFile(Path work, Path floatModel, String type) {
        String n = floatModel.getFileName().toString();
        n = n.endsWith(".tflite") ? n.substring(0, n.length() - 7) : n;
        n = n.endsWith("_float") ? n.substring(0, n.length() - 6) : n;
        return work.resolve(n + "_" + type + ".tflite");
    }

    /** Runs {@code qbridge convert} as a user would; a failure is a CliException saying so. */
    public static void quantize(Path floatModel, Path output, String type, Path calibrationDir, int calibrationCount,
                                Float mean, Float std, PrintWriter out, PrintWriter err) {
        List<String> args = new ArrayList<>(List.of("convert", "--model", floatModel.toString(), "--output",
                output.toString(), "--inference-type", type, "--calibration", calibrationDir.toString(),
                "--calibration-count", String.valueOf(calibrationCount)));
        if (mean != null) {
            args.addAll(List.of("--mean", mean.toString()));
        }
        if (std != null) {
            args.addAll(List.of("--std", std.toString()));
        }
        int code = QbridgeCli.execute(args.toArray(new String[0]), out, err);
        if (code != 0) {
            throw new CliException("converting " + floatModel + " to " + type + " failed (see above)");
        }
    }
}
