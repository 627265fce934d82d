package io.qbridge.converter.observe;

/**
 * What calibration saw of one tensor: its running min and max (first pass) and, once the range is
 * known, a histogram of its values over [min, max] (second pass) from which the percentile and MSE
 * observers choose a narrower range.
 */
public final class TensorStatistics {
    public static final int BINS = 2048;

    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;
    private long count;
    private long[] histogram;
    private double[] channelSums;
    private double[] channelSquares;
    private float[] channelMin;
    private float[] channelMax;
    private long channelRows;
    private float histMin;
    private float binWidth;
    /** Second pass, tracked channels only: a histogram of each channel over [0, its max]. */
    private long[][] channelHistograms;
    /** Bins of each channel's histogram. */
    public static final int CHANNEL_BINS = 1024;

    /** Also sums each index of the last dimension (the channel), for {@link #channelMeans()}. */
    public void trackChannelMeans(int channels) {
        channelSums = new double[channels];
        channelSquares = new double[channels];
        channelMin = new float[channels];
        channelMax = new float[channels];
        java.util.Arrays.fill(channelMin, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(channelMax, Float.NEGATIVE_INFINITY);
    }

    /** Smallest value seen in each channel, or null when not tracked. */
    public float[] channelMin() {
        return channelRows == 0 ? null : channelMin;
    }

    /** Largest value seen in each channel, or null when not tracked. */
    public float[] channelMax() {
        return channelRows == 0 ? null : channelMax;
    }

    /** Mean of the square of each channel, or null when not tracked. */
    public double[] channelMeanSquares() {
        if (channelSquares == null || channelRows == 0) {
            return null;
        }
        double[] m = new double[channelSquares.length];
        for (int c = 0; c < m.length; c++) {
            m[c] = channelSquares[c] / channelRows;
        }
        return m;
    }

    /** Mean of each channel (last dimension) over everything observed, or null when not tracked. */
    public double[] channelMeans() {
        if (channelSums == null || channelRows == 0) {
            return null;
        }
        double[] m = new double[channelSums.length];
        for (int c = 0; c < m.length; c++) {
            m[c] = channelSums[c] / channelRows;
        }
        return m;
    }

    /** First pass: widens the running range. */
    public void observeRange(float[] values, int n) {
        float lo = min;
        float hi = max;
        for (int i = 0; i < n; i++) {
            float v = values[i];
            if (v < lo) {
                lo = v;
            }
            if (v > hi) {
                hi = v;
            }
        }
        min = lo;
        max = hi;
        count += n;
        if (channelSums != null) {
            int channels = channelSums.length;
            double[] sums = channelSums;
            double[] squares = channelSquares;
            float[] cmin = channelMin;
            float[] cmax = channelMax;
            for (int i = 0; i < n; i++) {
                float v = values[i];
                int c = i % channels;
                sums[c] += v;
                squares[c] += (double) v * v;
                if (v < cmin[c]) {
                    cmin[c] = v;
                }
                if (v > cmax[c]) {
                    cmax[c] = v;
                }
            }
            channelRows += n / channels;
        }
    }

    /** Starts the second pass: a histogram over the range the first pass found. */
    public void startHistogram() {
        histogram = new long[BINS];
        if (channelSums != null && channelRows > 0) {
            channelHistograms = new long[channelSums.length][CHANNEL_BINS];
        }
        histMin = min;
        float width = max - min;
        binWidth = width > 0 ? width / BINS : 1f;
    }

    public void observeHistogram(float[] values, int n) {
        long[] h = histogram;
        float lo = histMin;
        float inv = 1f / binWidth;
        for (int i = 0; i < n; i++) {
            int b = (int) ((values[i] - lo) * inv);
            h[b < 0 ? 0 : (b >= BINS ? BINS - 1 : b)]++;
        }
        if (channelHistograms != null) {
            int channels = channelHistograms.length;
            float[] inverse = new float[channels];
            for (int c = 0; c < channels; c++) {
                inverse[c] = channelMax[c] > 0 ? CHANNEL_BINS / channelMax[c] : 0f;
            }
            for (int i = 0; i < n; i++) {
                int c = i % channels;
                float v = values[i];
                if (v > 0) {
                    int b = (int) (v * inverse[c]);
                    channelHistograms[c][b >= CHANNEL_BINS ? CHANNEL_BINS - 1 : b]++;
                }
            }
        }
    }

    /**
     * For each tracked channel, the value that {@code percentile}% of its values (zeros and negatives
     * included) do not exceed, from the second pass; its maximum where the histogram was not kept.
     * Null when channels are not tracked.
     */
    public float[] channelUpperPercentile(double percentile) {
        float[] max = channelMax();
        if (max == null) {
            return null;
        }
        float[] result = max.clone();
        if (channelHistograms == null) {
            return result;
        }
        for (int c = 0; c < result.length; c++) {
            long[] h = channelHistograms[c];
            if (max[c] <= 0) {
                continue;
            }
            double tail = channelRows * (100.0 - percentile) / 100.0;
            int hi = CHANNEL_BINS - 1;
            long acc = 0;
            while (hi > 0 && acc + h[hi] <= tail) {
                acc += h[hi];
                hi--;
            }
            result[c] = Math.min(max[c], (hi + 1) * (max[c] / CHANNEL_BINS));
        }
        return result;
    }

    public boolean seen() {
        return count > 0;
    }

    public float min() {
        return min;
    }

    public float max() {
        return max;
    }

    public boolean hasHistogram() {
        return histogram != null;
    }

    /** Counts per bin; bin i covers [binStart(i), binStart(i + 1)). */
    public long[] histogram() {
        return histogram;
    }

    public float binStart(int i) {
        return histMin + i * binWidth;
    }

    public float binWidth() {
        return binWidth;
    }

    public long histogramTotal() {
        long t = 0;
        for (long c : histogram) {
            t += c;
        }
        return t;
    }
}
