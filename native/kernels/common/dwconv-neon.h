// NEON depthwise convolution (depth multiplier 1), one output pixel at a time over all channels
// in blocks of CB, taps read through the indirection buffer (padding points at a row of input
// zero points, so it contributes nothing once the zero-point term is folded into the bias).
//   uint8 ("mul16"): input widened to int16 (UXTL), weights stored as int16 (w - w_zp),
//                    SMLAL/SMLAL2 into int32.
//   int8  ("mul8"):  two taps per SMULL + SMLAL in int16 (|a*w| <= 128*127, the pair fits),
//                    then SADDW/SADDW2 into int32.
// TAPS > 0 fixes the tap count at compile time (3x3: 9); TAPS == 0 takes it at run time.
#ifndef QBRIDGE_DWCONV_NEON_H
#define QBRIDGE_DWCONV_NEON_H

#include "requant-neon.h"
#if defined(__aarch64__)
#include "gemm-lane-neon.h"   // narrow16, clamp16
#endif
#include "../../src/kernels.h"

namespace qbridge {

// Requantization parameters of one channel block: loaded per block, or once per call when every
// channel has the same multiplier and shifts (kOutUniform, per-tensor models).
template <int CB>
struct DwRequant {
  int32x4_t mul[CB / 4], left[CB / 4], right[CB / 4];
  inline void load(const int32_t* hdr) {
    for (int i = 0; i < CB / 4; i++) {
      mul[i] = vld1q_s32(hdr + CB + 4 * i);
      left[i] = vld1q_s32(hdr + 2 * CB + 4 * i);
      right[i] = vld1q_s32(hdr + 3 * CB + 4 * i);
    }
  }
};

template <int CB, bool kLeft, bool kRight>
static inline void dw_epilogue(int32x4_t (&acc)[CB / 4], const DwRequant<CB>& rq, const OutParams* p, uint8_t* out,
                               size_t n, bool u8) {
  const int32x4_t vzp = vdupq_n_s32(p->zero_point);
  const int16x8_t vmin = vdupq_n_s16((int16_t)p->act_min);
  const int16x8_t vmax = vdupq_n_s16((int16_t)p->act_max);
  for (int i = 0; i < CB / 8; i++) {
    int32x4_t r0 = requant_neon_fast<kLeft, kRight>(acc[2 * i], rq.mul[2 * i], rq.left[2 * i], rq.right[2 * i], vzp);
    int32x4_t r1 =
        requant_neon_fast<kLeft, kRight>(acc[2 * i + 1], rq.mul[2 * i + 1], rq.left[2 * i + 1], rq.right[2 * i + 1], vzp);
    int16x8_t v = narrow_clamp(r0, r1, vmin, vmax);
    uint8x8_t b = u8 ? vqmovun_s16(v) : vreinterpret_u8_s8(vqmovn_s16(v));
    size_t left = n > (size_t)(8 * i) ? n - 8 * i : 0;
    if (left == 0) break;
    store_partial(out + 8 * i, b, left < 8 ? left : 8);
  }
}

template <int CB, int TAPS, bool kLeft, bool kRight, bool kUniform>
void dwconv_u8_neon_mul16_impl(size_t channels, size_t pixels, const void* const* indirection, size_t taps,
                               const void* w_, void* out_, const OutParams* p) {
  const size_t T = TAPS > 0 ? (size_t)TAPS : taps;
  uint8_t* out = static_cast<uint8_t*>(out_);
  const uint8_t* const* ind = reinterpret_cast<const uint8_t* const*>(indirection);
  DwRequant<CB> rq;
  if (kUniform) rq.load(reinterpret_cast<const int32_t*>(w_));
#if defined(__aarch64__)
  const int32x4_t umul = vdupq_n_s32(reinterpret_cast<const int32_t*>(w_)[CB]);
  const int32x4_t uright = vdupq_n_s32(reinterpret_cast<const int32_t*>(w_)[3 * CB]);
  const int32x4_t uzp = vdupq_n_s32(p->zero_point);
  const uint8x16_t umin = vdupq_n_u8((uint8_t)p->act_min), umax = vdupq_n_u8((uint8_t)p->act_max);
#endif
  for (size_t px = 0; px < pixels; px++, ind += T) {
    const uint8_t* w = static_cast<const uint8_t*>(w_);
    // A fixed tap count keeps the pixel's input pointers in registers across channel blocks.
    const uint8_t* taps_in[TAPS > 0 ? TAPS : 1];
    if (TAPS > 0) {
      for (int t = 0; t < TAPS; t++) taps_in[t] = ind[t];
    }
    for (size_t c = 0; c < channels; c += CB) {
      const int32_t* hdr = reinterpret_cast<const int32_t*>(w);
      const int16_t* wt = reinterpret_cast<const int16_t*>(w + 16 * CB);
      int32x4_t acc[CB / 4];
      for (int i = 0; i < CB / 4; i++) acc[i] = vld1q_s32(hdr + 4 * i);
      for (size_t t = 0; t < T; t++, wt += CB) {
        const uint8_t* in = (TAPS > 0 ? taps_in[t] : ind[t]) + c;
#if defined(__aarch64__)
        if (CB % 16 == 0) {   // one 16-byte load widened in two halves
          for (int i = 0; i < CB / 16; i++) {
            const uint8x16_t a8 = vld1q_u8(in + 16 * i);
            const int16x8_t a0 = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(a8)));
            const int16x8_t a1 = vreinterpretq_s16_u16(vmovl_high_u8(a8));
            const int16x8_t b0 = vld1q_s16(wt + 16 * i), b1 = vld1q_s16(wt + 16 * i + 8);
            acc[4 * i] = vmlal_s16(acc[4 * i], vget_low_s16(a0), vget_low_s16(b0));
            acc[4 * i + 1] = vmlal_high_s16(acc[4 * i + 1], a0, b0);
            acc[4 * i + 2] = vmlal_s16(acc[4 * i + 2], vget_low_s16(a1), vget_low_s16(b1));
            acc[4 * i + 3] = vmlal_high_s16(acc[4 * i + 3], a1, b1);
          }
          continue;
        }
#endif
        for (int i = 0; i < CB / 8; i++) {
          int16x8_t a = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(in + 8 * i)));
          int16x8_t b = vld1q_s16(wt + 8 * i);
          acc[2 * i] = vmlal_s16(acc[2 * i], vget_low_s16(a), vget_low_s16(b));
#if defined(__aarch64__)
          acc[2 * i + 1] = vmlal_high_s16(acc[2 * i + 1], a, b);
#else
          acc[2 * i + 1] = vmlal_s16(acc[2 * i + 1], vget_high_s16(a), vget_high_s16(b));
#endif
        }
      }
      size_t n = channels - c < (size_t)CB ? channels - c : CB;
