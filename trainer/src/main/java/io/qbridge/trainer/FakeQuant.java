package io.qbridge.trainer;

/**
 * Quantization-aware training, after {@code tf.contrib.quantize.create_training_graph}: once the
 * quantization delay has passed, the forward pass sees
 * <ul>
 *   <li>weights rounded to 8 bits, symmetric per output channel in [-127, 127] (the int8 spec's
 *       weights: zero point 0, scale max|w| / 127), re-derived from the float weights every step
 *       (TF's "last value" weight quantization);</li>
 *   <li>activations (after each ReLU and the logits) rounded to 8 bits, asymmetric in [0, 255],
 *       over a range tracked by an exponential moving average of each batch's min and max, nudged
 *       so that 0 is exact, as {@code FakeQuantWithMinMaxVars} does.</li>
 * </ul>
 * The backward pass is straight-through: gradients flow as if nothing had been rounded, and
 * the optimizer keeps updating the float weights. Ranges are tracked from the first step, so
 * they are settled when quantization starts. The exported model carries them as FAKE_QUANT ops.
 * <p>
 * TF started its moving averages at a fixed range with decay 0.999, tuned for runs of 100k+
 * steps; this trainer runs about a thousand, so the averages start at the first batch's range
 * and decay by {@value #EMA_DECAY}.
 */
final class FakeQuant {
    static final int CONV1 = 0;
    static final int CONV2 = 1;
    static final int HIDDEN = 2;
    static final int LOGITS = 3;
    static final int COUNT = 4;
    static final float EMA_DECAY = 0.99f;

    private final float[] emaMin = new float[COUNT];
    private final float[] emaMax = new float[COUNT];
    private boolean started;
    /** Whether the forward pass rounds (false before the delay: ranges are only observed). */
    private boolean active;
    private final float[] nudgedMin = new float[COUNT];
    private final float[] nudgedMax = new float[COUNT];
    private final float[] scale = new float[COUNT];
    private final float[] inverseScale = new float[COUNT];

    /** The range of activation {@code which} to export, widened to contain 0: {min, max}. */
    float[] range(int which) {
        float min = Math.min(emaMin[which], 0f);
        float max = Math.max(emaMax[which], 0f);
        return new float[] {min, max - min < 1e-6f ? min + 1e-6f : max};
    }

    boolean active() {
        return active;
    }

    /** Sets the rounding for the coming step from the current averaged ranges. */
    void beginStep(boolean quantize) {
        active = quantize && started;
        if (!active) {
            return;
        }
        for (int i = 0; i < COUNT; i++) {
            // TFLite's NudgeQuantizationRange for [0, 255], so that training rounds as the exported FAKE_QUANT op does
            float[] r = range(i);
            float s = (r[1] - r[0]) / 255f;
            float zeroFromMin = -r[0] / s;
            float zero = zeroFromMin < 0 ? 0 : zeroFromMin > 255 ? 255 : (float) Math.floor(zeroFromMin + 0.5);
            scale[i] = s;
            inverseScale[i] = 1.0f / s;
            nudgedMin[i] = -zero * s;
            nudgedMax[i] = (255 - zero) * s;
        }
    }

    /**
     * Observes activation {@code which} into the workspace's batch range, then rounds it in place
     * when quantization is active. Thread-safe: it only reads the shared state.
     */
    void activation(int which, float[] a, DigitCnn.Workspace ws) {
        float lo = ws.observedMin[which], hi = ws.observedMax[which];
        for (float v : a) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        ws.observedMin[which] = lo;
        ws.observedMax[which] = hi;
        if (!active) {
            return;
        }
        float min = nudgedMin[which], max = nudgedMax[which], s = scale[which], inverse = inverseScale[which];
        for (int i = 0; i < a.length; i++) {
            float shifted = Math.min(max, Math.max(min, a[i])) - min;
            a[i] = (float) Math.floor(shifted * inverse + 0.5) * s + min;   // TFLite's FakeQuantizeArray
        }
    }

    /** Folds the batch's ranges (gathered from every workspace) into the moving averages. */
    void endStep(float[] batchMin, float[] batchMax) {
        for (int i = 0; i < COUNT; i++) {
            if (batchMin[i] > batchMax[i]) {
                continue;   // not observed (no hidden layer)
            }
            if (!started) {
                emaMin[i] = batchMin[i];
                emaMax[i] = batchMax[i];
            } else {
                emaMin[i] = EMA_DECAY * emaMin[i] + (1 - EMA_DECAY) * batchMin[i];
                emaMax[i] = EMA_DECAY * emaMax[i] + (1 - EMA_DECAY) * batchMax[i];
            }
        }
        started = true;
    }

    /** Rounds each layer's weights to 8 bits per output channel into dst (biases copied as they are). */
    static void quantizeWeights(DigitCnn net, float[] dst) {
        float[] p = net.params;
        System.arraycopy(p, 0, dst, 0, p.length);
        DigitCnn.Architecture a = net.arch;
        quantizeBlock(p, dst, net.w1, net.b1 - net.w1, a.conv1(), true);
        quantizeBlock(p, dst, net.w2, net.b2 - net.w2, a.conv2(), true);
        if (a.hidden() > 0) {
            quantizeBlock(p, dst, net.w3, net.b3 - net.w3, a.hidden(), false);
        }
        quantizeBlock(p, dst, net.w4, net.b4 - net.w4, a.classes(), false);
    }

    /** One layer's weights; the output channel is the outermost index of conv filters, the innermost of FC weights. */
    private static void quantizeBlock(float[] src, float[] dst, int offset, int count, int channels,
                                      boolean channelOutermost) {
        int perChannel = count / channels;
        float[] maxAbs = new float[channels];
        for (int i = 0; i < count; i++) {
            int c = channelOutermost ? i / perChannel : i % channels;
            maxAbs[c] = Math.max(maxAbs[c], Math.abs(src[offset + i]));
        }
        for (int i = 0; i < count; i++) {
            float m = maxAbs[channelOutermost ? i / perChannel : i % channels];
            if (m == 0f) {
                continue;
            }
            float s = m / 127f;
            float v = src[offset + i];
            // round half away from zero, as the converter's std::round
            dst[offset + i] = Math.signum(v) * (float) Math.floor(Math.abs(v) / s + 0.5f) * s;
        }
    }
}
