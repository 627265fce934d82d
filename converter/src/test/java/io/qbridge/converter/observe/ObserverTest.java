package io.qbridge.converter.observe;

import io.qbridge.converter.quantize.Range;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObserverTest {

    /** 100000 values of |N(0, 1)| plus one outlier at 40 (a ReLU output with a rare spike). */
    static TensorStatistics spiky() {
        Random r = new Random(3);
        float[] v = new float[100_001];
        for (int i = 0; i < v.length - 1; i++) {
            v[i] = (float) Math.abs(r.nextGaussian());
        }
        v[v.length - 1] = 40f;
        TensorStatistics s = new TensorStatistics();
        s.observeRange(v, v.length);
        s.startHistogram();
        s.observeHistogram(v, v.length);
        return s;
    }

    @Test
    void minMaxKeepsEverything() {
        Range r = Observer.MINMAX.range(spiky(), 256, 99.99);
        assertEquals(0f, r.min(), 1e-3f);
        assertEquals(40f, r.max(), 1e-6f);
    }

    @Test
    void percentileCutsTheOutlierAndKeepsZero() {
        Range r = Observer.PERCENTILE.range(spiky(), 256, 99.99);
        assertEquals(0f, r.min(), 1e-3f);
        assertTrue(r.max() > 3.5f && r.max() < 6f, "max " + r.max());
    }

    @Test
    void mseKeepsALoneOutlierWhoseClippingWouldCostMoreThanRounding() {
        // One value clipped from 40 to 8 costs 32^2 = 1024; rounding 100000 values costs about 200.
        Range r = Observer.MSE.range(spiky(), 256, 99.99);
        assertTrue(r.max() > 30f, "max " + r.max());
    }

    @Test
    void mseClipsALongTailWhereRoundingCostsMoreThanClipping() {
        Random rnd = new Random(4);
        float[] v = new float[200_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) -Math.log(1 - rnd.nextDouble());   // exponential: a long tail up to about 12
        }
        TensorStatistics s = new TensorStatistics();
        s.observeRange(v, v.length);
        s.startHistogram();
        s.observeHistogram(v, v.length);
        Range r = Observer.MSE.range(s, 256, 99.99);
        assertTrue(r.max() < 0.9f * s.max() && r.max() > 4f, "max " + r.max() + " of " + s.max());
        assertEquals(0f, r.min(), 0f);
    }

    @Test
    void channelUpperPercentileCutsARareSpikeOfOneChannelOnly() {
        // Two channels (interleaved, last dimension): channel 0 uniform in [0, 1) with one value at 6,
        // channel 1 uniform in [0, 3).
        Random r = new Random(5);
        int rows = 100_000;
        float[] v = new float[2 * rows];
        for (int i = 0; i < rows; i++) {
            v[2 * i] = r.nextFloat();
            v[2 * i + 1] = 3 * r.nextFloat();
        }
        v[0] = 6f;
        TensorStatistics s = new TensorStatistics();
        s.trackChannelMeans(2);
        s.observeRange(v, v.length);
        s.startHistogram();
        s.observeHistogram(v, v.length);
        float[] p = s.channelUpperPercentile(99.99);
        assertTrue(p[0] > 0.99f && p[0] < 1.01f, "channel 0 " + p[0]);
        assertTrue(p[1] > 2.97f && p[1] <= 3f, "channel 1 " + p[1]);
        assertEquals(6f, s.channelUpperPercentile(100)[0], 1e-6f);
    }
}
