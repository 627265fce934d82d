package io.qbridge.converter;

import io.qbridge.DataType;
import io.qbridge.UnsupportedModelException;
import io.qbridge.converter.calibration.CalibrationData;
import io.qbridge.converter.calibration.Calibrator;
import io.qbridge.converter.calibration.Progress;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.converter.observe.Observer;
import io.qbridge.converter.observe.TensorStatistics;
import io.qbridge.converter.quantize.Quantizer;
import io.qbridge.converter.quantize.Range;
import io.qbridge.converter.quantize.RangeHints;
import io.qbridge.converter.quantize.WeightsOnlyQuantizer;
import io.qbridge.converter.report.LayerError;
import io.qbridge.converter.report.QuantizationError;
import io.qbridge.converter.rewrite.ActivationFusion;
import io.qbridge.converter.rewrite.AffineFolding;
import io.qbridge.converter.rewrite.CrossLayerEqualization;
import io.qbridge.converter.rewrite.FakeQuantRemoval;
import io.qbridge.graph.Graph;
import io.qbridge.plan.ConstantDequantizeFolding;
import io.qbridge.plan.Planner;
import io.qbridge.tflite.ModelWriter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Float model in, 8-bit model out: graph rewrites (FAKE_QUANT ranges, MUL/ADD folding, activation
 * fusion, cross-layer equalization), calibration on the Java backend, quantization, and a check that
 * the result plans and runs, with per-layer errors.
 */
public final class Converter {

    /**
     * @param inputType    FLOAT32, UINT8 or INT8; null: the activation type (integer I/O)
     * @param outputType   as inputType
     * @param mean         with std: how the integer input maps to the float input, as
     *                     {@code tflite_convert --mean_values/--std_dev_values} (null: calibrated)
     * @param observer     null: try every observer and keep the one with the best output SQNR
     * @param equalize     cross-layer equalization; null: on for uint8 (per-tensor weights) only
     * @param biasCorrection correct biases for the weights' rounding from calibration means
     * @param errorSamples calibration samples used to measure per-layer errors and choose the observer
     */
    public record Options(InferenceType type, DataType inputType, DataType outputType, Float mean, Float std,
                          Observer observer, double percentile, Range defaultRange, boolean foldAffine,
                          boolean fuseActivations, Boolean equalize, boolean biasCorrection, int threads,
                          int errorSamples) {

        public static Options defaults(InferenceType type) {
            return new Options(type, null, null, null, null, null, Observer.DEFAULT_PERCENTILE, null, true, true,
                    null, true, 1, 20);
        }

        public Options withBiasCorrection(boolean b) {
            return new Options(type, inputType, outputType, mean, std, observer, percentile, defaultRange, foldAffine,
                    fuseActivations, equalize, b, threads, errorSamples);
        }

        public Options withObserver(Observer o) {
            return new Options(type, inputType, outputType, mean, std, o, percentile, defaultRange, foldAffine,
                    fuseActivations, equalize, biasCorrection, threads, errorSamples);
        }

        public Options withIo(DataType in, DataType out) {
            return new Options(type, in, out, mean, std, observer, percentile, defaultRange, foldAffine,
                    fuseActivations, equalize, biasCorrection, threads, errorSamples);
        }

        public Options withMeanStd(Float m, Float s) {
            return new Options(type, inputType, outputType, m, s, observer, percentile, defaultRange, foldAffine,
                    fuseActivations, equalize, biasCorrection, threads, errorSamples);
        }

        public Options withEqualize(Boolean e) {
            return new Options(type, inputType, outputType, mean, std, observer, percentile, defaultRange, foldAffine,
                    fuseActivations, e, biasCorrection, threads, errorSamples);
        }

        public Options withDefaultRange(Range r) {
            return new Options(type, inputType, outputType, mean, std, observer, percentile, r, foldAffine,
                    fuseActivations, equalize, biasCorrection, threads, errorSamples);
        }

        public Options withThreads(int n) {
            return new Options(type, inputType, outputType, mean, std, observer, percentile, defaultRange, foldAffine,
                    fuseActivations, equalize, biasCorrection, n, errorSamples);
        }

        boolean equalizes() {
            return equalize != null ? equalize : type == InferenceType.UINT8;
        }
    }

    /**
     * The converted model (compacted: tensor indices are not those of the float graph), its bytes, the
     * float graph it was quantized from (after rewrites) and the summary.
     */
    public record Result(Graph graph, byte[] bytes, Graph rewrittenFloat, ConversionSummary summary) {
    }

    private Converter() {
    }

