package io.qbridge.converter;

import io.qbridge.DataType;
import io.qbridge.UnsupportedModelException;
import io.qbridge.converter.calibration.CalibrationData;
import io.qbridge.converter.calibration.Calibrator;
import io.qbridge.converter.calibration.Progress;
import io.qbridge.converter.graph.EditableGraph;
import io.qbridge.converter.observe.Observer;
import io.qbridge.converter.quantize.ChannelMoments;
import io.qbridge.converter.quantize.Quantizer;
import io.qbridge.converter.quantize.Range;
import io.qbridge.converter.quantize.RangeSearch;
import io.qbridge.converter.quantize.WeightsOnlyQuantizer;
import io.qbridge.converter.report.LayerError;
import io.qbridge.converter.report.QuantizationError;
import io.qbridge.converter.report.TensorValues;
import io.qbridge.graph.Graph;
import io.qbridge.plan.Planner;
import io.qbridge.tflite.ModelWriter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Float model in, 8-bit model out: graph rewrites ({@link FloatRewrites}: FAKE_QUANT ranges, MUL/ADD
 * folding, activation fusion, cross-layer equalization), calibration on the Java backend and
 * quantization ({@link CalibratedQuantization}; {@link WeightsOnlyQuantizer} for weights-only), and a
 * check that the result plans and runs, with per-layer errors.
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

    /**
     * Default of {@link Options#empiricalBiasSamples}, samples per layer of
     * {@link io.qbridge.converter.quantize.EmpiricalBiasCorrection} (a full run each): int8 all 20
     * default error samples (MobileNet v1 output SQNR 23.72 dB with 10, 24.00 dB with 20); uint8
     * keeps the 10 its reported figures were measured with.
     */
    public static final int DEFAULT_EMPIRICAL_BIAS_SAMPLES = 20;
    public static final int DEFAULT_EMPIRICAL_BIAS_SAMPLES_UINT8 = 10;

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

        // 1. Float rewrites.
        FloatRewrites.Rewritten rewritten = FloatRewrites.apply(floatModel, data, o, progress);
        Graph g1 = rewritten.graph();

        // 2. Quantize.
        Graph quantized;
        int quantizedOps;
        String observerName = null;
        Map<String, Double> scores = new LinkedHashMap<>();
        long calibrationMillis = rewritten.equalizationMillis();
        List<float[][]> errorSamples = data == null ? List.of() : data.spread(o.errorSamples()).samples();
        TensorValues.InputWriter inputWriter = o.mean() != null && o.std() != null && o.inputType() != DataType.FLOAT32
                ? TensorValues.InputWriter.pixels(o.mean(), o.std()) : TensorValues.InputWriter.QUANTIZE;
        if (o.type() == InferenceType.WEIGHTS_ONLY) {
            Map<Integer, ChannelMoments> means = null;
            if (data != null && data.size() > 0 && o.biasCorrection()) {
                long c0 = System.nanoTime();
                means = CalibratedQuantization.channelMoments(Calibrator.calibrate(g1, data, false, o.threads(),
                        progress));
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
                Quantizer.Result r = Quantizer.quantize(g1, Map.of(), rewritten.hints(), qo);
                quantized = r.graph();
                quantizedOps = r.quantizedOps();
                notes.addAll(r.notes());
            } else {
                CalibratedQuantization.Outcome q = CalibratedQuantization.quantize(g1, data, rewritten.hints(), o, qo,
                        errorSamples, inputWriter, progress, notes);
                quantized = q.graph();
                quantizedOps = q.quantizedOps();
                observerName = q.observer();
                scores = q.scores();
                calibrationMillis += q.calibrationMillis();
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
                rewritten.counts(), floatBytes, bytes.length, observerName, scores, data == null ? 0 : data.size(),
                layers, outputSqnr, calibrationMillis, total, notes);
        return new Result(written, bytes, g1, summary);
    }

    /** The errors of {@code quantized} against {@code g1} on the samples; a model that cannot run is refused. */
    static QuantizationError.Measured measure(Graph g1, Graph quantized, List<float[][]> samples, int threads,
                                                      TensorValues.InputWriter inputWriter) {
        try {
            return QuantizationError.measure(g1, quantized, samples, threads, inputWriter);
        } catch (UnsupportedModelException ex) {
            throw new ConversionException("the quantized model would not run on qbridge", ex.problems());
        }
    }
}
