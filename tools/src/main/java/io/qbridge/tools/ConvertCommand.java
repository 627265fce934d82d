package io.qbridge.tools;

import io.qbridge.Interpreter;
import io.qbridge.files.AtomicFiles;

import io.qbridge.DataType;
import io.qbridge.converter.ConversionException;
import io.qbridge.converter.ConversionSummary;
import io.qbridge.converter.Converter;
import io.qbridge.converter.InferenceType;
import io.qbridge.converter.calibration.CalibrationData;
import io.qbridge.converter.calibration.Progress;
import io.qbridge.converter.observe.Observer;
import io.qbridge.converter.quantize.Range;
import io.qbridge.graph.Graph;
import io.qbridge.tflite.ModelReader;
import io.qbridge.tflite.ModelWriter;
import picocli.CommandLine.Command;
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
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code qbridge convert}: float .tflite in, calibrated 8-bit .tflite out, with a summary. */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Quantizes a float .tflite model to 8 bits: graph rewrites, calibration on a representative "
                + "dataset, quantization, and a summary with the error of every layer.",
                "Exit status: 0 converted, 1 the model cannot be converted (nothing is written; every reason is "
                        + "listed), 2 bad usage."})
public final class ConvertCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, required = true, description = "float .tflite model")
    Path model;

    @Option(names = {"-o", "--output"}, required = true, description = "quantized .tflite to write")
    Path output;

    @Option(names = "--inference-type", defaultValue = "int8",
            description = "uint8 (legacy per-tensor, as TOCO), int8 (per-channel weights, TFLite's spec) or "
                    + "weights-only (int8 weights, float activations); default: ${DEFAULT-VALUE}")
    String inferenceType;

    @Option(names = "--input-type", description = "float, uint8 or int8 (default: the inference type; float for weights-only)")
    String inputType;

    @Option(names = "--output-type", description = "float, uint8 or int8 (default: the inference type; float for weights-only)")
    String outputType;

    @Option(names = "--mean", description = "integer input q maps to (q - mean) / std, as tflite_convert --mean_values; "
            + "also the image preprocessing of calibration (default 127.5 for images)")
    Float mean;

    @Option(names = "--std", description = "see --mean (default 127.5 for images)")
    Float std;

    @Option(names = "--calibration", description = "folder of images (preprocessed as classify does) or of .npy/.raw "
            + "float32 tensors")
    Path calibration;

    @Option(names = "--calibration-count", defaultValue = "100", description = "samples to calibrate on (the first in "
            + "file-name order); default: ${DEFAULT-VALUE}")
    int calibrationCount;

    @Option(names = "--observer", defaultValue = "auto", description = "auto (the best output SQNR of all), minmax, "
            + "percentile or mse; default: ${DEFAULT-VALUE}")
    String observer;

    @Option(names = "--percentile", defaultValue = "99.99", description = "percentile observer's cut; default: ${DEFAULT-VALUE}")
    double percentile;

    @Option(names = "--default-range", description = "MIN,MAX for tensors that nothing else gives a range, as TOCO's "
            + "--default_ranges_min/max")
    String defaultRange;

    @Option(names = "--equalize", negatable = true, description = "cross-layer equalization, ReLU6-exact (default: on; "
            + "uint8 balances weights, int8 fills activation ranges)")
    Boolean equalize;

    @Option(names = "--equalize-percentile", defaultValue = "99.99", description = "int8 equalization scales a RELU6 "
            + "channel until this percentile of its values reaches the clamp (the rarer values above are clamped); "
            + "100: ReLU6-exact; default: ${DEFAULT-VALUE}")
    double equalizePercentile;

    @Option(names = "--fold", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "fold MUL/ADD by constants into the preceding CONV/DEPTHWISE/FC (default: on)")
    boolean fold;

    @Option(names = "--fuse", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "fuse RELU/RELU6 into the producing op (default: on)")
    boolean fuse;

    @Option(names = "--bias-correction", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "correct biases for the rounding of the weights, from calibration means (default: on)")
    boolean biasCorrection;

    @Option(names = "--gptq", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "round weights for the least output error on calibration data (GPTQ; default: on)")
    boolean gptq;

    @Option(names = "--float-layers", defaultValue = "0", description = "keep the first N CONV/DEPTHWISE/FC layers "
            + "(and the ops before them) float: mixed precision where the per-layer SQNR shows the rounding of "
            + "early activations amplified by the rest of the network; default: ${DEFAULT-VALUE}")
    int floatLayers;

    @Option(names = "--error-samples", defaultValue = "20", description = "calibration samples used to measure "
            + "per-layer errors and to choose the observer; default: ${DEFAULT-VALUE}")
    int errorSamples;

    @Option(names = "--range-search", negatable = true, description = "after the observer, choose each activation's "
            + "range among the observers' by the output SQNR on the error samples (default: off)")
    Boolean rangeSearch;

    @Option(names = {"-t", "--threads"}, defaultValue = "1", description = "threads for calibration; default: ${DEFAULT-VALUE}")
    int threads;

    @Option(names = "--json", description = "also write the summary as JSON to this file")
    Path json;

    @Option(names = "--verbose", description = "print stack traces of errors")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Converter.Options options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        CommonOptions.requireFile(model, "model");
        // before the calibration: a long run must not end in "cannot write"
        CommonOptions.requireWritable(output, "--output");
        if (json != null) {
            CommonOptions.requireWritable(json, "--json");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintStream progress = new PrintStream(new WriterOutputStream(spec.commandLine().getErr()), true,
                StandardCharsets.UTF_8);
        Graph floatModel = ModelReader.read(model);
        CalibrationData data = null;
        if (calibration != null) {
            data = CalibrationData.load(calibration, floatModel, calibrationCount,
                    mean == null ? 127.5f : mean, std == null ? 127.5f : std, Progress.bar(progress));
            if (mean == null && std == null && isImageFolder(data, floatModel)) {
                options = options.withMeanStd(127.5f, 127.5f);
            }
        }
        Converter.Result result;
        try {
            result = Converter.convert(floatModel, data, options, Progress.bar(progress));
        } catch (ConversionException e) {
            throw new CliException("cannot convert " + model + ": " + e.getMessage(), e);
        }
        ModelWriter.write(result.graph(), output);
        ConversionSummary summary = result.summary().withFloatBytes(Files.size(model));
        PrintStream text = new PrintStream(new WriterOutputStream(out), true, StandardCharsets.UTF_8);
        summary.print(text);
        text.println("wrote " + output);
        text.flush();
        if (json != null) {
            AtomicFiles.writeString(json, summary.toJson() + "\n");
        }
        return 0;
    }

    /** Whether calibration fed images: the input of an image model gets mean/std parameters then. */
    private boolean isImageFolder(CalibrationData data, Graph g) throws IOException {
        try (var files = Files.list(calibration)) {
            return files.anyMatch(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png") || n.endsWith(".bmp");
            }) && g.input(0).rank() == 4 && data.size() > 0;
        }
    }

    Converter.Options options() {
        InferenceType type = InferenceType.parse(inferenceType);
        DataType in = ioType(inputType, "--input-type");
        DataType outType = ioType(outputType, "--output-type");
        if (type == InferenceType.WEIGHTS_ONLY && ((in != null && in != DataType.FLOAT32)
                || (outType != null && outType != DataType.FLOAT32))) {
            throw new IllegalArgumentException("weights-only models have float inputs and outputs");
        }
        if ((mean == null) != (std == null)) {
            throw new IllegalArgumentException("give --mean and --std together");
        }
        if (std != null && !(std > 0)) {
            throw new IllegalArgumentException("--std must be positive");
        }
        if (calibrationCount <= 0 || errorSamples < 0 || floatLayers < 0) {
            throw new IllegalArgumentException("--calibration-count must be positive, --error-samples and "
                    + "--float-layers at least 0");
        }
        if (threads < 1 || threads > Interpreter.Options.MAX_THREADS) {
            throw new IllegalArgumentException("--threads must be between 1 and " + Interpreter.Options.MAX_THREADS
                    + ", got " + threads);
        }
        Observer obs = observer.equalsIgnoreCase("auto") ? null : Observer.parse(observer);
        if (!(equalizePercentile > 50 && equalizePercentile <= 100)) {
            throw new IllegalArgumentException("--equalize-percentile must be in (50, 100]");
        }
        if (!(percentile > 50 && percentile <= 100)) {
            throw new IllegalArgumentException("--percentile must be in (50, 100]");
        }
        // From the defaults: options the command has no flag for keep the converter's values.
        return Converter.Options.defaults(type).withIo(in, outType).withMeanStd(mean, std).withObserver(obs)
                .withPercentile(percentile).withDefaultRange(parseRange(defaultRange)).withFoldAffine(fold)
                .withFuseActivations(fuse).withEqualize(equalize).withBiasCorrection(biasCorrection).withGptq(gptq)
                .withFloatLayers(floatLayers).withThreads(threads).withErrorSamples(errorSamples)
                .withRangeSearch(rangeSearch).withEqualizePercentile(equalizePercentile);
    }

    static DataType ioType(String s, String option) {
        if (s == null) {
            return null;
        }
        switch (s.toLowerCase(Locale.ROOT)) {
            case "float": case "float32": return DataType.FLOAT32;
            case "uint8": return DataType.UINT8;
            case "int8": return DataType.INT8;
            default: throw new IllegalArgumentException(option + " must be float, uint8 or int8, not '" + s + "'");
        }
    }

    static Range parseRange(String s) {
        if (s == null) {
            return null;
        }
        String[] parts = s.split(",");
        try {
            if (parts.length == 2) {
                float lo = Float.parseFloat(parts[0].trim());
                float hi = Float.parseFloat(parts[1].trim());
                if (lo <= hi) {
                    return new Range(lo, hi);
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--default-range must be MIN,MAX with MIN <= MAX, not '" + s + "'");
    }
}
