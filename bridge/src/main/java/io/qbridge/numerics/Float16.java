package io.qbridge.numerics;

/** IEEE 754 binary16 (Float.float16ToFloat arrived after Java 17). */
public final class Float16 {
    private Float16() {
    }

    /** Binary16 bits to float, exactly (subnormals, infinities and NaN included). */
    public static float toFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;   // subnormal (or zero): exact in float
            return sign != 0 ? -magnitude : magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
