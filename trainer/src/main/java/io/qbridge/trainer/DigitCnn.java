package io.qbridge.trainer;

/**
 * The default model's network and its per-sample forward and backward passes, in plain Java:
 * <pre>
 *   input [28,28,1] -> CONV 3x3 SAME (c1, ReLU) -> MAX_POOL 2x2 -> CONV 3x3 SAME (c2, ReLU) -> MAX_POOL 2x2
 *   -> flatten [7*7*c2] -> FULLY_CONNECTED (hidden, ReLU) -> FULLY_CONNECTED (10) -> softmax
 * </pre>
 * ({@code hidden = 0} drops the hidden layer.) The default's 128 hidden units hold 100k of its 103k
 * parameters: weights then dominate the file, so the 8-bit model is about 0.26 of the float one
 * (with 10k parameters the fixed flatbuffer overhead would push that past 0.3). All parameters live in one float array so one
 * optimizer step covers them. Their layout is the one the loops want, with the output channel
 * innermost so the JIT vectorizes the multiply-adds: conv filters [kh][kw][inC][outC], FC weights
 * [in][out]. Flattening is NHWC, as TFLite's RESHAPE. {@link TfliteExport} transposes to TFLite's
 * layouts. Activations are NHWC arrays per sample in a {@link Workspace}.
 * <p>
 * With a {@link FakeQuant} set, the forward pass quantizes weights and activations the way the
 * 8-bit model will (see that class); the backward pass lets gradients through unchanged (straight-through).
 */
public final class DigitCnn {
    public static final int K = 3;

    /** The shape of the network. */
    public record Architecture(int size, int conv1, int conv2, int hidden, int classes) {
        public Architecture {
            if (size % 4 != 0 || conv1 < 1 || conv2 < 1 || hidden < 0 || classes < 2) {
                throw new IllegalArgumentException("bad architecture " + size + "/" + conv1 + "/" + conv2 + "/" + hidden
                        + "/" + classes);
            }
        }

        public int pooled1() {
            return size / 2;
        }

        public int pooled2() {
            return size / 4;
        }

        public int flat() {
            return pooled2() * pooled2() * conv2;
        }

        /** Inputs of the last layer. */
        public int lastIn() {
            return hidden == 0 ? flat() : hidden;
        }
    }

    final Architecture arch;
    /** Offsets into {@link #params} of each weight and bias block. */
    final int w1, b1, w2, b2, w3, b3, w4, b4, paramCount;
    final float[] params;

    public DigitCnn(Architecture arch) {
        this.arch = arch;
        int o = 0;
        w1 = o;
        o += K * K * arch.conv1();
        b1 = o;
        o += arch.conv1();
        w2 = o;
        o += K * K * arch.conv1() * arch.conv2();
        b2 = o;
        o += arch.conv2();
        w3 = o;
        o += arch.hidden() == 0 ? 0 : arch.flat() * arch.hidden();
        b3 = o;
        o += arch.hidden();
        w4 = o;
        o += arch.lastIn() * arch.classes();
        b4 = o;
        o += arch.classes();
        paramCount = o;
        params = new float[o];
    }

    public Architecture architecture() {
        return arch;
    }

    public int parameterCount() {
        return paramCount;
    }

    /** He-normal weights (std sqrt(2 / fan-in)), zero biases; the logits layer gets std sqrt(1 / fan-in). */
    void initialize(long seed) {
        Rng r = new Rng(Rng.derive(seed, 100, 0));
        fill(r, w1, K * K * arch.conv1(), 2.0 / (K * K));
        fill(r, w2, K * K * arch.conv1() * arch.conv2(), 2.0 / (K * K * arch.conv1()));
        if (arch.hidden() > 0) {
            fill(r, w3, arch.flat() * arch.hidden(), 2.0 / arch.flat());
        }
        fill(r, w4, arch.lastIn() * arch.classes(), 1.0 / arch.lastIn());
    }

