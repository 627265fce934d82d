package io.qbridge.numerics;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GemmlowpFixedPoint} the way gemmlowp's {@code test/test_fixedpoint.cc} tests its
 * fixedpoint.h: every function on the same test values (powers of two and their neighbours, the
 * int32 extremes, random values), clamped to the function's input range, compared with a double
 * reference rounded to raw fixed point, within gemmlowp's own tolerances in raw units (exp 500,
 * tanh 310, logistic 155, 1/(1+x) 6, (1-x)/(1+x) 12; rounding shifts exact). Exact raw values
 * printed by gemmlowp's fixedpoint.h (commit 16e8662, compiled locally) pin the bits.
 */
class GemmlowpFixedPointTest {
    private static final int MIN = Integer.MIN_VALUE;
    private static final int MAX = Integer.MAX_VALUE;

    /** test_fixedpoint.cc's MakeTestVals: +-(2^i) + {-2..2}, the extremes, and random values. */
    static List<Integer> testValues() {
        List<Integer> v = new ArrayList<>();
        for (int i = 0; i < 31; i++) {
            for (int d = -2; d <= 2; d++) {
                v.add((1 << i) + d);
                v.add(-(1 << i) + d);
            }
        }
        for (int x : new int[] {MIN, MIN + 1, MIN + 2, MAX - 2, MAX - 1, MAX}) {
            v.add(x);
        }
        Random r = new Random(20240229L);
        for (int i = 0; i < 2000; i++) {
            v.add(r.nextInt());
        }
        return v;
    }

    /** gemmlowp's FixedPoint::FromDouble: round(x * 2^fractionalBits), clamped to int32. */
    static int fromDouble(double x, int integerBits) {
        double scaled = x * Math.pow(2, 31 - integerBits);
        double raw = Math.signum(scaled) * Math.floor(Math.abs(scaled) + 0.5);     // round(): halves away from 0
        return (int) Math.max(MIN, Math.min(MAX, raw));
    }

    static double toDouble(int raw, int integerBits) {
        return raw / Math.pow(2, 31 - integerBits);
    }

    private static void check(String name, IntUnaryOperator op, DoubleUnaryOperator reference, int inputBits,
                              int minInput, int maxInput, int tolerance) {
        for (int x0 : testValues()) {
            int x = Math.max(minInput, Math.min(maxInput, x0));
            int expected = fromDouble(reference.applyAsDouble(toDouble(x, inputBits)), 0);
            int actual = op.applyAsInt(x);
            long diff = Math.abs((long) actual - expected);
            assertTrue(diff <= tolerance, name + "(" + x + ") = " + actual + ", reference " + expected);
        }
    }

    @Test
    void roundingDivideByPOTIsExact() {
        for (int s = 0; s < 31; s++) {
            int e = s;
            for (int x : testValues()) {
                long expected = Math.round(Math.abs((double) x) / Math.pow(2, e)) * (x < 0 ? -1 : 1);
                assertEquals(expected, FixedPoint.roundingDivideByPOT(x, e), "x=" + x + " e=" + e);
            }
        }
    }

    @Test
    void saturatingRoundingMultiplyByPOTIsExact() {
        for (int e : new int[] {-15, -4, -3, -2, -1, 0, 1, 2, 3, 4, 15}) {
            for (int x : testValues()) {
                double d = Math.max(MIN, Math.min(MAX, x * Math.pow(2, e)));
                long expected = Math.round(Math.abs(d)) * (d < 0 ? -1 : 1);
                assertEquals(expected, GemmlowpFixedPoint.saturatingRoundingMultiplyByPOT(x, e), "x=" + x + " e=" + e);
            }
        }
    }

    @Test
    void expOnIntervalBetweenNegativeOneQuarterAnd0ExclWithinGemmlowpTolerance() {
        check("exp_on_interval", GemmlowpFixedPoint::expOnIntervalBetweenNegativeOneQuarterAnd0Excl, Math::exp, 0,
                -(1 << 29), 0, 500);
    }

    @Test
    void expOnNegativeValuesWithinGemmlowpTolerance() {
        for (int k = 0; k <= 6; k++) {
            int bits = k;
            check("exp_on_negative_values<" + k + ">", x -> GemmlowpFixedPoint.expOnNegativeValues(x, bits), Math::exp,
                    bits, MIN, 0, 500);
        }
    }

    @Test
    void tanhAndLogisticWithinGemmlowpTolerance() {
        for (int k = 0; k <= 6; k++) {
            int bits = k;
            check("tanh<" + k + ">", x -> GemmlowpFixedPoint.tanh(x, bits), Math::tanh, bits, MIN, MAX, 310);
            check("logistic<" + k + ">", x -> GemmlowpFixedPoint.logistic(x, bits), d -> 1 / (1 + Math.exp(-d)),
                    bits, MIN, MAX, 155);
        }
    }

