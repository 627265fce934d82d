package io.qbridge.numerics;

/**
 * TFLite's integer requantization primitives, bit-exact (see NUMERICS.md in the shared docs;
 * sources: tensorflow/lite/kernels/internal/common.h and quantization_util.cc, gemmlowp
 * fixedpoint/fixedpoint.h).
 */
public final class FixedPoint {
    private FixedPoint() {
    }

    /**
     * TFLite's {@code QuantizeMultiplier}: m = q * 2^(shift - 31) with q in [2^30, 2^31). Returns
     * {q, shift}; (0, 0) for m = 0 or a multiplier too small to represent.
     */
    public static int[] quantizeMultiplier(double m) {
        if (m == 0.0) {
            return new int[] {0, 0};
        }
        if (!(m > 0) || Double.isInfinite(m)) {
            throw new IllegalArgumentException("multiplier must be positive and finite, got " + m);
        }
        int shift = Math.getExponent(m) + 1;           // frexp: m = f * 2^shift, f in [0.5, 1)
        double f = m / Math.pow(2.0, shift);
        if (f < 0.5) {                                   // subnormal m: normalise like frexp
            while (f < 0.5) {
                f *= 2;
                shift--;
            }
        }
        long q = Math.round(f * (1L << 31));              // f > 0: Math.round is round-half-up = away from zero
        if (q == (1L << 31)) {
            q /= 2;
            shift++;
        }
        if (shift < -31) {
            return new int[] {0, 0};
        }
        if (shift > 30) {
            throw new IllegalArgumentException("multiplier " + m + " is too large (shift " + shift + ")");
        }
        return new int[] {(int) q, shift};
    }

    /** gemmlowp's SaturatingRoundingDoublingHighMul (ARM's SQRDMULH). */
    public static int saturatingRoundingDoublingHighMul(int a, int b) {
        if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) {
            return Integer.MAX_VALUE;
        }
        long ab = (long) a * b;
        long nudge = ab >= 0 ? (1L << 30) : (1 - (1L << 30));
        return (int) ((ab + nudge) / (1L << 31));         // Java's / truncates toward zero, as C++
    }

    /** gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero. */
    public static int roundingDivideByPOT(int x, int exponent) {
        int mask = (int) ((1L << exponent) - 1);
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /** TFLite's MultiplyByQuantizedMultiplier (the default, double-rounding variant). */
    public static int multiplyByQuantizedMultiplier(int x, int quantizedMultiplier, int shift) {
        int leftShift = shift > 0 ? shift : 0;
        int rightShift = shift > 0 ? 0 : -shift;
        return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x * (1 << leftShift), quantizedMultiplier),
                rightShift);
    }

    /** TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp (shift <= 0). */
    public static int multiplyByQuantizedMultiplierSmallerThanOneExp(int x, int quantizedMultiplier, int shift) {
        return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, quantizedMultiplier), -shift);
    }

    /** TFLite's MultiplyByQuantizedMultiplierGreaterThanOne (left shift >= 0). */
    public static int multiplyByQuantizedMultiplierGreaterThanOne(int x, int quantizedMultiplier, int leftShift) {
        return saturatingRoundingDoublingHighMul(x * (1 << leftShift), quantizedMultiplier);
    }
}