    private void fill(Rng r, int offset, int count, double variance) {
        double std = StrictMath.sqrt(variance);
        for (int i = 0; i < count; i++) {
            params[offset + i] = (float) (std * r.nextGaussian());
        }
    }

    /** Per-sample activations and gradients, plus a gradient accumulator; one per concurrent task. */
    final class Workspace {
        final float[] x = new float[arch.size() * arch.size()];
        final float[] a1 = new float[arch.size() * arch.size() * arch.conv1()];
        final float[] p1 = new float[arch.pooled1() * arch.pooled1() * arch.conv1()];
        final int[] p1From = new int[p1.length];
        final float[] a2 = new float[arch.pooled1() * arch.pooled1() * arch.conv2()];
        final float[] p2 = new float[arch.flat()];
        final int[] p2From = new int[p2.length];
        final float[] h = new float[arch.hidden()];
        final float[] logits = new float[arch.classes()];
        final float[] probs = new float[arch.classes()];

        final float[] dLogits = new float[arch.classes()];
        final float[] dH = new float[arch.hidden()];
        final float[] dP2 = new float[p2.length];
        final float[] dA2 = new float[a2.length];
        final float[] dP1 = new float[p1.length];
        final float[] dA1 = new float[a1.length];
        final float[] grad = new float[paramCount];
        double loss;
        int correct;

        /** The weights the forward pass uses: the parameters, or their fake-quantized copy. */
        float[] weights = params;
        /** Range of each fake-quantized activation seen since {@link #resetStats()}. */
        final float[] observedMin = new float[FakeQuant.COUNT];
        final float[] observedMax = new float[FakeQuant.COUNT];

        Workspace() {
            resetStats();
        }

        /** Clears the gradient accumulator, loss, hit count and observed ranges. */
        void resetStats() {
            java.util.Arrays.fill(grad, 0f);
            loss = 0;
            correct = 0;
            java.util.Arrays.fill(observedMin, Float.POSITIVE_INFINITY);
            java.util.Arrays.fill(observedMax, Float.NEGATIVE_INFINITY);
        }
    }

    Workspace workspace() {
        return new Workspace();
    }

    /** Forward pass of ws.x; fills the activations, probabilities, and returns the predicted class. */
    int forward(Workspace ws, FakeQuant fq) {
        float[] w = ws.weights;
        int s = arch.size();
        conv3x3Relu(ws.x, s, s, 1, w, w1, b1, arch.conv1(), ws.a1);
        if (fq != null) {
            fq.activation(FakeQuant.CONV1, ws.a1, ws);
        }
        maxPool2x2(ws.a1, s, s, arch.conv1(), ws.p1, ws.p1From);
        conv3x3Relu(ws.p1, s / 2, s / 2, arch.conv1(), w, w2, b2, arch.conv2(), ws.a2);
        if (fq != null) {
            fq.activation(FakeQuant.CONV2, ws.a2, ws);
        }
        maxPool2x2(ws.a2, s / 2, s / 2, arch.conv2(), ws.p2, ws.p2From);
        float[] last = ws.p2;
        if (arch.hidden() > 0) {
            dense(ws.p2, arch.flat(), w, w3, b3, arch.hidden(), ws.h, true);
            if (fq != null) {
                fq.activation(FakeQuant.HIDDEN, ws.h, ws);
            }
            last = ws.h;
        }
        dense(last, arch.lastIn(), w, w4, b4, arch.classes(), ws.logits, false);
        if (fq != null) {
            fq.activation(FakeQuant.LOGITS, ws.logits, ws);
        }
        return softmax(ws.logits, ws.probs);
    }

