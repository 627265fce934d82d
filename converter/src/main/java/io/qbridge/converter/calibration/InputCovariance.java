package io.qbridge.converter.calibration;

import io.qbridge.backend.Executable;
import io.qbridge.backend.javaref.JavaBackend;
import io.qbridge.graph.Graph;
import io.qbridge.graph.OpOptions;
import io.qbridge.graph.Operator;
import io.qbridge.graph.Padding;
import io.qbridge.graph.TensorSpec;
import io.qbridge.plan.Plan;
import io.qbridge.tflite.schema.BuiltinOperator;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * E[x x^T] of the values each weight row of a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED
 * multiplies (its receptive field, padding zeros included), from calibration samples: the
 * "Hessian" that GPTQ-style weight rounding ({@link io.qbridge.converter.quantize.Gptq}) minimizes
 * the output error with. Index order is the weights' own: (ky, kx, input channel) for CONV_2D,
 * (ky, kx) per channel for DEPTHWISE_CONV_2D, input element for FULLY_CONNECTED.
 */
public final class InputCovariance {
    /** The second moments of one layer: {@code groups} matrices of size {@code k} x {@code k} (row-major). */
    public record Moments(int groups, int k, double[][] matrices, long count) {
    }

    /** Receptive fields larger than this are left to plain rounding (a K x K matrix gets large). */
    static final int MAX_K = 1600;

    private InputCovariance() {
    }

    /** Moments by operator index of the float graph. */
    public static Map<Integer, Moments> collect(Graph g, CalibrationData data, int threads, Progress progress) {
        Map<Integer, Acc> accs = new HashMap<>();
        for (Operator op : g.operators()) {
            Acc a = Acc.of(g, op);
            if (a != null) {
                accs.put(op.index(), a);
            }
        }
        if (accs.isEmpty()) {
            return Map.of();
        }
        Plan plan = Calibrator.plan(g);
        int largest = 0;
        for (TensorSpec t : g.tensors()) {
            largest = Math.max(largest, (int) t.elementCount());
        }
        float[] x = new float[largest];
        try (Executable ex = JavaBackend.INSTANCE.compile(plan, threads)) {
            for (int s = 0; s < data.size(); s++) {
                progress.update("covariances", s, data.size());
                Calibrator.run(ex, g, data.samples().get(s));
                for (Map.Entry<Integer, Acc> e : accs.entrySet()) {
                    Operator op = g.operators().get(e.getKey());
                    FloatBuffer fb = ex.tensorBuffer(op.input(0)).asFloatBuffer();
                    fb.get(x, 0, fb.remaining());
                    e.getValue().add(x);
                }
            }
            progress.update("covariances", data.size(), data.size());
        }
        Map<Integer, Moments> result = new HashMap<>();
        accs.forEach((i, a) -> result.put(i, a.moments()));
        return result;
    }

    /** Accumulates x x^T over every output position of one layer. */
    private static final class Acc {
        final int code;
        final int batches;
        final int inH;
        final int inW;
        final int inC;
        final int outH;
        final int outW;
        final int kh;
        final int kw;
        final int strideH;
        final int strideW;
        final int dilH;
        final int dilW;
        final int padTop;
        final int padLeft;
        final int groups;
        final int k;
        final double[][] sums;
        final double[] patch;
        long count;

        private Acc(int code, int batches, int inH, int inW, int inC, int outH, int outW, int kh, int kw, int strideH,
                    int strideW, int dilH, int dilW, int padTop, int padLeft, int groups, int k) {
            this.code = code;
            this.batches = batches;
            this.inH = inH;
            this.inW = inW;
            this.inC = inC;
            this.outH = outH;
            this.outW = outW;
            this.kh = kh;
            this.kw = kw;
            this.strideH = strideH;
            this.strideW = strideW;
            this.dilH = dilH;
            this.dilW = dilW;
            this.padTop = padTop;
            this.padLeft = padLeft;
            this.groups = groups;
            this.k = k;
            this.sums = new double[groups][k * k];
            this.patch = new double[k];
        }

