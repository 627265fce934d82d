package io.qbridge.converter.quantize;

import io.qbridge.graph.OpOptions;

import java.util.HashMap;
import java.util.Map;

/**
 * Ranges that the model itself states and that win over calibration: FAKE_QUANT ops (whose exact
 * parameters are kept) and min/max recorded on tensors by quantization-aware training. Keyed by
 * tensor index of the graph being quantized.
 */
public final class RangeHints {
    private final Map<Integer, OpOptions.FakeQuant> fakeQuant = new HashMap<>();
    private final Map<Integer, Range> recorded = new HashMap<>();

    public void fakeQuant(int tensor, OpOptions.FakeQuant fq) {
        fakeQuant.put(tensor, fq);
    }

    public void recorded(int tensor, Range r) {
        recorded.put(tensor, r);
    }

    public OpOptions.FakeQuant fakeQuant(int tensor) {
        return fakeQuant.get(tensor);
    }

    public Range recorded(int tensor) {
        return recorded.get(tensor);
    }

    /** The same hints for a graph whose tensor i is now {@code map[i]} (-1: gone). */
    public RangeHints remap(int[] map) {
        RangeHints r = new RangeHints();
        fakeQuant.forEach((t, v) -> {
            if (t < map.length && map[t] >= 0) {
                r.fakeQuant.put(map[t], v);
            }
        });
        recorded.forEach((t, v) -> {
            if (t < map.length && map[t] >= 0) {
                r.recorded.put(map[t], v);
            }
        });
        return r;
    }

    public boolean isEmpty() {
        return fakeQuant.isEmpty() && recorded.isEmpty();
    }
}