    /**
     * Forward and backward pass of one sample: adds d(cross-entropy)/d(params) into ws.grad (not
     * divided by the batch size), the loss into ws.loss, and 1 into ws.correct when it was right.
     */
    void trainSample(Workspace ws, int label, FakeQuant fq) {
        int predicted = forward(ws, fq);
        if (predicted == label) {
            ws.correct++;
        }
        ws.loss -= StrictMath.log(Math.max(ws.probs[label], 1e-30f));
        for (int c = 0; c < arch.classes(); c++) {
            ws.dLogits[c] = ws.probs[c] - (c == label ? 1f : 0f);
        }
        float[] w = ws.weights;
        float[] g = ws.grad;
        int s = arch.size();
        if (arch.hidden() > 0) {
            denseBackward(ws.h, arch.hidden(), w, w4, b4, arch.classes(), ws.dLogits, g, ws.dH);
            reluMask(ws.h, ws.dH);
            denseBackward(ws.p2, arch.flat(), w, w3, b3, arch.hidden(), ws.dH, g, ws.dP2);
        } else {
            denseBackward(ws.p2, arch.flat(), w, w4, b4, arch.classes(), ws.dLogits, g, ws.dP2);
        }
        unpool(ws.dP2, ws.p2From, ws.dA2);
        reluMask(ws.a2, ws.dA2);
        conv3x3Backward(ws.p1, s / 2, s / 2, arch.conv1(), w, w2, b2, arch.conv2(), ws.dA2, g, ws.dP1);
        unpool(ws.dP1, ws.p1From, ws.dA1);
        reluMask(ws.a1, ws.dA1);
        conv3x3Backward(ws.x, s, s, 1, w, w1, b1, arch.conv1(), ws.dA1, g, null);
    }

    // ---- layers ----

