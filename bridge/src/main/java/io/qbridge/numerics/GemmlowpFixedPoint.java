package io.qbridge.numerics;

/**
 * gemmlowp's scalar fixed-point math on raw int32 values, bit-exact (source of the facts:
 * gemmlowp {@code fixedpoint/fixedpoint.h}; {@code GetReciprocal} from TFLite
 * {@code kernels/internal/common.h}). A value in format Qk ("k integer bits") has raw
 * {@code r} meaning {@code r / 2^(31 - k)}; Q0 covers [-1, 1). Additions wrap like the int32
 * arithmetic gemmlowp compiles to. These functions are what TFLite's quantized SOFTMAX, LOGISTIC
 * and TANH reference kernels are made of.
 */
public final class GemmlowpFixedPoint {
    /** Raw value of 1.0 in Q0 (saturated: 1.0 itself is not representable). */
    public static final int ONE_Q0 = Integer.MAX_VALUE;

    // exp(-1/8) and 1/3 in Q0; 48/17 and -32/17 in Q2 (gemmlowp's constants).
    private static final int EXP_MINUS_ONE_EIGHTH = 1895147668;
    private static final int ONE_THIRD = 715827883;
    private static final int FORTY_EIGHT_OVER_17 = 1515870810;
    private static final int MINUS_32_OVER_17 = -1010580540;

    /** exp(-2^e) in Q0 for e = -2 .. 4, the barrel shifter of exp_on_negative_values. */
    private static final int[] EXP_OF_MINUS_POWER_OF_TWO = {
        1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};

    private GemmlowpFixedPoint() {
    }

    /** Multiplies two fixed-point values: Qa * Qb gives Q(a+b). */
    public static int mul(int a, int b) {
        return FixedPoint.saturatingRoundingDoublingHighMul(a, b);
    }

    /** x * 2^exponent, rounded (exponent < 0) or saturated (exponent > 0). */
    public static int saturatingRoundingMultiplyByPOT(int x, int exponent) {
        if (exponent == 0) {
            return x;
        }
        if (exponent < 0) {
            return FixedPoint.roundingDivideByPOT(x, -exponent);
        }
        int threshold = (1 << (31 - exponent)) - 1;
        if (x > threshold) {
            return Integer.MAX_VALUE;
        }
        if (x < -threshold) {
            return Integer.MIN_VALUE;
        }
        return x << exponent;
    }

    /** Converts a value from Q(srcIntegerBits) to Q(dstIntegerBits). */
    public static int rescale(int raw, int srcIntegerBits, int dstIntegerBits) {
        return saturatingRoundingMultiplyByPOT(raw, srcIntegerBits - dstIntegerBits);
    }

    /** (a + b) / 2 rounded half away from zero, without overflow. */
    public static int roundingHalfSum(int a, int b) {
        long sum = (long) a + b;
        long sign = sum >= 0 ? 1 : -1;
        return (int) ((sum + sign) / 2);
    }

    /** Raw value of 1.0 in Qk (k > 0), or of the saturated one in Q0. */
    public static int one(int integerBits) {
        return integerBits == 0 ? ONE_Q0 : 1 << (31 - integerBits);
    }

    /** exp(a) for a in [-1/4, 0) in Q0: a Taylor expansion around -1/8. */
    public static int expOnIntervalBetweenNegativeOneQuarterAnd0Excl(int a) {
        int x = a + (1 << 28);                         // a + 1/8
        int x2 = mul(x, x);
        int x3 = mul(x2, x);
        int x4 = mul(x2, x2);
        int x4Over4 = saturatingRoundingMultiplyByPOT(x4, -2);
        int poly = saturatingRoundingMultiplyByPOT(mul(x4Over4 + x3, ONE_THIRD) + x2, -1);
        return EXP_MINUS_ONE_EIGHTH + mul(EXP_MINUS_ONE_EIGHTH, x + poly);
    }

