package io.qbridge.converter.observe;

import io.qbridge.converter.quantize.Range;

import java.util.Locale;

/**
 * How an activation's range is chosen from what calibration saw.
 * <ul>
 *   <li>{@link #MINMAX}: the whole observed range (TFLite's calibrator); no value is ever clipped,
 *       but a few outliers can make the step coarse for everything else.</li>
 *   <li>{@link #PERCENTILE}: the range between the low and high percentiles of the values; clips
 *       the rare outliers.</li>
 *   <li>{@link #MSE}: the clipping range that minimizes the expected squared quantization error
 *       (rounding noise step²/12 inside, distance to the edge outside), searched on the histogram.</li>
 * </ul>
 */
public enum Observer {
    MINMAX, PERCENTILE, MSE;

    /** Default percentile of {@link #PERCENTILE} (and 100 - it at the low end). */
    public static final double DEFAULT_PERCENTILE = 99.99;

    public boolean needsHistogram() {
        return this != MINMAX;
    }

    public static Observer parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown observer '" + s + "': minmax, percentile or mse");
        }
    }

    /**
     * The range of a tensor for a quantized grid of {@code levels} values (256 for 8 bits).
     *
     * @param percentile used by {@link #PERCENTILE} only
     */
    public Range range(TensorStatistics s, int levels, double percentile) {
        Range full = new Range(s.min(), s.max());
        switch (this) {
            case MINMAX:
                return full;
            case PERCENTILE:
                return percentileRange(s, percentile);
            case MSE:
                return mseRange(s, levels);
            default:
                throw new AssertionError(this);
        }
    }

    static Range percentileRange(TensorStatistics s, double percentile) {
        long[] h = s.histogram();
        long total = s.histogramTotal();
        double tail = total * (100.0 - percentile) / 100.0;
        int lo = 0;
        long acc = 0;
        while (lo < h.length - 1 && acc + h[lo] <= tail) {
            acc += h[lo];
            lo++;
        }
        int hi = h.length - 1;
        acc = 0;
        while (hi > lo && acc + h[hi] <= tail) {
            acc += h[hi];
            hi--;
        }
        // Keep an end that is exactly 0 (ReLU outputs): clipping there gains nothing.
        float min = s.min() >= 0 ? s.min() : s.binStart(lo);
        float max = s.max() <= 0 ? s.max() : s.binStart(hi + 1);
        return new Range(Math.min(min, max), Math.max(min, max));
    }

    /**
     * Searches clipping ranges [min * a, max * b] (a, b from 1 down to 0.2) on the histogram for the
     * least expected squared error of the 8-bit grid over that range including 0.
     */
    static Range mseRange(TensorStatistics s, int levels) {
        long[] h = s.histogram();
        int n = h.length;
        double[] centers = new double[n];
        for (int i = 0; i < n; i++) {
            centers[i] = s.binStart(i) + 0.5 * s.binWidth();
        }
        double bestError = Double.POSITIVE_INFINITY;
        Range best = new Range(s.min(), s.max());
        int steps = 80;
        boolean searchLow = s.min() < 0;
        boolean searchHigh = s.max() > 0;
        for (int i = 0; i <= (searchLow ? steps : 0); i++) {
            float lo = Math.min(0f, s.min() * (1f - 0.8f * i / steps));
            for (int j = 0; j <= (searchHigh ? steps : 0); j++) {
                float hi = Math.max(0f, s.max() * (1f - 0.8f * j / steps));
                double step = (hi - lo) / (levels - 1.0);
                if (step <= 0) {
                    continue;
                }
                double rounding = step * step / 12.0;
                double error = 0;
                for (int k = 0; k < n; k++) {
                    long c = h[k];
                    if (c == 0) {
                        continue;
                    }
                    double x = centers[k];
                    if (x < lo) {
                        error += c * (lo - x) * (lo - x);
                    } else if (x > hi) {
                        error += c * (x - hi) * (x - hi);
                    } else {
                        error += c * rounding;
                    }
                }
                if (error < bestError) {
                    bestError = error;
                    best = new Range(lo, hi);
                }
            }
        }
        return best;
    }
}