    /**
     * @param data calibration samples (may be null when the model's own ranges and the default range
     *             cover every tensor, or for weights-only)
     */
    public static Result convert(Graph floatModel, CalibrationData data, Options o, Progress progress) {
        long start = System.nanoTime();
        List<String> notes = new ArrayList<>();
        Map<String, Integer> rewrites = new LinkedHashMap<>();

        // 1. Float rewrites.
        EditableGraph e = new EditableGraph(ConstantDequantizeFolding.fold(floatModel));
        RangeHints hints = new RangeHints();
        rewrites.put("FAKE_QUANT ranges taken", FakeQuantRemoval.apply(e, hints));
        if (o.type() != InferenceType.WEIGHTS_ONLY) {
            if (o.foldAffine()) {
                rewrites.put("MUL/ADD folded into weights", AffineFolding.apply(e));
            }
            if (o.fuseActivations()) {
                rewrites.put("RELU fused", ActivationFusion.apply(e));
            }
            if (o.equalizes()) {
                rewrites.put("layer pairs equalized", CrossLayerEqualization.apply(e));
            }
        }
        EditableGraph.Compacted compacted = e.buildCompacted();
        Graph g1 = compacted.graph();
        hints = hints.remap(compacted.map());
        Calibrator.plan(g1);   // refuses, all at once, ops the float runtime cannot run

        // 2. Quantize.
        Graph quantized;
        int quantizedOps;
        String observerName = null;
        Map<String, Double> scores = new LinkedHashMap<>();
        long calibrationMillis = 0;
        List<float[][]> errorSamples = data == null ? List.of() : data.first(o.errorSamples()).samples();
        if (o.type() == InferenceType.WEIGHTS_ONLY) {
            Map<Integer, double[]> means = null;
            if (data != null && data.size() > 0 && o.biasCorrection()) {
                long c0 = System.nanoTime();
                means = channelMeans(Calibrator.calibrate(g1, data, false, o.threads(), progress));
                calibrationMillis = (System.nanoTime() - c0) / 1_000_000;
            }
            Quantizer.Result r = WeightsOnlyQuantizer.quantize(g1, means);
            quantized = r.graph();
            quantizedOps = r.quantizedOps();
            notes.addAll(r.notes());
        } else {
            Quantizer.Options qo = new Quantizer.Options(o.type(), o.inputType(), o.outputType(), o.mean(), o.std(),
                    o.defaultRange());
            if (data == null || data.size() == 0) {
                Quantizer.Result r = Quantizer.quantize(g1, Map.of(), hints, qo);
                quantized = r.graph();
                quantizedOps = r.quantizedOps();
                notes.addAll(r.notes());
            } else {
                List<Observer> candidates = o.observer() != null ? List.of(o.observer()) : List.of(Observer.values());
                boolean histograms = candidates.stream().anyMatch(Observer::needsHistogram);
                long c0 = System.nanoTime();
                Map<Integer, TensorStatistics> stats = Calibrator.calibrate(g1, data, histograms, o.threads(), progress);
                calibrationMillis = (System.nanoTime() - c0) / 1_000_000;
                Map<Integer, double[]> means = o.biasCorrection() ? channelMeans(stats) : null;
                Quantizer.Result best = null;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (Observer obs : candidates) {
                    Map<Integer, Range> ranges = new HashMap<>();
                    stats.forEach((t, s) -> {
                        if (s.seen()) {
                            ranges.put(t, obs.range(s, 256, o.percentile()));
                        }
                    });
                    Quantizer.Result r = Quantizer.quantize(g1, ranges, hints, qo, means);
                    if (candidates.size() > 1) {
                        progress.update("scoring " + obs.name().toLowerCase(java.util.Locale.ROOT), 0, 1);
                        double score = measure(g1, r.graph(), errorSamples, o.threads()).outputSqnrDb();
                        progress.update("scoring " + obs.name().toLowerCase(java.util.Locale.ROOT), 1, 1);
                        scores.put(obs.name().toLowerCase(java.util.Locale.ROOT), score);
                        if (best == null || score > bestScore) {
                            best = r;
                            bestScore = score;
                            observerName = obs.name().toLowerCase(java.util.Locale.ROOT);
                        }
                    } else {
                        best = r;
                        observerName = obs.name().toLowerCase(java.util.Locale.ROOT);
                    }
                }
                quantized = best.graph();
                quantizedOps = best.quantizedOps();
                notes.addAll(best.notes());
            }
        }

        // 3. Check that it runs, and measure.
        try {
            Planner.plan(quantized);
        } catch (UnsupportedModelException ex) {
            throw new ConversionException("the quantized model would not run on qbridge", ex.problems());
        }
        List<LayerError> layers = List.of();
        double outputSqnr = Double.NaN;
        if (!errorSamples.isEmpty()) {
            QuantizationError.Measured m = measure(g1, quantized, errorSamples, o.threads());
            layers = m.layers();
            outputSqnr = m.outputSqnrDb();
        }
        // The file holds only what the model uses (rewrites leave replaced weights and biases behind).
        Graph written = new EditableGraph(quantized).buildCompacted().graph();
        byte[] bytes = ModelWriter.toBytes(written);
        long floatBytes = ModelWriter.toByteBuffer(floatModel).remaining();
        long total = (System.nanoTime() - start) / 1_000_000;
        ConversionSummary summary = new ConversionSummary(o.type(), floatModel.operators().size(), quantizedOps,
                rewrites, floatBytes, bytes.length, observerName, scores, data == null ? 0 : data.size(), layers,
                outputSqnr, calibrationMillis, total, notes);
        return new Result(written, bytes, g1, summary);
    }

    private static Map<Integer, double[]> channelMeans(Map<Integer, TensorStatistics> stats) {
        Map<Integer, double[]> means = new HashMap<>();
        stats.forEach((t, s) -> {
            double[] m = s.channelMeans();
            if (m != null) {
                means.put(t, m);
            }
        });
        return means;
    }

    private static QuantizationError.Measured measure(Graph g1, Graph quantized, List<float[][]> samples, int threads) {
        try {
            return QuantizationError.measure(g1, quantized, samples, threads);
        } catch (UnsupportedModelException ex) {
            throw new ConversionException("the quantized model would not run on qbridge", ex.problems());
        }
    }
}
