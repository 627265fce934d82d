package io.qbridge.converter.quantize;

import io.qbridge.converter.calibration.Progress;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses each activation's range among several candidates (one per observer) by what the whole
 * quantized network does with it, rather than by the tensor's own rounding error: one pass of
 * coordinate descent over the tensors in graph order, keeping a candidate only when the score
 * (output SQNR on calibration samples) rises. Early ReLU6 outputs and the last layers before
 * global pooling prefer different trade-offs between clipping and rounding, which a single
 * observer for every tensor cannot give.
 */
public final class RangeSearch {

    /** Higher is better; called with a complete range for every calibrated tensor. */
    public interface Scorer {
        double score(Map<Integer, Range> ranges);
    }

    /** The chosen ranges, their score, and the tensors whose range changed from the start. */
    public record Outcome(Map<Integer, Range> ranges, double startScore, double score, List<Integer> changed) {
    }

    private RangeSearch() {
    }

    /**
     * @param start      ranges to start from (every tensor the quantizer needs)
     * @param candidates alternative ranges by tensor, visited in the map's iteration order
     * @param minGain    a candidate must raise the score by more than this to be kept
     */
    public static Outcome search(Map<Integer, Range> start, LinkedHashMap<Integer, List<Range>> candidates,
                                 Scorer scorer, double minGain, Progress progress) {
        Map<Integer, Range> current = new HashMap<>(start);
        double startScore = scorer.score(current);
        double best = startScore;
        List<Integer> changed = new ArrayList<>();
        int done = 0;
        for (Map.Entry<Integer, List<Range>> entry : candidates.entrySet()) {
            progress.update("range search", done++, candidates.size());
            int t = entry.getKey();
            Range chosen = current.get(t);
            for (Range r : entry.getValue()) {
                if (r.equals(current.get(t))) {
                    continue;
                }
                Map<Integer, Range> trial = new HashMap<>(current);
                trial.put(t, r);
                double s = scorer.score(trial);
                if (s > best + minGain) {
                    best = s;
                    chosen = r;
                }
            }
            if (!chosen.equals(current.get(t))) {
                current.put(t, chosen);
                if (!changed.contains(t)) {
                    changed.add(t);
                }
            }
        }
        progress.update("range search", candidates.size(), candidates.size());
        return new Outcome(current, startScore, best, changed);
    }
}
