package io.qbridge.converter;

import io.qbridge.DataType;
import io.qbridge.UnsupportedModelException;
import io.qbridge.converter.calibration.CalibrationData;
import io.qbridge.converter.calibration.Calibrator;
import io.qbridge.converter.calibration.InputCovariance;
import io.qbridge.converter.calibration.Progress;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.converter.observe.Observer;
import io.qbridge.converter.observe.TensorStatistics;
import io.qbridge.converter.quantize.ChannelMoments;
import io.qbridge.converter.quantize.Quantizer;
import io.qbridge.converter.quantize.Range;
import io.qbridge.converter.quantize.RangeHints;
import io.qbridge.converter.quantize.RangeSearch;
import io.qbridge.converter.quantize.WeightsOnlyQuantizer;
import io.qbridge.converter.report.LayerError;
import io.qbridge.converter.report.QuantizationError;
import io.qbridge.converter.report.TensorValues;
import io.qbridge.converter.rewrite.ActivationFusion;
import io.qbridge.converter.rewrite.AffineFolding;
import io.qbridge.converter.rewrite.CrossLayerEqualization;
import io.qbridge.converter.rewrite.FakeQuantRemoval;
import io.qbridge.converter.rewrite.PointwiseToFullyConnected;
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
     * @param equalize     cross-layer equalization (uint8: balance weights, int8: fill activations); null: on
     * @param biasCorrection correct biases for the weights' rounding from calibration means
     * @param gptq         round weights for least output error on calibration data
     * @param floatLayers  keep the first N conv/FC layers float (mixed precision); 0: all quantized
     * @param errorSamples calibration samples used to measure per-layer errors and choose the observer
     * @param rangeSearch  after the observer, choose each activation's range among the observers' by the
     *                     output SQNR on the error samples ({@link RangeSearch}); null: off
     * @param equalizePercentile int8 equalization scales a RELU6 channel until this percentile of its
     *                     values reaches the clamp (the rarer ones above are clamped); 100: ReLU6-exact
     * @param perTensorTolerance int8 convolution weights are per tensor where their weighted rounding error
     *                     is at most this many times the per-channel one
     *                     ({@link Quantizer#DEFAULT_PER_TENSOR_TOLERANCE})
     * @param fullyConnectedClipping clip int8 FULLY_CONNECTED weights for the least weighted error
     * @param empiricalBiasSamples error samples that empirical bias correction runs per layer
     *                     ({@link #DEFAULT_EMPIRICAL_BIAS_SAMPLES})
     */
    public record Options(InferenceType type, DataType inputType, DataType outputType, Float mean, Float std,
                          Observer observer, double percentile, Range defaultRange, boolean foldAffine,
                          boolean fuseActivations, Boolean equalize, boolean biasCorrection, boolean gptq,
                          int floatLayers, int threads, int errorSamples, Boolean rangeSearch,
                          double equalizePercentile, double perTensorTolerance, boolean fullyConnectedClipping,
                          int empiricalBiasSamples) {

        public static Options defaults(InferenceType type) {
            return new Options(type, null, null, null, null, null, Observer.DEFAULT_PERCENTILE, null, true, true,
                    null, true, true, 0, 1, 20, null, DEFAULT_EQUALIZE_PERCENTILE,
                    Quantizer.DEFAULT_PER_TENSOR_TOLERANCE, true,
                    type == InferenceType.UINT8 ? DEFAULT_EMPIRICAL_BIAS_SAMPLES_UINT8 : DEFAULT_EMPIRICAL_BIAS_SAMPLES);
        }

        public Options withPercentile(double p) {
            return edit(x -> x.percentile = p);
        }

        public Options withFoldAffine(boolean f) {
            return edit(x -> x.foldAffine = f);
        }

        public Options withFuseActivations(boolean f) {
            return edit(x -> x.fuseActivations = f);
        }

        public Options withErrorSamples(int n) {
            return edit(x -> x.errorSamples = n);
        }

        public Options withPerTensorTolerance(double t) {
            return edit(x -> x.perTensorTolerance = t);
        }

        public Options withFullyConnectedClipping(boolean c) {
            return edit(x -> x.fullyConnectedClipping = c);
        }

        public Options withEmpiricalBiasSamples(int n) {
            return edit(x -> x.empiricalBiasSamples = n);
        }

        public Options withFloatLayers(int n) {
            return edit(x -> x.floatLayers = n);
        }

        public Options withGptq(boolean gq) {
            return edit(x -> x.gptq = gq);
        }

        public Options withBiasCorrection(boolean b) {
            return edit(x -> x.biasCorrection = b);
        }

        public Options withObserver(Observer o) {
            return edit(x -> x.observer = o);
        }

        public Options withIo(DataType in, DataType out) {
            return edit(x -> {
                x.inputType = in;
                x.outputType = out;
            });
        }

        public Options withMeanStd(Float m, Float s) {
            return edit(x -> {
                x.mean = m;
                x.std = s;
            });
        }

        public Options withEqualize(Boolean e) {
            return edit(x -> x.equalize = e);
        }

        public Options withDefaultRange(Range r) {
            return edit(x -> x.defaultRange = r);
        }

        public Options withThreads(int n) {
            return edit(x -> x.threads = n);
        }

        public Options withRangeSearch(Boolean r) {
            return edit(x -> x.rangeSearch = r);
        }

        public Options withEqualizePercentile(double p) {
            return edit(x -> x.equalizePercentile = p);
        }

        /** A copy of these options with some fields changed. */
        private Options edit(java.util.function.Consumer<Editable> change) {
            Editable e = new Editable(this);
            change.accept(e);
            return e.build();
        }

        /** The fields of Options, settable one by one (the with* methods' working copy). */
        private static final class Editable {
            InferenceType type;
            DataType inputType;
            DataType outputType;
            Float mean;
            Float std;
            Observer observer;
            double percentile;
            Range defaultRange;
            boolean foldAffine;
            boolean fuseActivations;
            Boolean equalize;
            boolean biasCorrection;
            boolean gptq;
            int floatLayers;
            int threads;
            int errorSamples;
            Boolean rangeSearch;
            double equalizePercentile;
            double perTensorTolerance;
            boolean fullyConnectedClipping;
            int empiricalBiasSamples;

            Editable(Options o) {
                type = o.type;
                inputType = o.inputType;
                outputType = o.outputType;
                mean = o.mean;
                std = o.std;
                observer = o.observer;
                percentile = o.percentile;
                defaultRange = o.defaultRange;
                foldAffine = o.foldAffine;
                fuseActivations = o.fuseActivations;
                equalize = o.equalize;
                biasCorrection = o.biasCorrection;
                gptq = o.gptq;
                floatLayers = o.floatLayers;
                threads = o.threads;
                errorSamples = o.errorSamples;
                rangeSearch = o.rangeSearch;
                equalizePercentile = o.equalizePercentile;
                perTensorTolerance = o.perTensorTolerance;
                fullyConnectedClipping = o.fullyConnectedClipping;
                empiricalBiasSamples = o.empiricalBiasSamples;
            }

            Options build() {
                return new Options(type, inputType, outputType, mean, std, observer, percentile, defaultRange,
                        foldAffine, fuseActivations, equalize, biasCorrection, gptq, floatLayers, threads, errorSamples,
                        rangeSearch, equalizePercentile, perTensorTolerance, fullyConnectedClipping,
                        empiricalBiasSamples);
            }
        }

        /**
         * Off unless asked: on MobileNet v1 the observers agree on every ReLU6 output that equalization
         * filled, and the search (minutes) changed nothing.
         */
        boolean searchesRanges() {
            return rangeSearch != null && rangeSearch;
        }

        boolean equalizes() {
            return equalize != null ? equalize : true;
        }
    }

    /**
     * The converted model (compacted: tensor indices are not those of the float graph), its bytes, the
     * float graph it was quantized from (after rewrites) and the summary.
     */
    public record Result(Graph graph, byte[] bytes, Graph rewrittenFloat, ConversionSummary summary) {
    }

    /** Calibration samples whose receptive-field covariances drive GPTQ rounding. */
    static final int GPTQ_SAMPLES = 32;

    /**
     * Default of {@link Options#empiricalBiasSamples}, samples per layer of
     * {@link io.qbridge.converter.quantize.EmpiricalBiasCorrection} (a full run each): int8 all 20
     * default error samples (MobileNet v1 output SQNR 23.72 dB with 10, 24.00 dB with 20); uint8
     * keeps the 10 its reported figures were measured with.
     */
    public static final int DEFAULT_EMPIRICAL_BIAS_SAMPLES = 20;
    public static final int DEFAULT_EMPIRICAL_BIAS_SAMPLES_UINT8 = 10;

    /** A range replaces the current one only when the output SQNR rises by more than this (not noise). */
    static final double RANGE_SEARCH_MIN_GAIN_DB = 0.02;

    /**
     * Default of {@link Options#equalizePercentile}: MobileNet's ReLU6 channels reach 6 on a handful of
     * pixels and stay far below it elsewhere; clamping the top 0.01% lets equalization fill the grid.
     */
    public static final double DEFAULT_EQUALIZE_PERCENTILE = 99.99;

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
            if (o.type() == InferenceType.INT8) {
                rewrites.put("1x1 CONV_2D on 1x1 input as FULLY_CONNECTED", PointwiseToFullyConnected.apply(e));
            }
        }
        EditableGraph.Compacted compacted = e.buildCompacted();
        Graph g1 = compacted.graph();
        hints = hints.remap(compacted.map());
        Calibrator.plan(g1);   // refuses, all at once, ops the float runtime cannot run
        long calibrationStart = System.nanoTime();
        if (o.type() != InferenceType.WEIGHTS_ONLY && o.equalizes()) {
            // Equalization needs each channel's calibrated range (ReLU6 limits how far a channel may
            // be scaled); the scaled model is calibrated again below.
            Map<Integer, CrossLayerEqualization.ChannelRange> ranges = new HashMap<>();
            if (data != null && data.size() > 0) {
                boolean clip = o.type() == InferenceType.INT8 && o.equalizePercentile() < 100;
                Calibrator.calibrate(g1, data, clip, o.threads(), progress).forEach((t, s) -> {
                    if (s.channelMax() != null) {
                        ranges.put(t, new CrossLayerEqualization.ChannelRange(s.channelMin(), s.channelMax(),
                                clip ? s.channelUpperPercentile(o.equalizePercentile()) : s.channelMax()));
                    }
                });
            }
            EditableGraph eq = new EditableGraph(g1);
            rewrites.put("layer pairs equalized", CrossLayerEqualization.apply(eq, ranges,
                    o.type() == InferenceType.UINT8 ? CrossLayerEqualization.Mode.BALANCE_WEIGHTS
                            : CrossLayerEqualization.Mode.FILL_ACTIVATIONS));
            EditableGraph.Compacted c = eq.buildCompacted();
            g1 = c.graph();
            hints = hints.remap(c.map());
        }
        long equalizationMillis = (System.nanoTime() - calibrationStart) / 1_000_000;

        // 2. Quantize.
        Graph quantized;
        int quantizedOps;
        String observerName = null;
        Map<String, Double> scores = new LinkedHashMap<>();
        long calibrationMillis = equalizationMillis;
        List<float[][]> errorSamples = data == null ? List.of() : data.spread(o.errorSamples()).samples();
        TensorValues.InputWriter inputWriter = o.mean() != null && o.std() != null && o.inputType() != DataType.FLOAT32
                ? TensorValues.InputWriter.pixels(o.mean(), o.std()) : TensorValues.InputWriter.QUANTIZE;
        if (o.type() == InferenceType.WEIGHTS_ONLY) {
            Map<Integer, ChannelMoments> means = null;
            if (data != null && data.size() > 0 && o.biasCorrection()) {
                long c0 = System.nanoTime();
                means = channelMoments(Calibrator.calibrate(g1, data, false, o.threads(), progress));
                calibrationMillis += (System.nanoTime() - c0) / 1_000_000;
            }
            Quantizer.Result r = WeightsOnlyQuantizer.quantize(g1, means);
            quantized = r.graph();
            quantizedOps = r.quantizedOps();
            notes.addAll(r.notes());
        } else {
            Quantizer.Options qo = new Quantizer.Options(o.type(), o.inputType(), o.outputType(), o.mean(), o.std(),
                    o.defaultRange(), o.biasCorrection(), o.floatLayers(), o.perTensorTolerance(),
                    o.fullyConnectedClipping());
            if (data == null || data.size() == 0) {
                Quantizer.Result r = Quantizer.quantize(g1, Map.of(), hints, qo);
                quantized = r.graph();
                quantizedOps = r.quantizedOps();
                notes.addAll(r.notes());
            } else {
                List<Observer> candidates = o.observer() != null ? List.of(o.observer()) : List.of(Observer.values());
                boolean histograms = o.searchesRanges() || candidates.stream().anyMatch(Observer::needsHistogram);
                long c0 = System.nanoTime();
                Map<Integer, TensorStatistics> stats = Calibrator.calibrate(g1, data, histograms, o.threads(), progress);
                calibrationMillis += (System.nanoTime() - c0) / 1_000_000;
                Map<Integer, ChannelMoments> means = channelMoments(stats);
                Map<Integer, InputCovariance.Moments> covariances = o.gptq()
                        ? InputCovariance.collect(g1, data.spread(GPTQ_SAMPLES), o.threads(), progress) : null;
                Quantizer.Result best = null;
                Map<Integer, Range> bestRanges = null;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (Observer obs : candidates) {
                    Map<Integer, Range> ranges = new HashMap<>();
                    stats.forEach((t, s) -> {
                        if (s.seen()) {
                            ranges.put(t, obs.range(s, 256, o.percentile()));
                        }
                    });
                    Quantizer.Result r = Quantizer.quantize(g1, ranges, hints, qo, means, covariances);
                    if (candidates.size() > 1) {
                        progress.update("scoring " + obs.name().toLowerCase(java.util.Locale.ROOT), 0, 1);
                        double score = measure(g1, r.graph(), errorSamples, o.threads(), inputWriter).outputSqnrDb();
                        progress.update("scoring " + obs.name().toLowerCase(java.util.Locale.ROOT), 1, 1);
                        scores.put(obs.name().toLowerCase(java.util.Locale.ROOT), score);
                        if (best == null || score > bestScore) {
                            best = r;
                            bestRanges = ranges;
                            bestScore = score;
                            observerName = obs.name().toLowerCase(java.util.Locale.ROOT);
                        }
                    } else {
                        best = r;
                        bestRanges = ranges;
                        observerName = obs.name().toLowerCase(java.util.Locale.ROOT);
                    }
                }
                if (o.searchesRanges() && !errorSamples.isEmpty()) {
                    best = searchRanges(g1, stats, bestRanges, hints, qo, means, covariances, errorSamples, o,
                            inputWriter, progress, notes);
                }
                quantized = best.graph();
                quantizedOps = best.quantizedOps();
                notes.addAll(best.notes());
                if (o.biasCorrection() && !errorSamples.isEmpty()) {
                    progress.update("bias correction", 0, 1);
                    double before = measure(g1, quantized, errorSamples, o.threads(), inputWriter).outputSqnrDb();
                    Graph corrected = io.qbridge.converter.quantize.EmpiricalBiasCorrection.apply(g1, quantized,
                            new CalibrationData(errorSamples).spread(o.empiricalBiasSamples()).samples(),
                            o.threads(), inputWriter);
                    double after = measure(g1, corrected, errorSamples, o.threads(), inputWriter).outputSqnrDb();
                    progress.update("bias correction", 1, 1);
                    if (after > before) {
                        quantized = corrected;
                        notes.add(String.format(java.util.Locale.ROOT,
                                "empirical bias correction: output SQNR %.2f -> %.2f dB", before, after));
                    } else {
                        notes.add(String.format(java.util.Locale.ROOT,
                                "empirical bias correction not kept: output SQNR %.2f -> %.2f dB", before, after));
                    }
                }
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
            QuantizationError.Measured m = measure(g1, quantized, errorSamples, o.threads(), inputWriter);
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

    /**
     * {@link RangeSearch} over every op output, with the ranges of all observers as candidates,
     * starting from the chosen observer's; returns the quantization with the ranges found.
     */
    private static Quantizer.Result searchRanges(Graph g1, Map<Integer, TensorStatistics> stats,
                                                 Map<Integer, Range> start, RangeHints hints, Quantizer.Options qo,
                                                 Map<Integer, ChannelMoments> means,
                                                 Map<Integer, InputCovariance.Moments> covariances,
                                                 List<float[][]> samples, Options o,
                                                 TensorValues.InputWriter inputWriter, Progress progress,
                                                 List<String> notes) {
        LinkedHashMap<Integer, List<Range>> candidates = new LinkedHashMap<>();
        for (io.qbridge.graph.Operator op : g1.operators()) {
            TensorStatistics s = stats.get(op.output(0));
            if (s == null || !s.seen() || !s.hasHistogram()) {
                continue;
            }
            List<Range> list = new ArrayList<>();
            for (Observer obs : Observer.values()) {
                Range r = obs.range(s, 256, o.percentile());
                if (!list.contains(r)) {
                    list.add(r);
                }
            }
            if (list.size() > 1) {
                candidates.put(op.output(0), list);
            }
        }
        QuantizationError.OutputReference reference;
        try {
            reference = new QuantizationError.OutputReference(g1, samples, o.threads(), inputWriter);
        } catch (UnsupportedModelException ex) {
            throw new ConversionException("the quantized model would not run on qbridge", ex.problems());
        }
        RangeSearch.Outcome outcome = RangeSearch.search(start, candidates, ranges -> {
            try {
                return reference.outputSqnrDb(Quantizer.quantize(g1, ranges, hints, qo, means, covariances).graph());
            } catch (UnsupportedModelException ex) {
                return Double.NEGATIVE_INFINITY;
            }
        }, RANGE_SEARCH_MIN_GAIN_DB, progress);
        notes.add(String.format(java.util.Locale.ROOT,
                "range search: %d of %d activation ranges changed, output SQNR %.2f -> %.2f dB",
                outcome.changed().size(), candidates.size(), outcome.startScore(), outcome.score()));
        return Quantizer.quantize(g1, outcome.ranges(), hints, qo, means, covariances);
    }

    private static Map<Integer, ChannelMoments> channelMoments(Map<Integer, TensorStatistics> stats) {
        Map<Integer, ChannelMoments> moments = new HashMap<>();
        stats.forEach((t, s) -> {
            double[] m = s.channelMeans();
            if (m != null) {
                moments.put(t, new ChannelMoments(m, s.channelMeanSquares()));
            }
        });
        return moments;
    }

    private static QuantizationError.Measured measure(Graph g1, Graph quantized, List<float[][]> samples, int threads,
                                                      TensorValues.InputWriter inputWriter) {
        try {
            return QuantizationError.measure(g1, quantized, samples, threads, inputWriter);
        } catch (UnsupportedModelException ex) {
            throw new ConversionException("the quantized model would not run on qbridge", ex.problems());
        }
    }
}
