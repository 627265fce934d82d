package io.qbridge.trainer;

/**
 * The default model's network and its per-sample forward and backward passes, in plain Java:
 * <pre>
 *   input [28,28,1] -> CONV 3x3 SAME (c1, ReLU) -> MAX_POOL 2x2 -> CONV 3x3 SAME (c2, ReLU) -> MAX_POOL 2x2
 *   -> flatten [7*7*c2] -> FULLY_CONNECTED (hidden, ReLU) -> FULLY_CONNECTED (10) -> softmax
 * </pre>
 * ({@code hidden = 0} drops the hidden layer.) The default's 128 hidden units hold 100k of its 103k
 * parameters: weights then dominate the file, so the 8-bit model is about 0.26 of the float one
 * (with 10k parameters the fixed flatbuffer overhead would push that past 0.3).
 * <p>
 * <b>Layouts.</b> All parameters live in one float array so one optimizer step covers them: conv
 * filters [outC][inC][kh][kw], fully-connected weights [in][out]. {@link TfliteExport} transposes
 * them to TFLite's layouts. Convolutions work on channel planes with a zero border: with
 * P = width + 2, input pixel (y, x) sits at (y + 1) * P + x + 1 of its bordered plane, output
 * pixel (y, x) at y * P + x of its own output plane (an array per channel), and tap (ky, kx) of a
 * 3x3 filter reads the input plane shifted by ky * P + kx. Each shifted plane is copied once into a
 * column array, so that every multiply-add runs over two arrays from index 0: JDK 17's JIT
 * vectorizes such loops, and not loops whose arrays start at different offsets. Output columns
 * x = width and width + 1 are scratch (zeroed after each layer). The last pooling writes NHWC
 * order, as TFLite's RESHAPE flattens.
 * <p>
 * With a {@link FakeQuant} set, the forward pass quantizes activations the way the 8-bit model will
 * (weights are rounded by the caller, see {@link Workspace#weights}); the backward pass lets
 * gradients through unchanged (straight-through).
 */
public final class DigitCnn {
    public static final int K = 3;

