package io.qbridge.tools;

import io.qbridge.Interpreter;
import io.qbridge.Tensor;
import io.qbridge.image.ImageInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code qbridge classify}: one image through an image classifier, the best K classes. */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Classify an image (BMP, PNG, JPEG): resized bilinearly to the model's input, pixels mapped "
                + "through mean/std and the input's quantization. Prints K lines 'score index label', best first.")
final class ClassifyCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--image", required = true, paramLabel = "IMG", description = "BMP, PNG or JPEG image.")
    Path image;

    @Option(names = "--labels", paramLabel = "TXT", description = "One label per line; line i names output index i.")
    Path labels;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "How many classes (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--mean", paramLabel = "M",
            description = "Pixel mean: input = (pixel - mean) / std. Default: 127.5 for float inputs; quantized inputs "
                    + "take raw pixels unless --mean/--std are given.")
    Float mean;

    @Option(names = "--std", paramLabel = "S", description = "Pixel standard deviation (default 127.5, see --mean).")
    Float std;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (top < 1) {
            throw new CliException("--top must be at least 1, got " + top);
        }
        if (std != null && !(std > 0)) {
            throw new CliException("--std must be positive, got " + std);
        }
        CommonOptions.requireFile(image, "image");
        List<String> labelLines = null;
        if (labels != null) {
            CommonOptions.requireFile(labels, "labels");
            labelLines = Files.readAllLines(labels, StandardCharsets.UTF_8);
        }
        BufferedImage img = ImageInput.read(image);
        PrintWriter out = spec.commandLine().getOut();
        try (Interpreter it = common.open()) {
            ImageInput.feed(it.getInputTensor(0), img, mean, std);
            it.run();
            Tensor scoresTensor = it.getOutputTensor(0);
            float[] scores = scoresTensor.floats();
            if (labelLines != null && labelLines.size() != scores.length) {
                spec.commandLine().getErr().printf("note: %s has %d lines for %d classes%n", labels, labelLines.size(),
                        scores.length);
            }
            for (int index : TopK.indices(scores, top)) {
                String label = labelLines != null && index < labelLines.size() ? labelLines.get(index) : "";
                out.printf("%.5f %d %s%n", scores[index], index, label);
            }
            out.flush();
        }
        return 0;
    }
}
