package io.qbridge.converter.quantize;

import io.qbridge.converter.calibration.Progress;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RangeSearchTest {

    /** Score: minus the distance of each tensor's max from a per-tensor target (best at the targets). */
    private static double distance(Map<Integer, Range> ranges, Map<Integer, Float> target) {
        double d = 0;
        for (Map.Entry<Integer, Float> e : target.entrySet()) {
            d += Math.abs(ranges.get(e.getKey()).max() - e.getValue());
        }
        return -d;
    }

    @Test
    void keepsTheCandidateThatRaisesTheScoreForEachTensor() {
        Map<Integer, Range> start = Map.of(1, new Range(0, 6), 2, new Range(0, 6), 3, new Range(-1, 1));
        LinkedHashMap<Integer, List<Range>> candidates = new LinkedHashMap<>();
        candidates.put(1, List.of(new Range(0, 6), new Range(0, 4), new Range(0, 3)));
        candidates.put(2, List.of(new Range(0, 6), new Range(0, 5)));
        Map<Integer, Float> target = Map.of(1, 4f, 2, 6f);
        RangeSearch.Outcome out = RangeSearch.search(start, candidates, r -> distance(r, target), 0.0, Progress.NONE);
        assertEquals(new Range(0, 4), out.ranges().get(1));
        assertEquals(new Range(0, 6), out.ranges().get(2), "no candidate was better");
        assertEquals(new Range(-1, 1), out.ranges().get(3), "tensors without candidates are kept");
        assertEquals(List.of(1), out.changed());
        assertEquals(-2.0, out.startScore(), 1e-9);
        assertEquals(0.0, out.score(), 1e-9);
    }

    @Test
    void gainsWithinTheMarginAreNotTaken() {
        Map<Integer, Range> start = Map.of(1, new Range(0, 6));
        LinkedHashMap<Integer, List<Range>> candidates = new LinkedHashMap<>();
        candidates.put(1, List.of(new Range(0, 5.9f)));
        RangeSearch.Outcome out = RangeSearch.search(start, candidates,
                r -> -Math.abs(r.get(1).max() - 5.9f), 0.5, Progress.NONE);
        assertEquals(new Range(0, 6), out.ranges().get(1));
        assertEquals(List.of(), out.changed());
    }

    @Test
    void laterTensorsAreScoredWithEarlierChoicesInPlace() {
        // Tensor 2's best range depends on tensor 1's: the search must score 2 with 1 already changed.
        Map<Integer, Range> start = Map.of(1, new Range(0, 6), 2, new Range(0, 6));
        LinkedHashMap<Integer, List<Range>> candidates = new LinkedHashMap<>();
        candidates.put(1, List.of(new Range(0, 3)));
        candidates.put(2, List.of(new Range(0, 3)));
        RangeSearch.Outcome out = RangeSearch.search(start, candidates, r -> {
            float a = r.get(1).max();
            float b = r.get(2).max();
            return a == 3f ? (b == 3f ? 0 : -1) : (b == 3f ? -3 : -2);
        }, 0.0, Progress.NONE);
        assertEquals(new Range(0, 3), out.ranges().get(2));
        assertEquals(0.0, out.score(), 1e-9);
    }
}