    /** exp(a) for a <= 0 given in Q(integerBits); the result is in Q0. */
    public static int expOnNegativeValues(int a, int integerBits) {
        int fractionalBits = 31 - integerBits;
        int oneQuarter = 1 << (fractionalBits - 2);
        int aModQuarterMinusOneQuarter = (a & (oneQuarter - 1)) - oneQuarter;
        int result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(rescale(aModQuarterMinusOneQuarter, integerBits, 0));
        int remainder = aModQuarterMinusOneQuarter - a;
        for (int exponent = -2; exponent <= 4; exponent++) {
            if (integerBits > exponent && (remainder & (1 << (fractionalBits + exponent))) != 0) {
                result = mul(result, EXP_OF_MINUS_POWER_OF_TWO[exponent + 2]);
            }
        }
        if (integerBits > 5 && a < -(1 << (36 - integerBits))) {   // below -32: exp underflows to 0
            result = 0;
        }
        return a == 0 ? ONE_Q0 : result;
    }

    /** 1 / (1 + a) for a in [0, 1) in Q0 (Newton-Raphson, three iterations). */
    public static int oneOverOnePlusXForXIn01(int a) {
        return rescale(newtonReciprocalOfHalfDenominator(a), 1, 0);   // x/2 as Q1 (ExactMulByPot<-1>), then Q0
    }

    /** (1 - a) / (1 + a) for a in [0, 1) in Q0. */
    public static int oneMinusXOverOnePlusXForXIn01(int a) {
        return rescale(newtonReciprocalOfHalfDenominator(a) - one(2), 2, 0);
    }

    /** 1 / ((1 + a) / 2) in Q2, the common core of the two functions above. */
    private static int newtonReciprocalOfHalfDenominator(int a) {
        int halfDenominator = roundingHalfSum(a, ONE_Q0);
        int x = FORTY_EIGHT_OVER_17 + mul(halfDenominator, MINUS_32_OVER_17);
        for (int i = 0; i < 3; i++) {
            int halfDenominatorTimesX = mul(halfDenominator, x);
            int oneMinusHalfDenominatorTimesX = one(2) - halfDenominatorTimesX;
            x = x + rescale(mul(x, oneMinusHalfDenominatorTimesX), 4, 2);
        }
        return x;
    }

    /** tanh(a) for a in Q(integerBits); the result is in Q0. */
    public static int tanh(int a, int integerBits) {
        if (a == 0) {
            return 0;
        }
        boolean negative = a < 0;
        int n = negative ? a : -a;
        // exp(2n) reads n as Q(integerBits + 1): ExactMulByPot<1>.
        int t = oneMinusXOverOnePlusXForXIn01(expOnNegativeValues(n, integerBits + 1));
        return negative ? -t : t;
    }

    /** logistic(a) = 1 / (1 + exp(-a)) for a in Q(integerBits); the result is in Q0. */
    public static int logistic(int a, int integerBits) {
        if (a == 0) {
            return 1 << 30;
        }
        boolean positive = a > 0;
        int absInput = positive ? a : -a;
        int resultIfPositive = oneOverOnePlusXForXIn01(expOnNegativeValues(-absInput, integerBits));
        return positive ? resultIfPositive : ONE_Q0 - resultIfPositive;
    }

    /**
     * TFLite's {@code GetReciprocal}, first half: for a positive x in Q(xIntegerBits), the number of
     * bits above the unit, so that 1/x = {@link #reciprocalScale(int)} * 2^-bitsOverUnit.
     */
    public static int reciprocalBitsOverUnit(int x, int xIntegerBits) {
        return xIntegerBits - Integer.numberOfLeadingZeros(x);
    }

    /**
     * TFLite's {@code GetReciprocal}, second half: x shifted to [1, 2) (as 1 + f, f in Q0), and
     * 1 / (1 + f) in Q0.
     */
    public static int reciprocalScale(int x) {
        int shiftedSumMinusOne = (x << Integer.numberOfLeadingZeros(x)) - Integer.MIN_VALUE;   // uint32: minus 2^31
        return oneOverOnePlusXForXIn01(shiftedSumMinusOne);
    }
}
