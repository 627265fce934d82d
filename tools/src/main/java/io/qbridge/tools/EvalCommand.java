package io.qbridge.tools;

import io.qbridge.files.AtomicFiles;

import io.qbridge.Interpreter;
import io.qbridge.converter.calibration.Progress;
import io.qbridge.converter.eval.Evaluation;
import io.qbridge.converter.eval.Evaluator;
import io.qbridge.converter.eval.GroundTruth;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
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

    @Mixin
    CommonOptions common;

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

    @Option(names = "--json", description = "also write the results as JSON to this file")
    Path json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if ((mean == null) != (std == null)) {
            throw new ParameterException(spec.commandLine(), "give --mean and --std together");
        }
        if (skip < 0 || limit < 0) {
            throw new ParameterException(spec.commandLine(), "--skip and --limit must not be negative");
        }
        Interpreter.Options options = common.interpreterOptions();
        CommonOptions.requireFile(common.model, "model");
        if (reference != null) {
            CommonOptions.requireFile(reference, "reference model");
        }
        CommonOptions.requireFile(groundTruth, "ground truth");
        if (json != null) {
            CommonOptions.requireWritable(json, "--json");
        }
        List<GroundTruth.Sample> samples = GroundTruth.read(groundTruth, images, labelColumn, skip, limit);
        if (samples.isEmpty()) {
            throw new CliException("no images left in " + groundTruth + " after --skip " + skip);
        }
        PrintStream progress = new PrintStream(new WriterOutputStream(spec.commandLine().getErr()), true,
                StandardCharsets.UTF_8);
        Evaluation e = Evaluator.evaluate(common.model, reference, samples, mean, std, options, Progress.bar(progress));
        PrintWriter out = spec.commandLine().getOut();
        out.print(e.format());
        out.flush();
        if (json != null) {
            AtomicFiles.writeString(json, e.toJson() + "\n");
        }
        return 0;
    }
}