        static Acc of(Graph g, Operator op) {
            int code = op.builtinCode();
            if (op.input(1) < 0 || !g.tensor(op.input(1)).isConstant()) {
                return null;
            }
            TensorSpec in = g.tensor(op.input(0));
            TensorSpec w = g.tensor(op.input(1));
            TensorSpec out = g.tensor(op.output(0));
            if (code == BuiltinOperator.FULLY_CONNECTED) {
                int depth = w.dim(1);
                if (depth > MAX_K) {
                    return null;
                }
                int rows = (int) (in.elementCount() / depth);
                return new Acc(code, rows, 1, 1, depth, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, depth);
            }
            if ((code != BuiltinOperator.CONV_2D && code != BuiltinOperator.DEPTHWISE_CONV_2D) || in.rank() != 4) {
                return null;
            }
            Padding padding;
            int sh;
            int sw;
            int dh;
            int dw;
            if (op.options() instanceof OpOptions.Conv2D c) {
                padding = c.padding();
                sh = c.strideH();
                sw = c.strideW();
                dh = c.dilationH();
                dw = c.dilationW();
            } else if (op.options() instanceof OpOptions.DepthwiseConv2D d) {
                padding = d.padding();
                sh = d.strideH();
                sw = d.strideW();
                dh = d.dilationH();
                dw = d.dilationW();
                if (w.dim(3) != in.dim(3)) {
                    return null;   // depth multiplier > 1: plain rounding
                }
            } else {
                return null;
            }
            int kh = w.dim(1);
            int kw = w.dim(2);
            int inC = in.dim(3);
            boolean depthwise = code == BuiltinOperator.DEPTHWISE_CONV_2D;
            int k = depthwise ? kh * kw : kh * kw * inC;
            if (k > MAX_K) {
                return null;
            }
            int outH = out.dim(1);
            int outW = out.dim(2);
            int padTop = padBefore(padding, in.dim(1), kh, sh, dh, outH);
            int padLeft = padBefore(padding, in.dim(2), kw, sw, dw, outW);
            return new Acc(code, in.dim(0), in.dim(1), in.dim(2), inC, outH, outW, kh, kw, sh, sw, dh, dw, padTop,
                    padLeft, depthwise ? inC : 1, k);
        }

        /** TFLite's padding before (top/left) for SAME; the odd pixel goes after. */
        static int padBefore(Padding padding, int in, int filter, int stride, int dilation, int out) {
            if (padding == Padding.VALID) {
                return 0;
            }
            int effective = (filter - 1) * dilation + 1;
            return Math.max((out - 1) * stride + effective - in, 0) / 2;
        }

        void add(float[] x) {
            boolean depthwise = code == BuiltinOperator.DEPTHWISE_CONV_2D;
            for (int b = 0; b < batches; b++) {
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        for (int gr = 0; gr < groups; gr++) {
                            int n = 0;
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = oy * strideH - padTop + ky * dilH;
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = ox * strideW - padLeft + kx * dilW;
                                    boolean inside = iy >= 0 && iy < inH && ix >= 0 && ix < inW;
                                    int base = ((b * inH + iy) * inW + ix) * inC;
                                    if (depthwise) {
                                        patch[n++] = inside ? x[base + gr] : 0;
                                    } else {
                                        for (int c = 0; c < inC; c++) {
                                            patch[n++] = inside ? x[base + c] : 0;
                                        }
                                    }
                                }
                            }
                            accumulate(sums[gr]);
                        }
                        count++;
                    }
                }
            }
        }

        private void accumulate(double[] m) {
            double[] p = patch;
            int kk = k;
            for (int i = 0; i < kk; i++) {
                double pi = p[i];
                if (pi == 0) {
                    continue;
                }
                int row = i * kk;
                for (int j = i; j < kk; j++) {
                    m[row + j] += pi * p[j];
                }
            }
        }

        Moments moments() {
            double[][] m = new double[groups][];
            for (int gr = 0; gr < groups; gr++) {
                double[] s = sums[gr];
                double[] full = new double[k * k];
                for (int i = 0; i < k; i++) {
                    for (int j = i; j < k; j++) {
                        double v = s[i * k + j] / Math.max(1, count);
                        full[i * k + j] = v;
                        full[j * k + i] = v;
                    }
                }
                m[gr] = full;
            }
            return new Moments(groups, k, m, count);
        }
    }
}
