// Quantized ADD of two same-shape uint8/int8 tensors, 16 elements per step: each input is offset,
// shifted left and rescaled (TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp), the sum
// rescaled to the output and clamped, with the exact lane arithmetic of requant-neon.h.
#include "../common/requant-neon.h"
#include "../../src/kernels.h"

namespace qbridge {

static inline void vadd8(int16x8_t x1, int16x8_t x2, const VaddParams* p, int32x4_t (&out)[2]) {
  const int32x4_t zero = vdupq_n_s32(0);
  const int32x4_t left = vdupq_n_s32(p->left_shift);
  const int32x4_t off1 = vdupq_n_s32(p->input1_offset), off2 = vdupq_n_s32(p->input2_offset);
  const int32x4_t m1 = vdupq_n_s32(p->input1_multiplier), m2 = vdupq_n_s32(p->input2_multiplier);
  const int32x4_t r1 = vdupq_n_s32(p->input1_shift), r2 = vdupq_n_s32(p->input2_shift);
  const int32x4_t mo = vdupq_n_s32(p->output_multiplier), ro = vdupq_n_s32(p->output_shift);
  const int32x4_t zo = vdupq_n_s32(p->output_offset);
  int32x4_t a_lo = requant_neon(vaddw_s16(off1, vget_low_s16(x1)), m1, left, r1, zero);
  int32x4_t a_hi = requant_neon(vaddw_s16(off1, vget_high_s16(x1)), m1, left, r1, zero);
  int32x4_t b_lo = requant_neon(vaddw_s16(off2, vget_low_s16(x2)), m2, left, r2, zero);
  int32x4_t b_hi = requant_neon(vaddw_s16(off2, vget_high_s16(x2)), m2, left, r2, zero);
  out[0] = requant_neon(vaddq_s32(a_lo, b_lo), mo, zero, ro, zo);
  out[1] = requant_neon(vaddq_s32(a_hi, b_hi), mo, zero, ro, zo);
}

void q8_vadd_minmax_neon(bool u8, size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const VaddParams* p) {
  const int16x8_t vmin = vdupq_n_s16((int16_t)p->act_min), vmax = vdupq_n_s16((int16_t)p->act_max);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    int16x8_t x1, x2;
    if (u8) {
      x1 = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(a + i)));
      x2 = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(b + i)));
    } else {
      x1 = vmovl_s8(vld1_s8(reinterpret_cast<const int8_t*>(a + i)));
      x2 = vmovl_s8(vld1_s8(reinterpret_cast<const int8_t*>(b + i)));
    }
    int32x4_t r[2];
    vadd8(x1, x2, p, r);
    int16x8_t v = narrow_clamp(r[0], r[1], vmin, vmax);
    vst1_u8(out + i, u8 ? vqmovun_s16(v) : vreinterpret_u8_s8(vqmovn_s16(v)));
  }
  if (i < n) {   // the last < 8 elements through a staging buffer
    uint8_t ta[8] = {0}, tb[8] = {0};
    for (size_t k = 0; k < n - i; k++) ta[k] = a[i + k], tb[k] = b[i + k];
    int16x8_t x1 = u8 ? vreinterpretq_s16_u16(vmovl_u8(vld1_u8(ta))) : vmovl_s8(vld1_s8(reinterpret_cast<int8_t*>(ta)));
    int16x8_t x2 = u8 ? vreinterpretq_s16_u16(vmovl_u8(vld1_u8(tb))) : vmovl_s8(vld1_s8(reinterpret_cast<int8_t*>(tb)));
    int32x4_t r[2];
    vadd8(x1, x2, p, r);
    int16x8_t v = narrow_clamp(r[0], r[1], vmin, vmax);
    store_partial(out + i, u8 ? vqmovun_s16(v) : vreinterpret_u8_s8(vqmovn_s16(v)), n - i);
  }
}

}  // namespace qbridge