    /** The shape of the network. */
    public record Architecture(int size, int conv1, int conv2, int hidden, int classes) {
        public Architecture {
            if (size % 4 != 0 || size < 4 || conv1 < 1 || conv2 < 1 || hidden < 0 || classes < 2) {
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

    /** Geometry of a bordered channel plane for a side of {@code size} pixels. */
    static final class Plane {
        final int size;
        /** Row pitch: size + 2. */
        final int pitch;
        /** Floats of one bordered input plane (plus 2 so the scratch columns of the last row can read). */
        final int bordered;
        /** Floats of one output plane: size rows of pitch. */
        final int out;

        Plane(int size) {
            this.size = size;
            this.pitch = size + 2;
            this.bordered = pitch * pitch + 2;
            this.out = size * pitch;
        }

        /** Index in a bordered input plane of pixel (y, x). */
        int inside(int y, int x) {
            return (y + 1) * pitch + x + 1;
        }
    }

    final Architecture arch;
    final Plane plane1;
    final Plane plane2;
    /** Offsets into {@link #params} of each weight and bias block. */
    final int w1, b1, w2, b2, w3, b3, w4, b4, paramCount;
    final float[] params;

    public DigitCnn(Architecture arch) {
        this.arch = arch;
        this.plane1 = new Plane(arch.size());
        this.plane2 = new Plane(arch.pooled1());
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
        /** The input image, row-major (what {@link SyntheticDigits.Dataset#input} fills). */
        final float[] x = new float[arch.size() * arch.size()];
        final float[] xPlane = new float[plane1.bordered];
        final float[][] col1 = new float[K * K][plane1.out];
        final float[][] a1 = new float[arch.conv1()][plane1.out];
        final float[] p1 = new float[arch.conv1() * plane2.bordered];
        final int[] p1From = new int[arch.conv1() * arch.pooled1() * arch.pooled1()];
        final float[][] col2 = new float[K * K * arch.conv1()][plane2.out];
        final float[][] a2 = new float[arch.conv2()][plane2.out];
        final float[] p2 = new float[arch.flat()];
        final int[] p2From = new int[p2.length];
        final float[] h = new float[arch.hidden()];
        final float[] logits = new float[arch.classes()];
        final float[] probs = new float[arch.classes()];

        final float[] dLogits = new float[arch.classes()];
        final float[] dH = new float[arch.hidden()];
        final float[] dP2 = new float[p2.length];
        final float[][] dA2 = new float[arch.conv2()][plane2.out];
        final float[][] dCol2 = new float[K * K * arch.conv1()][plane2.out];
        final float[] dP1 = new float[p1.length];
        final float[][] dA1 = new float[arch.conv1()][plane1.out];
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
        for (int y = 0; y < s; y++) {
            System.arraycopy(ws.x, y * s, ws.xPlane, plane1.inside(y, 0), s);
        }
        conv3x3Relu(ws.xPlane, plane1, 1, w, w1, b1, arch.conv1(), ws.col1, ws.a1);
        if (fq != null) {
            for (float[] plane : ws.a1) {
                fq.activation(FakeQuant.CONV1, plane, ws);
            }
        }
        maxPool2x2(ws.a1, plane1, ws.p1, plane2, ws.p1From);
        conv3x3Relu(ws.p1, plane2, arch.conv1(), w, w2, b2, arch.conv2(), ws.col2, ws.a2);
        if (fq != null) {
            for (float[] plane : ws.a2) {
                fq.activation(FakeQuant.CONV2, plane, ws);
            }
        }
        maxPool2x2(ws.a2, plane2, ws.p2, null, ws.p2From);
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
        if (arch.hidden() > 0) {
            denseBackward(ws.h, arch.hidden(), w, w4, b4, arch.classes(), ws.dLogits, g, ws.dH);
            reluMask(ws.h, ws.dH);
            denseBackward(ws.p2, arch.flat(), w, w3, b3, arch.hidden(), ws.dH, g, ws.dP2);
        } else {
            denseBackward(ws.p2, arch.flat(), w, w4, b4, arch.classes(), ws.dLogits, g, ws.dP2);
        }
        unpool(ws.dP2, arch.pooled2(), null, ws.p2From, ws.dA2);
        reluMask(ws.a2, ws.dA2);
        conv3x3Backward(ws.col2, plane2, arch.conv1(), w, w2, b2, ws.dA2, g, ws.dCol2, ws.dP1);
        unpool(ws.dP1, arch.pooled1(), plane2, ws.p1From, ws.dA1);
        reluMask(ws.a1, ws.dA1);
        conv3x3Backward(ws.col1, plane1, 1, w, w1, b1, ws.dA1, g, null, null);
    }

    // ---- layers ----

    /**
     * SAME 3x3 convolution, stride 1, plus bias, then ReLU: from bordered input planes (flat,
     * {@code inC} of them) through the column arrays (one shifted copy per input channel and tap,
     * filled here) to one output plane per channel (scratch columns zeroed); weights
     * [outC][inC][3][3].
     */
    static void conv3x3Relu(float[] in, Plane pl, int inC, float[] p, int wOff, int bOff, int outC, float[][] col,
                            float[][] out) {
        int n = pl.out;
        for (int ic = 0; ic < inC; ic++) {
            for (int tap = 0; tap < K * K; tap++) {
                System.arraycopy(in, ic * pl.bordered + (tap / K) * pl.pitch + tap % K, col[ic * K * K + tap], 0, n);
            }
        }
        int taps = inC * K * K;
        for (int oc = 0; oc < outC; oc++) {
            float[] o = out[oc];
            java.util.Arrays.fill(o, p[bOff + oc]);
            for (int k = 0; k < taps; k++) {
                float wt = p[wOff + oc * taps + k];
                float[] c = col[k];
                for (int i = 0; i < n; i++) {
                    o[i] += wt * c[i];
                }
            }
            for (int i = 0; i < n; i++) {
                o[i] = Math.max(o[i], 0f);
            }
            for (int y = 0; y < pl.size; y++) {
                o[y * pl.pitch + pl.size] = 0f;
                o[y * pl.pitch + pl.size + 1] = 0f;
            }
        }
    }

    /**
     * Gradients of a conv layer from dOut (one plane per output channel, already masked by the ReLU,
     * scratch columns 0) and the forward pass's column arrays: weights and bias into g, and, when
     * dIn is not null, the gradient of the bordered input planes into dIn (overwritten; its border
     * receives values that belong to no pixel), through the column gradients dCol.
     */
    static void conv3x3Backward(float[][] col, Plane pl, int inC, float[] p, int wOff, int bOff, float[][] dOut,
                                float[] g, float[][] dCol, float[] dIn) {
        int n = pl.out;
        int taps = inC * K * K;
        if (dIn != null) {
            for (float[] d : dCol) {
                java.util.Arrays.fill(d, 0f);
            }
        }
        for (int oc = 0; oc < dOut.length; oc++) {
            float[] d = dOut[oc];
            g[bOff + oc] += sum(d, n);
            for (int k = 0; k < taps; k++) {
                g[wOff + oc * taps + k] += dot(d, col[k], n);
                if (dIn != null) {
                    float wt = p[wOff + oc * taps + k];
                    float[] dc = dCol[k];
                    for (int i = 0; i < n; i++) {
                        dc[i] += wt * d[i];
                    }
                }
            }
        }
        if (dIn != null) {
            java.util.Arrays.fill(dIn, 0f);
            for (int ic = 0; ic < inC; ic++) {
                for (int tap = 0; tap < K * K; tap++) {
                    float[] dc = dCol[ic * K * K + tap];
                    int src = ic * pl.bordered + (tap / K) * pl.pitch + tap % K;
                    for (int i = 0; i < n; i++) {
                        dIn[src + i] += dc[i];
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
            dIn[i] = dot(p, wb, dOut, m);
        }
    }

    /** Eight partial sums: lets the CPU overlap the adds (the JIT keeps float reductions in order). */
    private static float dot(float[] a, float[] b, int n) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
        int j = 0;
        for (; j + 7 < n; j += 8) {
            s0 += a[j] * b[j];
            s1 += a[j + 1] * b[j + 1];
            s2 += a[j + 2] * b[j + 2];
            s3 += a[j + 3] * b[j + 3];
            s4 += a[j + 4] * b[j + 4];
            s5 += a[j + 5] * b[j + 5];
            s6 += a[j + 6] * b[j + 6];
            s7 += a[j + 7] * b[j + 7];
        }
        for (; j < n; j++) {
            s0 += a[j] * b[j];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** {@link #dot(float[], float[], int)} with a starting at aOff. */
    private static float dot(float[] a, int aOff, float[] b, int n) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += a[aOff + j] * b[j];
            s1 += a[aOff + j + 1] * b[j + 1];
            s2 += a[aOff + j + 2] * b[j + 2];
            s3 += a[aOff + j + 3] * b[j + 3];
        }
        for (; j < n; j++) {
            s0 += a[aOff + j] * b[j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static float sum(float[] a, int n) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += a[j];
            s1 += a[j + 1];
            s2 += a[j + 2];
            s3 += a[j + 3];
        }
        for (; j < n; j++) {
            s0 += a[j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * 2x2 max pooling, stride 2 (VALID), from output planes to the bordered planes of the next
     * convolution ({@code next} non-null; borders stay 0) or to NHWC order ({@code next} null).
     * Remembers where in its plane each output's maximum was, indexed channel-major (c, y, x).
     */
    static void maxPool2x2(float[][] in, Plane pl, float[] out, Plane next, int[] from) {
        int c = in.length;
        int oh = pl.size / 2;
        for (int ch = 0; ch < c; ch++) {
            float[] src = in[ch];
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < oh; x++) {
                    int first = 2 * y * pl.pitch + 2 * x;
                    int best = first;
                    if (src[first + 1] > src[best]) {
                        best = first + 1;
                    }
                    if (src[first + pl.pitch] > src[best]) {
                        best = first + pl.pitch;
                    }
                    if (src[first + pl.pitch + 1] > src[best]) {
                        best = first + pl.pitch + 1;
                    }
                    from[(ch * oh + y) * oh + x] = best;
                    out[pooledIndex(ch, y, x, oh, c, next)] = src[best];
                }
            }
        }
    }

    private static int pooledIndex(int ch, int y, int x, int side, int channels, Plane next) {
        return next == null ? (y * side + x) * channels + ch : ch * next.bordered + next.inside(y, x);
    }

    /**
     * Routes pooled gradients (laid out as {@link #maxPool2x2} wrote them, {@code side} x {@code side}
     * per channel) back to the inputs that won the max; the others get 0.
     */
    static void unpool(float[] dOut, int side, Plane next, int[] from, float[][] dIn) {
        int channels = dIn.length;
        for (int ch = 0; ch < channels; ch++) {
            float[] d = dIn[ch];
            java.util.Arrays.fill(d, 0f);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    d[from[(ch * side + y) * side + x]] += dOut[pooledIndex(ch, y, x, side, channels, next)];
                }
            }
        }
    }

    /** Zeroes the gradient where the ReLU output was 0, plane by plane. */
    static void reluMask(float[][] activation, float[][] grad) {
        for (int c = 0; c < grad.length; c++) {
            reluMask(activation[c], grad[c]);
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
