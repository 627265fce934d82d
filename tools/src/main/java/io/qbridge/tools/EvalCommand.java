package io.qbridge.tools;

import io.qbridge.Interpreter;
import io.qbridge.QbridgeException;
import io.qbridge.converter.calibration.Progress;
import io.qbridge.converter.eval.Evaluation;
import io.qbridge.converter.eval.Evaluator;
import io.qbridge.converter.eval.GroundTruth;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code qbridge eval}: top-1/top-5 accuracy on labelled images, and agreement with a reference model. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Classifies labelled images and reports top-1 and top-5 accuracy; with --reference, the "
                + "reference model's accuracy and the top-1 agreement of the two.",
                "Exit status: 0 done, 1 a model or file could not be used, 2 bad usage."})
public final class EvalCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, required = true, description = ".tflite classifier")
    Path model;

    @Option(names = "--images", required = true, description = "folder of the images named in the CSV")
    Path images;

    @Option(names = "--ground-truth", required = true, description = "CSV with a header, a 'file' column and a label column")
    Path groundTruth;

    @Option(names = "--label-column", defaultValue = "label", description = "CSV column with the class index in the "
            + "model's output; default: ${DEFAULT-VALUE}")
    String labelColumn;

    @Option(names = "--reference", description = "model to compare with (e.g. the float original)")
    Path reference;

    @Option(names = "--skip", defaultValue = "0", description = "CSV rows to leave out first (e.g. the calibration images)")
    int skip;

    @Option(names = "--limit", defaultValue = "0", description = "most images to evaluate (0: all)")
    int limit;

    @Option(names = "--mean", description = "float input = (pixel - mean) / std (default: as classify)")
    Float mean;

    @Option(names = "--std", description = "see --mean")
    Float std;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, java, neon or armnn; default: ${DEFAULT-VALUE}")
    String backend;

    @Option(names = {"-t", "--threads"}, defaultValue = "1", description = "threads per inference; default: ${DEFAULT-VALUE}")
    int threads;

    @Option(names = "--json", description = "also write the results as JSON to this file")
    Path json;

    private final PrintStream out;
    private final PrintStream err;

    public EvalCommand() {
        this(System.out, System.err);
    }

    EvalCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        Interpreter.Options options;
        try {
            if ((mean == null) != (std == null)) {
                throw new IllegalArgumentException("give --mean and --std together");
            }
            if (skip < 0 || threads <= 0) {
                throw new IllegalArgumentException("--skip must be >= 0 and --threads positive");
            }
            options = new Interpreter.Options().setBackend(Interpreter.Backend.parse(backend)).setNumThreads(threads);
        } catch (IllegalArgumentException e) {
            err.println("qbridge eval: " + e.getMessage());
            return 2;
        }
        try {
            List<GroundTruth.Sample> samples = GroundTruth.read(groundTruth, images, labelColumn, skip, limit);
            if (samples.isEmpty()) {
                err.println("qbridge eval: no images left in " + groundTruth + " after --skip " + skip);
                return 1;
            }
            Evaluation e = Evaluator.evaluate(model, reference, samples, mean, std, options, Progress.bar(err));
            out.print(e.format());
            if (json != null) {
                Files.writeString(json, e.toJson() + "\n", StandardCharsets.UTF_8);
            }
            return 0;
        } catch (QbridgeException | IOException | IllegalArgumentException e) {
            err.println("qbridge eval: " + e.getMessage());
            return 1;
        }
    }
}
