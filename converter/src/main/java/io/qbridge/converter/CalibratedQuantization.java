package io.qbridge.converter;

import io.qbridge.UnsupportedModelException;
import io.qbridge.converter.calibration.CalibrationData;
import io.qbridge.converter.calibration.Calibrator;
import io.qbridge.converter.calibration.InputCovariance;
import io.qbridge.converter.calibration.Progress;
import io.qbridge.converter.observe.Observer;
import io.qbridge.converter.observe.TensorStatistics;
import io.qbridge.converter.quantize.ChannelMoments;
import io.qbridge.converter.quantize.EmpiricalBiasCorrection;
import io.qbridge.converter.quantize.Quantizer;
import io.qbridge.converter.quantize.Range;
import io.qbridge.converter.quantize.RangeHints;
import io.qbridge.converter.quantize.RangeSearch;
import io.qbridge.converter.report.QuantizationError;
import io.qbridge.converter.report.TensorValues;
import io.qbridge.graph.Graph;
import io.qbridge.graph.Operator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The second step of a conversion with calibration data: the rewritten float graph calibrated, then
 * quantized with the ranges of each candidate observer and the one with the best output SQNR kept;
 * optionally each activation's range searched among the observers'; then empirical bias correction,
 * kept if it raises the output SQNR.
 */
final class CalibratedQuantization {

    /** Calibration samples whose receptive-field covariances drive GPTQ rounding. */
    static final int GPTQ_SAMPLES = 32;

    /** A range replaces the current one only when the output SQNR rises by more than this (not noise). */
    static final double RANGE_SEARCH_MIN_GAIN_DB = 0.02;

    /**
     * @param graph             the quantized graph
     * @param observer          the observer kept (lower case)
     * @param scores            output SQNR of each observer tried, when there were several
     * @param calibrationMillis time spent calibrating
     */
    record Outcome(Graph graph, int quantizedOps, String observer, Map<String, Double> scores,
                   long calibrationMillis) {
    }

    private CalibratedQuantization() {
    }

    /**
     * @param g            the rewritten float graph
     * @param errorSamples samples on which output SQNRs are measured (may be empty: no scoring,
     *                     search or empirical correction)
     * @param notes        where what was done is noted
     */
    static Outcome quantize(Graph g, CalibrationData data, RangeHints hints, Converter.Options o,
                            Quantizer.Options qo, List<float[][]> errorSamples,
                            TensorValues.InputWriter inputWriter, Progress progress, List<String> notes) {
        String observerName = null;
        Map<String, Double> scores = new LinkedHashMap<>();
        List<Observer> candidates = o.observer() != null ? List.of(o.observer()) : List.of(Observer.values());
        boolean histograms = o.searchesRanges() || candidates.stream().anyMatch(Observer::needsHistogram);
        long c0 = System.nanoTime();
        Map<Integer, TensorStatistics> stats = Calibrator.calibrate(g, data, histograms, o.threads(), progress);
        long calibrationMillis = (System.nanoTime() - c0) / 1_000_000;
        Map<Integer, ChannelMoments> means = channelMoments(stats);
        Map<Integer, InputCovariance.Moments> covariances = o.gptq()
                ? InputCovariance.collect(g, data.spread(GPTQ_SAMPLES), o.threads(), progress) : null;
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
            Quantizer.Result r = Quantizer.quantize(g, ranges, hints, qo, means, covariances);
            String name = obs.name().toLowerCase(Locale.ROOT);
            if (candidates.size() > 1) {
                progress.update("scoring " + name, 0, 1);
                double score = Converter.measure(g, r.graph(), errorSamples, o.threads(), inputWriter).outputSqnrDb();
                progress.update("scoring " + name, 1, 1);
                scores.put(name, score);
                if (best == null || score > bestScore) {
                    best = r;
                    bestRanges = ranges;
                    bestScore = score;
                    observerName = name;
                }
            } else {
                best = r;
                bestRanges = ranges;
                observerName = name;
            }
        }
        if (o.searchesRanges() && !errorSamples.isEmpty()) {
            best = searchRanges(g, stats, bestRanges, hints, qo, means, covariances, errorSamples, o, inputWriter,
                    progress, notes);
        }
        Graph quantized = best.graph();
        notes.addAll(best.notes());
        if (o.biasCorrection() && !errorSamples.isEmpty()) {
            progress.update("bias correction", 0, 1);
            double before = Converter.measure(g, quantized, errorSamples, o.threads(), inputWriter).outputSqnrDb();
            Graph corrected = EmpiricalBiasCorrection.apply(g, quantized,
                    new CalibrationData(errorSamples).spread(o.empiricalBiasSamples()).samples(), o.threads(),
                    inputWriter);
            double after = Converter.measure(g, corrected, errorSamples, o.threads(), inputWriter).outputSqnrDb();
            progress.update("bias correction", 1, 1);
            if (after > before) {
                quantized = corrected;
                notes.add(String.format(Locale.ROOT,
                        "empirical bias correction: output SQNR %.2f -> %.2f dB", before, after));
            } else {
                notes.add(String.format(Locale.ROOT,
                        "empirical bias correction not kept: output SQNR %.2f -> %.2f dB", before, after));
            }
        }
        return new Outcome(quantized, best.quantizedOps(), observerName, scores, calibrationMillis);
    }

    /**
     * {@link RangeSearch} over every op output, with the ranges of all observers as candidates,
     * starting from the chosen observer's; returns the quantization with the ranges found.
     */
    private static Quantizer.Result searchRanges(Graph g, Map<Integer, TensorStatistics> stats,
                                                 Map<Integer, Range> start, RangeHints hints, Quantizer.Options qo,
                                                 Map<Integer, ChannelMoments> means,
                                                 Map<Integer, InputCovariance.Moments> covariances,
                                                 List<float[][]> samples, Converter.Options o,
                                                 TensorValues.InputWriter inputWriter, Progress progress,
                                                 List<String> notes) {
        LinkedHashMap<Integer, List<Range>> candidates = new LinkedHashMap<>();
        for (Operator op : g.operators()) {
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
            reference = new QuantizationError.OutputReference(g, samples, o.threads(), inputWriter);
        } catch (UnsupportedModelException ex) {
            throw new ConversionException("the quantized model would not run on qbridge", ex.problems());
        }
        RangeSearch.Outcome outcome = RangeSearch.search(start, candidates, ranges -> {
            try {
                return reference.outputSqnrDb(Quantizer.quantize(g, ranges, hints, qo, means, covariances).graph());
            } catch (UnsupportedModelException ex) {
                return Double.NEGATIVE_INFINITY;
            }
        }, RANGE_SEARCH_MIN_GAIN_DB, progress);
        notes.add(String.format(Locale.ROOT,
                "range search: %d of %d activation ranges changed, output SQNR %.2f -> %.2f dB",
                outcome.changed().size(), candidates.size(), outcome.startScore(), outcome.score()));
        return Quantizer.quantize(g, outcome.ranges(), hints, qo, means, covariances);
    }

    /** E[x] and E[x^2] of each channel of the calibrated tensors that have them. */
    static Map<Integer, ChannelMoments> channelMoments(Map<Integer, TensorStatistics> stats) {
        Map<Integer, ChannelMoments> moments = new HashMap<>();
        stats.forEach((t, s) -> {
            double[] m = s.channelMeans();
            if (m != null) {
                moments.put(t, new ChannelMoments(m, s.channelMeanSquares()));
            }
        });
        return moments;
    }
}
