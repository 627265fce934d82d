// TFLite's MultiplyByQuantizedMultiplier on 4 lanes, bit-exact with requant.h: SSHL (wrapping
// left shift), SQRDMULH (= SaturatingRoundingDoublingHighMul), then gemmlowp's rounding right
// shift: SRSHL rounds ties up, so negative values first get -1 when the shift is non-zero, which
// makes ties go away from zero.
#ifndef QBRIDGE_REQUANT_NEON_H
#define QBRIDGE_REQUANT_NEON_H

#include <arm_neon.h>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace qbridge {

static inline int32x4_t requant_neon(int32x4_t acc, int32x4_t multiplier, int32x4_t left, int32x4_t right_neg,
                                     int32x4_t zero_point) {
  int32x4_t x = vshlq_s32(acc, left);
  x = vqrdmulhq_s32(x, multiplier);
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(x, right_neg), 31);
  x = vqaddq_s32(x, fixup);
  x = vrshlq_s32(x, right_neg);
  return vaddq_s32(x, zero_point);   // wraps, as the reference's int addition
}

// requant_neon with what the kOut* flags of OutParams guarantee for every channel: no SSHL
// when no channel shifts left; SSRA (x + (x >> 31)) for the tie fix-up when every channel shifts
// right (then (x & right_neg) >> 31 == x >> 31, and x != INT32_MIN so the add cannot saturate).
template <bool kLeftShift, bool kAllRightShifts>
static inline int32x4_t requant_neon_fast(int32x4_t acc, int32x4_t multiplier, int32x4_t left, int32x4_t right_neg,
                                          int32x4_t zero_point) {
  int32x4_t x = kLeftShift ? vshlq_s32(acc, left) : acc;
  x = vqrdmulhq_s32(x, multiplier);
  if (kAllRightShifts) {
    x = vsraq_n_s32(x, x, 31);
  } else {
    x = vqaddq_s32(x, vshrq_n_s32(vandq_s32(x, right_neg), 31));
  }
  x = vrshlq_s32(x, right_neg);
  return vaddq_s32(x, zero_point);
}

// Two requantized int32x4 -> 8 int16 clamped to [min, max]. Saturating to int16 first does not
// change the result because the clamp bounds lie inside the int16 range.
static inline int16x8_t narrow_clamp(int32x4_t lo, int32x4_t hi, int16x8_t vmin, int16x8_t vmax) {
  int16x8_t v = vcombine_s16(vqmovn_s32(lo), vqmovn_s32(hi));
  return vminq_s16(vmaxq_s16(v, vmin), vmax);
}

static inline uint8x8_t to_bytes(int16x8_t v, uint8_t*) { return vqmovun_s16(v); }
static inline uint8x8_t to_bytes(int16x8_t v, int8_t*) { return vreinterpret_u8_s8(vqmovn_s16(v)); }

// Stores the first n (<= 8) bytes of v.
static inline void store_partial(void* dst, uint8x8_t v, size_t n) {
  if (n == 8) {
    vst1_u8(static_cast<uint8_t*>(dst), v);
  } else {
    uint8_t tmp[8];
    vst1_u8(tmp, v);
    std::memcpy(dst, tmp, n);
  }
}

// {sum(a0), sum(a1), sum(a2), sum(a3)}
static inline int32x4_t reduce4(int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3) {
#if defined(__aarch64__)
  return vpaddq_s32(vpaddq_s32(a0, a1), vpaddq_s32(a2, a3));
#else
  int32x2_t s0 = vpadd_s32(vget_low_s32(a0), vget_high_s32(a0));
  int32x2_t s1 = vpadd_s32(vget_low_s32(a1), vget_high_s32(a1));
  int32x2_t s2 = vpadd_s32(vget_low_s32(a2), vget_high_s32(a2));
  int32x2_t s3 = vpadd_s32(vget_low_s32(a3), vget_high_s32(a3));
  return vcombine_s32(vpadd_s32(s0, s1), vpadd_s32(s2, s3));
#endif
}

}  // namespace qbridge
#endif