#if defined(__aarch64__)
      if (kUniform && CB == 16 && n == 16) {   // one multiplier and shift in registers, one 16-byte store
        for (int i = 0; i < 4; i++) acc[i] = requant_neon_fast<false, true>(acc[i], umul, umul, uright, uzp);
        vst1q_u8(out + c, clamp16(narrow16(acc[0], acc[1], acc[2], acc[3], (uint8_t*)nullptr), umin, umax,
                                  (uint8_t*)nullptr));
        w += 16 * CB + T * CB * 2;
        continue;
      }
#endif
      if (!kUniform) rq.load(hdr);
      dw_epilogue<CB, kLeft, kRight>(acc, rq, p, out + c, n, true);
      w += 16 * CB + T * CB * 2;
    }
    out += channels;
  }
}

template <int CB, int TAPS>
void dwconv_u8_neon_mul16(size_t channels, size_t pixels, const void* const* ind, size_t taps, size_t,
                          const void* w, void* out, const OutParams* p) {
  const int32_t f = p->flags;
  const bool left = (f & kOutAnyLeftShift) != 0, right = (f & kOutAllRightShifts) != 0;
  if ((f & kOutUniform) != 0 && !left && right) {
    dwconv_u8_neon_mul16_impl<CB, TAPS, false, true, true>(channels, pixels, ind, taps, w, out, p);
  } else if (left) {
    dwconv_u8_neon_mul16_impl<CB, TAPS, true, false, false>(channels, pixels, ind, taps, w, out, p);
  } else if (right) {
    dwconv_u8_neon_mul16_impl<CB, TAPS, false, true, false>(channels, pixels, ind, taps, w, out, p);
  } else {
    dwconv_u8_neon_mul16_impl<CB, TAPS, false, false, false>(channels, pixels, ind, taps, w, out, p);
  }
}

template <int CB, int TAPS>
void dwconv_s8_neon_mul8(size_t channels, size_t pixels, const void* const* indirection, size_t taps,
                         size_t, const void* w_, void* out_, const OutParams* p) {
  const size_t T = TAPS > 0 ? (size_t)TAPS : taps;
  uint8_t* out = static_cast<uint8_t*>(out_);
  const int8_t* const* ind = reinterpret_cast<const int8_t* const*>(indirection);
  for (size_t px = 0; px < pixels; px++, ind += T) {
    const uint8_t* w = static_cast<const uint8_t*>(w_);
    for (size_t c = 0; c < channels; c += CB) {
      const int32_t* hdr = reinterpret_cast<const int32_t*>(w);
      const int8_t* wt = reinterpret_cast<const int8_t*>(w + 16 * CB);
      int32x4_t acc[CB / 4];
      for (int i = 0; i < CB / 4; i++) acc[i] = vld1q_s32(hdr + 4 * i);
      size_t t = 0;
      for (; t + 2 <= T; t += 2, wt += 2 * CB) {
        const int8_t* in0 = ind[t] + c;
        const int8_t* in1 = ind[t + 1] + c;
        for (int i = 0; i < CB / 8; i++) {
          int16x8_t prod = vmull_s8(vld1_s8(in0 + 8 * i), vld1_s8(wt + 8 * i));
          prod = vmlal_s8(prod, vld1_s8(in1 + 8 * i), vld1_s8(wt + CB + 8 * i));
          acc[2 * i] = vaddw_s16(acc[2 * i], vget_low_s16(prod));
#if defined(__aarch64__)
          acc[2 * i + 1] = vaddw_high_s16(acc[2 * i + 1], prod);
#else
          acc[2 * i + 1] = vaddw_s16(acc[2 * i + 1], vget_high_s16(prod));
#endif
        }
      }
      if (t < T) {
        const int8_t* in0 = ind[t] + c;
        for (int i = 0; i < CB / 8; i++) {
          int16x8_t prod = vmull_s8(vld1_s8(in0 + 8 * i), vld1_s8(wt + 8 * i));
          acc[2 * i] = vaddw_s16(acc[2 * i], vget_low_s16(prod));
          acc[2 * i + 1] = vaddw_s16(acc[2 * i + 1], vget_high_s16(prod));
        }
      }
      size_t n = channels - c < (size_t)CB ? channels - c : CB;
      DwRequant<CB> rq;
      rq.load(hdr);
      if ((p->flags & kOutAllRightShifts) != 0 && (p->flags & kOutAnyLeftShift) == 0) {
        dw_epilogue<CB, false, true>(acc, rq, p, out + c, n, false);
      } else {
        dw_epilogue<CB, true, false>(acc, rq, p, out + c, n, false);
      }
      w += 16 * CB + T * CB;
    }
    out += channels;
  }
}

}  // namespace qbridge
#endif
