// TFLite's integer requantization (quantization_util / common.h), bit for bit, scalar. Every
// vector kernel is checked against these.
#ifndef QBRIDGE_REQUANT_H
#define QBRIDGE_REQUANT_H

#include <cstdint>

namespace qbridge {

// gemmlowp SaturatingRoundingDoublingHighMul (= SQRDMULH).
static inline int32_t srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  int64_t ab = (int64_t)a * b;
  int64_t nudge = ab >= 0 ? (int64_t(1) << 30) : (1 - (int64_t(1) << 30));
  return (int32_t)((ab + nudge) / (int64_t(1) << 31));
}

// gemmlowp RoundingDivideByPOT: round to nearest, ties away from zero.
static inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  int32_t mask = (int32_t)((int64_t(1) << exponent) - 1);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// RoundingDivideByPOT as the Java reference computes it, with Java's shift semantics for exponents
// >= 32 (shift counts masked to 5 bits), reachable only through SOFTMAX's reciprocal of a wrapped
// sum; ADD's rescaling uses it too.
static inline int32_t rdbypot_java(int32_t x, int exponent) {
  int32_t mask = (int32_t)(((int64_t)1 << (exponent & 63)) - 1);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> (exponent & 31)) + (remainder > threshold ? 1 : 0);
}

// MultiplyByQuantizedMultiplier with the shift split as the kernels store it: left >= 0,
// right_neg <= 0. The left shift wraps like the Java reference's int multiplication.
static inline int32_t mbqm(int32_t x, int32_t multiplier, int32_t left, int32_t right_neg) {
  int32_t shifted = (int32_t)((uint32_t)x << left);
  return rounding_divide_by_pot(srdhm(shifted, multiplier), -right_neg);
}

// Wrapping int32 arithmetic (the reference accumulates in Java ints, which wrap).
static inline int32_t wrap_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t wrap_mul(int32_t a, int32_t b) { return (int32_t)((uint32_t)a * (uint32_t)b); }

static inline int32_t clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace qbridge
#endif
