package io.qbridge.converter.quantize;

import io.qbridge.DataType;
import io.qbridge.QuantParams;
import io.qbridge.converter.calibration.InputCovariance;
import io.qbridge.graph.TensorSpec;
import io.qbridge.tflite.schema.BuiltinOperator;

/**
 * Weight rounding that minimizes the layer's output error instead of each weight's own error
 * (GPTQ: Frantar et al. 2023, after Optimal Brain Quantization): the weights of a row are rounded
 * one input at a time, and each rounding error is spread over the inputs not yet rounded in the
 * proportion that E[x x^T] says cancels it best. Scales and zero points are chosen beforehand and
 * do not change, so the result is an ordinary uint8/int8 tensor.
 */
public final class Gptq {
    /** Damping added to the diagonal, relative to its mean (GPTQ's default). */
    static final double DAMPING = 0.01;

    /**
     * GPTQ needs E[x x^T] from several times as many receptive fields as it has entries per row: from
     * fewer, the matrix is rank-deficient and rounding errors get pushed into directions calibration
     * never saw (a logits layer fed by global pooling gets one field per image).
     */
    static final int FIELDS_PER_INPUT = 4;

    private Gptq() {
    }

    /**
     * The weights of a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED layer rounded with the
     * parameters of {@code plain} (each depthwise channel is a row of its own, with its own input
     * covariance), or {@code plain} itself when the covariance is missing, too thin, of another
     * shape, or unusable.
     *
     * @param type the weights' type (UINT8 or INT8, whose weights leave -128 out)
     */
    static WeightQuantizer.Quantized roundLayer(int code, TensorSpec spec, float[] w, WeightQuantizer.Quantized plain,
                                                InputCovariance.Moments cov, DataType type) {
        if (cov == null || cov.count() < (long) FIELDS_PER_INPUT * cov.k()) {
            return plain;
        }
        QuantParams p = plain.params();
        int[] q = plain.values().clone();
        int qmin = type == DataType.UINT8 ? 0 : -WeightQuantizer.INT8_WEIGHT_MAX;
        int qmax = type == DataType.UINT8 ? 255 : WeightQuantizer.INT8_WEIGHT_MAX;
        boolean ok = true;
        if (code == BuiltinOperator.DEPTHWISE_CONV_2D) {
            int channels = spec.dim(3);
            if (cov.groups() != channels || cov.k() != spec.dim(1) * spec.dim(2)) {
                return plain;
            }
            for (int c = 0; c < channels && ok; c++) {
                int pc = p.isPerChannel() ? c : 0;
                ok = round(w, q, c, 1, 0, cov.k(), channels, cov.matrices()[c], new float[] {p.scale(pc)},
                        new int[] {p.zeroPoint(pc)}, qmin, qmax);
            }
        } else {
            int rows = spec.dim(0);
            int cols = (int) (spec.elementCount() / rows);
            if (cov.groups() != 1 || cov.k() != cols) {
                return plain;
            }
            float[] scales = new float[rows];
            int[] zeros = new int[rows];
            for (int r = 0; r < rows; r++) {
                scales[r] = p.isPerChannel() ? p.scale(r) : p.scale();
                zeros[r] = p.isPerChannel() ? p.zeroPoint(r) : p.zeroPoint();
            }
            ok = round(w, q, 0, rows, cols, cols, 1, cov.matrices()[0], scales, zeros, qmin, qmax);
        }
        return ok ? new WeightQuantizer.Quantized(q, p) : plain;
    }

    /**
     * Rounds {@code rows} x {@code cols} weights, element (r, j) at
     * {@code w[offset + r * rowStride + j * colStride]}, into {@code q} (same layout).
     *
     * @param h     E[x x^T], cols x cols, row-major
     * @param scale per row
     * @param zero  per row
     * @return false when h is unusable (nothing written)
     */
    public static boolean round(float[] w, int[] q, int offset, int rows, int rowStride, int cols, int colStride,
                                double[] h, float[] scale, int[] zero, int qmin, int qmax) {
        double[] u = upperFactorOfInverse(h, cols);
        if (u == null) {
            return false;
        }
        double[] row = new double[cols];
        for (int r = 0; r < rows; r++) {
            int base = offset + r * rowStride;
            for (int j = 0; j < cols; j++) {
                row[j] = w[base + j * colStride];
            }
            double s = scale[r];
            int z = zero[r];
            for (int j = 0; j < cols; j++) {
                double v = row[j] / s;
                long rounded = (long) (Math.signum(v) * Math.floor(Math.abs(v) + 0.5));
                int qv = (int) Math.max(qmin, Math.min(qmax, rounded + z));
                q[base + j * colStride] = qv;
                double err = (row[j] - s * (qv - z)) / u[j * cols + j];
                int uRow = j * cols;
                for (int k = j + 1; k < cols; k++) {
                    row[k] -= err * u[uRow + k];
                }
            }
        }
        return true;
    }

    /**
     * U with (H + damping)^-1 = U^T U, U upper triangular (row-major, n x n), or null when H is not
     * usable. Inputs that were always zero get a unit diagonal.
     */
    static double[] upperFactorOfInverse(double[] h, int n) {
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += h[i * n + i];
        }
        mean /= n;
        if (!(mean > 0) || Double.isInfinite(mean)) {
            return null;
        }
        for (double damping = DAMPING; damping <= 10; damping *= 10) {
            double[] a = h.clone();
            for (int i = 0; i < n; i++) {
                if (a[i * n + i] == 0) {
                    a[i * n + i] = mean;
                }
                a[i * n + i] += damping * mean;
            }
            double[] l = cholesky(a, n);
            if (l == null) {
                continue;
            }
            double[] inv = inverseFromCholesky(l, n);
            double[] l2 = cholesky(inv, n);
            if (l2 == null) {
                continue;
            }
            double[] u = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    u[j * n + i] = l2[i * n + j];
                }
            }
            return u;
        }
        return null;
    }

    /** Lower L with A = L L^T, or null when A is not positive definite. */
    static double[] cholesky(double[] a, int n) {
        double[] l = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = a[i * n + j];
                for (int k = 0; k < j; k++) {
                    sum -= l[i * n + k] * l[j * n + k];
                }
                if (i == j) {
                    if (!(sum > 0)) {
                        return null;
                    }
                    l[i * n + i] = Math.sqrt(sum);
                } else {
                    l[i * n + j] = sum / l[j * n + j];
                }
            }
        }
        return l;
    }

    /** A^-1 = L^-T L^-1 from A's lower Cholesky factor. */
    static double[] inverseFromCholesky(double[] l, int n) {
        double[] linv = new double[n * n];
        for (int i = 0; i < n; i++) {
            linv[i * n + i] = 1 / l[i * n + i];
            for (int j = 0; j < i; j++) {
                double sum = 0;
                for (int k = j; k < i; k++) {
                    sum -= l[i * n + k] * linv[k * n + j];
                }
                linv[i * n + j] = sum / l[i * n + i];
            }
        }
        double[] inv = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = 0;
                for (int k = i; k < n; k++) {
                    sum += linv[k * n + i] * linv[k * n + j];
                }
                inv[i * n + j] = sum;
                inv[j * n + i] = sum;
            }
        }
        return inv;
    }
}
