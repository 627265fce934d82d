package io.qbridge.tools;

import io.qbridge.files.AtomicFiles;

import io.qbridge.Interpreter;
import io.qbridge.converter.calibration.Progress;
import io.qbridge.converter.eval.Evaluation;
import io.qbridge.converter.eval.Evaluator;
import io.qbridge.converter.eval.GroundTruth;
import io.qbridge.tools.bench.BenchPlan;
import io.qbridge.tools.bench.BenchResult;
import io.qbridge.trainer.DefaultModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code qbridge demo}: the whole story in one command. A float network trained here (or the
 * user's), quantized to int8 and uint8, evaluated against the float model, and measured on the
 * host and on aarch64 and armv7 (under QEMU when the host is not Arm) for every backend that
 * loads; one table and the same as JSON.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The main job: train (or reuse) the default model, quantize it to int8 and uint8, evaluate "
                + "float vs quantized on held-out images, and benchmark every model on host, aarch64 and armv7 "
                + "for each backend. Ends with one table, also written as JSON.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--work", defaultValue = DefaultModels.WORK, paramLabel = "DIR",
            description = "Folder for the models, images and results (default: ${DEFAULT-VALUE}).")
    Path work;

    @Option(names = {"-m", "--model"}, paramLabel = "FLOAT_MODEL",
            description = "Your own float image classifier instead of the default model (needs --images and --ground-truth).")
    Path model;

    @Option(names = "--images", paramLabel = "DIR", description = "Labelled images for --model: the first "
            + "--calibration-count (in file-name order) calibrate, the CSV's other rows evaluate.")
    Path images;

    @Option(names = "--ground-truth", paramLabel = "CSV", description = "CSV with a 'file' column and a label column.")
    Path groundTruth;

    @Option(names = "--label-column", defaultValue = "label", paramLabel = "C",
            description = "Label column of --ground-truth (default: ${DEFAULT-VALUE}).")
    String labelColumn;

    @Option(names = "--calibration-count", defaultValue = "" + DefaultModels.CALIBRATION_COUNT, paramLabel = "N",
            description = "Images to calibrate on (default: ${DEFAULT-VALUE}).")
    int calibrationCount;

    @Option(names = "--eval-limit", defaultValue = "1000", paramLabel = "N",
            description = "Held-out images to evaluate at most (default: ${DEFAULT-VALUE}).")
    int evalLimit;

    @Option(names = "--mean", paramLabel = "M", description = "Pixel mapping (pixel - mean) / std (default 127.5).")
    Float mean;

    @Option(names = "--std", paramLabel = "S", description = "See --mean (default 127.5).")
    Float std;

    @Option(names = "--quant-delay", defaultValue = "-1", paramLabel = "STEPS",
            description = "Train the default model quantization-aware after STEPS steps (default: off).")
    int quantDelay;

    @Option(names = "--targets", defaultValue = "host,aarch64,armv7", split = ",", paramLabel = "T,...",
            description = "Where to benchmark (default: ${DEFAULT-VALUE}).")
    List<String> targets;

    @Option(names = "--backends", defaultValue = "java,neon,armnn", split = ",", paramLabel = "B,...",
            description = "Backends to benchmark; those that cannot run say why (default: ${DEFAULT-VALUE}).")
    List<String> backends;

    @Option(names = "--runs", defaultValue = "10", paramLabel = "N", description = "Timed inferences (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--json", paramLabel = "OUT", description = "Where the JSON goes (default: WORK/demo.json).")
    Path json;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One model of the story: its file, accuracy on held-out images, agreement with float. */
    record Variant(String name, Path file, long bytes, Evaluation evaluation) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (model != null && (images == null || groundTruth == null)) {
            throw new CliException("--model needs --images DIR and --ground-truth CSV (labelled images to calibrate and "
                    + "evaluate on)");
        }
        Files.createDirectories(work);

        // 1. The float model and its images.
        Path floatModel;
        Path calibrationDir;
        List<GroundTruth.Sample> heldOut;
        if (model == null) {
            step(out, "1/4 default model: a small CNN trained here on procedurally drawn digits");
            DefaultModel.Settings settings = DefaultModel.Settings.defaults();
            if (quantDelay >= 0) {
                settings = settings.withTraining(settings.training().withQuantDelay(quantDelay));
            }
            DefaultModel.Result trained = DefaultModels.trainOrReuse(work, settings, out);
            out.printf("  %s: %,d bytes, %.2f%% on %s (trained in %.1f s)%n", trained.model(), trained.modelBytes(),
                    100 * trained.heldOutAccuracy(), trained.testDir(), trained.trainSeconds());
            floatModel = trained.model();
            calibrationDir = trained.calibrationDir();
            heldOut = GroundTruth.read(trained.testLabels(), trained.testDir(), "label", 0, evalLimit);
        } else {
            step(out, "1/4 your model: " + model);
            CommonOptions.requireFile(model, "model");
            CommonOptions.requireFile(groundTruth, "ground truth");
            floatModel = model;
            calibrationDir = images;
            heldOut = GroundTruth.read(groundTruth, images, labelColumn, calibrationCount, evalLimit);
        }
        out.flush();

        // 2. Quantize with the same command users run.
        step(out, "2/4 quantize: int8 (per-channel) and uint8 (legacy per-tensor), calibrated on " + calibrationCount
                + " images of " + calibrationDir);
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("float", floatModel);
        for (String type : DefaultModels.TYPES) {
            Path q = DefaultModels.quantizedFile(work, floatModel, type);
            DefaultModels.quantize(floatModel, q, type, calibrationDir, calibrationCount, mean, std, out, err);
            files.put(type, q);
        }

        // 3. Accuracy of each against the labels, and agreement with float.
        step(out, "3/4 evaluate on " + heldOut.size() + " held-out images");
        PrintStream progress = new PrintStream(new WriterOutputStream(err), true, StandardCharsets.UTF_8);
        Interpreter.Options javaBackend = new Interpreter.Options().setBackend(Interpreter.Backend.JAVA);
        List<Variant> variants = new ArrayList<>();
        for (Map.Entry<String, Path> e : files.entrySet()) {
            Path reference = e.getKey().equals("float") ? null : floatModel;
            Evaluation ev = Evaluator.evaluate(e.getValue(), reference, heldOut, mean, std, javaBackend,
                    Progress.bar(progress));
            variants.add(new Variant(e.getKey(), e.getValue(), Files.size(e.getValue()), ev));
            out.printf("  %-6s top-1 %.2f%%%s%n", e.getKey(), 100 * ev.top1(), reference == null ? ""
                    : String.format(" (agreement with float %.2f%%)", 100 * ev.top1Agreement()));
        }
        out.flush();

        // 4. Speed on every target, every backend that loads.
        step(out, "4/4 benchmark on " + String.join(", ", targets) + " (backends " + String.join(", ", backends) + ")");
        BenchPlan plan = new BenchPlan(List.of(files.get("int8"), files.get("uint8")), floatModel, backends, List.of(1),
                runs, 2, 2);
        List<BenchResult> results = new ArrayList<>();
        List<String> unavailable = new ArrayList<>();
        for (String target : targets) {
            try {
                results.addAll(plan.run(target, null, err));
            } catch (CliException e) {
                unavailable.add(target + ": " + e.getMessage());
                err.println("demo: skipping " + target + ": " + e.getMessage());
            }
        }
        DemoReport report = new DemoReport(variants, results, unavailable);
        out.println();
        out.print(report.text());
        Path jsonFile = json != null ? json : work.resolve("demo.json");
        AtomicFiles.writeString(jsonFile, report.json());
        out.println("wrote " + jsonFile);
        out.flush();
        return unavailable.isEmpty() ? 0 : QbridgeCli.EXIT_FAILURE;
    }

    private static void step(PrintWriter out, String text) {
        out.println("== " + text);
        out.flush();
    }
}