    @Test
    void reciprocalsWithinGemmlowpTolerance() {
        check("one_over_one_plus_x", GemmlowpFixedPoint::oneOverOnePlusXForXIn01, d -> 1 / (1 + d), 0, 0, MAX, 6);
        check("one_minus_x_over_one_plus_x", GemmlowpFixedPoint::oneMinusXOverOnePlusXForXIn01,
                d -> (1 - d) / (1 + d), 0, 0, MAX, 12);
    }

    /** Raw values printed by gemmlowp's fixedpoint.h itself. */
    @Test
    void exactValuesOfGemmlowp() {
        // exp_on_negative_values<5> (SOFTMAX's Q5.26): -2^-26, -0.5, -1, -2, -16, below -32
        assertEquals(2147483124, GemmlowpFixedPoint.expOnNegativeValues(-1, 5));
        assertEquals(1302515042, GemmlowpFixedPoint.expOnNegativeValues(-33554432, 5));
        assertEquals(790015308, GemmlowpFixedPoint.expOnNegativeValues(-67108864, 5));
        assertEquals(290630390, GemmlowpFixedPoint.expOnNegativeValues(-134217728, 5));
        assertEquals(242, GemmlowpFixedPoint.expOnNegativeValues(-1073741824, 5));
        assertEquals(0, GemmlowpFixedPoint.expOnNegativeValues(-2147483647, 5));
        assertEquals(GemmlowpFixedPoint.ONE_Q0, GemmlowpFixedPoint.expOnNegativeValues(0, 5));
        // tanh<5> and logistic<5>
        assertEquals(-276, GemmlowpFixedPoint.tanh(-1, 5));
        assertEquals(1073741693, GemmlowpFixedPoint.logistic(-1, 5));
        assertEquals(-992388804, GemmlowpFixedPoint.tanh(-33554432, 5));
        assertEquals(810762557, GemmlowpFixedPoint.logistic(-33554432, 5));
        assertEquals(-2070233436, GemmlowpFixedPoint.tanh(-134217728, 5));
        assertEquals(255986385, GemmlowpFixedPoint.logistic(-134217728, 5));
        assertEquals(-2147483647, GemmlowpFixedPoint.tanh(-1073741824, 5));
        assertEquals(241, GemmlowpFixedPoint.logistic(-1073741824, 5));
        // tanh<4> and logistic<4> (LOGISTIC and TANH's Q4.27): +-2^-27, +-1, 2 - 2^-27
        assertEquals(260, GemmlowpFixedPoint.tanh(1, 4));
        assertEquals(1073741948, GemmlowpFixedPoint.logistic(1, 4));
        assertEquals(-260, GemmlowpFixedPoint.tanh(-1, 4));
        assertEquals(1073741699, GemmlowpFixedPoint.logistic(-1, 4));
        assertEquals(1635510876, GemmlowpFixedPoint.tanh(134217728, 4));
        assertEquals(1569936226, GemmlowpFixedPoint.logistic(134217728, 4));
        assertEquals(577547421, GemmlowpFixedPoint.logistic(-134217728, 4));
        assertEquals(2070233436, GemmlowpFixedPoint.tanh(268435455, 4));
        assertEquals(1891497260, GemmlowpFixedPoint.logistic(268435455, 4));
        assertEquals(0, GemmlowpFixedPoint.tanh(0, 4));
        assertEquals(1 << 30, GemmlowpFixedPoint.logistic(0, 4));
        // one_over_one_plus_x and one_minus_x_over_one_plus_x: 0, 0.5, ~1
        assertEquals(2147483647, GemmlowpFixedPoint.oneOverOnePlusXForXIn01(0));
        assertEquals(2147483647, GemmlowpFixedPoint.oneMinusXOverOnePlusXForXIn01(0));
        assertEquals(1431655762, GemmlowpFixedPoint.oneOverOnePlusXForXIn01(1073741824));
        assertEquals(715827876, GemmlowpFixedPoint.oneMinusXOverOnePlusXForXIn01(1073741824));
        assertEquals(1073741820, GemmlowpFixedPoint.oneOverOnePlusXForXIn01(2147483647));
        assertEquals(-8, GemmlowpFixedPoint.oneMinusXOverOnePlusXForXIn01(2147483647));
    }

    /** TFLite's GetReciprocal: x = 1.5 in Q12 gives 1/1.5 with no bits over unit; 6.0 gives (1/1.5) * 2^-2. */
    @Test
    void reciprocalOfSumOfExps() {
        assertEquals(0, GemmlowpFixedPoint.reciprocalBitsOverUnit(3 << 18, 12));   // 1.5 in Q12.19
        assertEquals(1431655762, GemmlowpFixedPoint.reciprocalScale(3 << 18));
        assertEquals(2, GemmlowpFixedPoint.reciprocalBitsOverUnit(3 << 20, 12));   // 6.0
        assertEquals(1431655762, GemmlowpFixedPoint.reciprocalScale(3 << 20));
    }
}
