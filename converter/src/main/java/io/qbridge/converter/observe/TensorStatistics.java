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
