package io.qbridge.converter.quantize;

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

    private Gptq() {
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