    /** SAME 3x3 convolution, stride 1, plus bias, then ReLU; weights [ky][kx][inC][outC]. */
    static void conv3x3Relu(float[] in, int h, int wd, int inC, float[] p, int wOff, int bOff, int outC,
                            float[] out) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < wd; x++) {
                int o = (y * wd + x) * outC;
                System.arraycopy(p, bOff, out, o, outC);
                for (int ky = 0; ky < K; ky++) {
                    int iy = y + ky - 1;
                    if (iy < 0 || iy >= h) {
                        continue;
                    }
                    for (int kx = 0; kx < K; kx++) {
                        int ix = x + kx - 1;
                        if (ix < 0 || ix >= wd) {
                            continue;
                        }
                        int i = (iy * wd + ix) * inC;
                        int wk = wOff + (ky * K + kx) * inC * outC;
                        for (int ic = 0; ic < inC; ic++) {
                            float a = in[i + ic];
                            if (a == 0f) {
                                continue;   // ReLU zeros: nothing to add
                            }
                            int wb = wk + ic * outC;
                            for (int oc = 0; oc < outC; oc++) {
                                out[o + oc] += a * p[wb + oc];
                            }
                        }
                    }
                }
                for (int oc = 0; oc < outC; oc++) {
                    out[o + oc] = Math.max(out[o + oc], 0f);
                }
            }
        }
    }

    /**
     * Gradients of a conv layer from dOut (already masked by the ReLU): weights and bias into g,
     * and the input's gradient into dIn (overwritten; skipped when dIn is null).
     */
    static void conv3x3Backward(float[] in, int h, int wd, int inC, float[] p, int wOff, int bOff, int outC,
                                float[] dOut, float[] g, float[] dIn) {
        if (dIn != null) {
            java.util.Arrays.fill(dIn, 0f);
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < wd; x++) {
                int o = (y * wd + x) * outC;
                if (allZero(dOut, o, outC)) {
                    continue;
                }
                for (int oc = 0; oc < outC; oc++) {
                    g[bOff + oc] += dOut[o + oc];
                }
                for (int ky = 0; ky < K; ky++) {
                    int iy = y + ky - 1;
                    if (iy < 0 || iy >= h) {
                        continue;
                    }
                    for (int kx = 0; kx < K; kx++) {
                        int ix = x + kx - 1;
                        if (ix < 0 || ix >= wd) {
                            continue;
                        }
                        int i = (iy * wd + ix) * inC;
                        int wk = wOff + (ky * K + kx) * inC * outC;
                        for (int ic = 0; ic < inC; ic++) {
                            int wb = wk + ic * outC;
                            float a = in[i + ic];
                            if (a != 0f) {
                                for (int oc = 0; oc < outC; oc++) {
                                    g[wb + oc] += a * dOut[o + oc];
                                }
                            }
                            if (dIn != null) {
                                dIn[i + ic] += dot(p, wb, dOut, o, outC);
                            }
                        }
                    }
                }
            }
        }
    }

    /** out = in . W + b (W [in][out]), with ReLU when asked. */
    static void dense(float[] in, int n, float[] p, int wOff, int bOff, int m, float[] out, boolean relu) {
        System.arraycopy(p, bOff, out, 0, m);
        for (int i = 0; i < n; i++) {
            float a = in[i];
            if (a == 0f) {
                continue;
            }
            int wb = wOff + i * m;
            for (int j = 0; j < m; j++) {
                out[j] += a * p[wb + j];
            }
        }
        if (relu) {
            for (int j = 0; j < m; j++) {
                out[j] = Math.max(out[j], 0f);
            }
        }
    }

    /** Gradients of a dense layer from dOut: weights and bias into g, the input's gradient into dIn. */
    static void denseBackward(float[] in, int n, float[] p, int wOff, int bOff, int m, float[] dOut, float[] g,
                              float[] dIn) {
        for (int j = 0; j < m; j++) {
            g[bOff + j] += dOut[j];
        }
        for (int i = 0; i < n; i++) {
            int wb = wOff + i * m;
            float a = in[i];
            if (a != 0f) {
                for (int j = 0; j < m; j++) {
                    g[wb + j] += a * dOut[j];
                }
            }
            dIn[i] = dot(p, wb, dOut, 0, m);
        }
    }

    /** Four partial sums: lets the CPU overlap the adds (the JIT keeps float reductions in order). */
    private static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += a[aOff + j] * b[bOff + j];
            s1 += a[aOff + j + 1] * b[bOff + j + 1];
            s2 += a[aOff + j + 2] * b[bOff + j + 2];
            s3 += a[aOff + j + 3] * b[bOff + j + 3];
        }
        for (; j < n; j++) {
            s0 += a[aOff + j] * b[bOff + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static boolean allZero(float[] a, int off, int n) {
        for (int j = 0; j < n; j++) {
            if (a[off + j] != 0f) {
                return false;
            }
        }
        return true;
    }

    /** 2x2 max pooling, stride 2 (VALID); remembers which input each output came from. */
    static void maxPool2x2(float[] in, int h, int wd, int c, float[] out, int[] from) {
        int oh = h / 2, ow = wd / 2;
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                for (int ch = 0; ch < c; ch++) {
                    int best = ((2 * y) * wd + 2 * x) * c + ch;
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            int i = ((2 * y + dy) * wd + 2 * x + dx) * c + ch;
                            if (in[i] > in[best]) {
                                best = i;
                            }
                        }
                    }
                    int o = (y * ow + x) * c + ch;
                    out[o] = in[best];
                    from[o] = best;
                }
            }
        }
    }

    /** Routes pooled gradients back to the inputs that won the max; the others get 0. */
    static void unpool(float[] dOut, int[] from, float[] dIn) {
        java.util.Arrays.fill(dIn, 0f);
        for (int o = 0; o < dOut.length; o++) {
            dIn[from[o]] += dOut[o];
        }
    }

    /** Zeroes the gradient where the ReLU output was 0. */
    static void reluMask(float[] activation, float[] grad) {
        for (int i = 0; i < grad.length; i++) {
            if (activation[i] <= 0f) {
                grad[i] = 0f;
            }
        }
    }

    /** Softmax of logits into probs; returns the argmax (the first on ties). */
    static int softmax(float[] logits, float[] probs) {
        int best = 0;
        for (int c = 1; c < logits.length; c++) {
            if (logits[c] > logits[best]) {
                best = c;
            }
        }
        float max = logits[best];
        float sum = 0f;
        for (int c = 0; c < logits.length; c++) {
            probs[c] = (float) StrictMath.exp(logits[c] - max);
            sum += probs[c];
        }
        for (int c = 0; c < logits.length; c++) {
            probs[c] /= sum;
        }
        return best;
    }
}
