// aarch64 GEMM with the dot-product extension (SDOT/UDOT; Cortex-A55/A76, Raspberry Pi 5), MR
// rows x 8 columns, 4 k per column block: each SDOT by element multiplies 4 k of one row with
// 4 columns and accumulates 16 products. Compiled only into files built with +dotprod and
// called only when HWCAP_ASIMDDP is set.
#ifndef QBRIDGE_GEMM_C4_NEONDOT_H
#define QBRIDGE_GEMM_C4_NEONDOT_H

#include "requant-neon.h"
#include "../../src/kernels.h"

namespace qbridge {

static inline int32x4_t dot_lane0(int32x4_t acc, int8x16_t b, int8x16_t a) { return vdotq_laneq_s32(acc, b, a, 0); }
static inline int32x4_t dot_lane1(int32x4_t acc, int8x16_t b, int8x16_t a) { return vdotq_laneq_s32(acc, b, a, 1); }
static inline int32x4_t dot_lane2(int32x4_t acc, int8x16_t b, int8x16_t a) { return vdotq_laneq_s32(acc, b, a, 2); }
static inline int32x4_t dot_lane3(int32x4_t acc, int8x16_t b, int8x16_t a) { return vdotq_laneq_s32(acc, b, a, 3); }
static inline int32x4_t dot_lane0(int32x4_t acc, uint8x16_t b, uint8x16_t a) {
  return vreinterpretq_s32_u32(vdotq_laneq_u32(vreinterpretq_u32_s32(acc), b, a, 0));
}
static inline int32x4_t dot_lane1(int32x4_t acc, uint8x16_t b, uint8x16_t a) {
  return vreinterpretq_s32_u32(vdotq_laneq_u32(vreinterpretq_u32_s32(acc), b, a, 1));
}
static inline int32x4_t dot_lane2(int32x4_t acc, uint8x16_t b, uint8x16_t a) {
  return vreinterpretq_s32_u32(vdotq_laneq_u32(vreinterpretq_u32_s32(acc), b, a, 2));
}
static inline int32x4_t dot_lane3(int32x4_t acc, uint8x16_t b, uint8x16_t a) {
  return vreinterpretq_s32_u32(vdotq_laneq_u32(vreinterpretq_u32_s32(acc), b, a, 3));
}

static inline int8x16_t ld16(const int8_t* p) { return vld1q_s8(p); }
static inline uint8x16_t ld16(const uint8_t* p) { return vld1q_u8(p); }
// 8 bytes into the low half (the high half is never used as a lane).
static inline int8x16_t ld8(const int8_t* p) { return vcombine_s8(vld1_s8(p), vdup_n_s8(0)); }
static inline uint8x16_t ld8(const uint8_t* p) { return vcombine_u8(vld1_u8(p), vdup_n_u8(0)); }

template <typename T>
struct DotVec;
template <>
struct DotVec<int8_t> {
  typedef int8x16_t v;
};
template <>
struct DotVec<uint8_t> {
  typedef uint8x16_t v;
};

template <typename T, int MR>
void gemm_c4_neondot(size_t mr, size_t nc, size_t kc, const void* a_, size_t a_stride, const void* w_, void* c_,
                     size_t cm_stride, const int32_t* rowcorr, const OutParams* p) {
  typedef typename DotVec<T>::v V;
  constexpr int NR = 8;
  const T* a[MR];
  T* c[MR];
  int32_t corr[MR];
  for (int m = 0; m < MR; m++) {
    size_t row = (size_t)m < mr ? m : mr - 1;
    a[m] = static_cast<const T*>(a_) + row * a_stride;
    c[m] = static_cast<T*>(c_) + row * cm_stride;
    corr[m] = rowcorr[row];
  }
  const uint8_t* w = static_cast<const uint8_t*>(w_);
  const int32x4_t vzp = vdupq_n_s32(p->zero_point);
  const int16x8_t vmin = vdupq_n_s16((int16_t)p->act_min);
  const int16x8_t vmax = vdupq_n_s16((int16_t)p->act_max);
  while (nc > 0) {
    const int32_t* hdr = reinterpret_cast<const int32_t*>(w);
    const T* wp = reinterpret_cast<const T*>(w + 16 * NR);
    int32x4_t acc0[MR], acc1[MR];
    for (int m = 0; m < MR; m++) {
      acc0[m] = vdupq_n_s32(0);
      acc1[m] = vdupq_n_s32(0);
    }
    size_t k = kc;
    size_t off = 0;
    for (; k >= 16; k -= 16, off += 16) {
      V va[MR];
      for (int m = 0; m < MR; m++) va[m] = ld16(a[m] + off);
      V b0 = ld16(wp), b1 = ld16(wp + 16);
      for (int m = 0; m < MR; m++) {
        acc0[m] = dot_lane0(acc0[m], b0, va[m]);
        acc1[m] = dot_lane0(acc1[m], b1, va[m]);
      }
      b0 = ld16(wp + 32), b1 = ld16(wp + 48);
      for (int m = 0; m < MR; m++) {
        acc0[m] = dot_lane1(acc0[m], b0, va[m]);
        acc1[m] = dot_lane1(acc1[m], b1, va[m]);
      }
      b0 = ld16(wp + 64), b1 = ld16(wp + 80);
      for (int m = 0; m < MR; m++) {
        acc0[m] = dot_lane2(acc0[m], b0, va[m]);
        acc1[m] = dot_lane2(acc1[m], b1, va[m]);
      }
      b0 = ld16(wp + 96), b1 = ld16(wp + 112);
      for (int m = 0; m < MR; m++) {
        acc0[m] = dot_lane3(acc0[m], b0, va[m]);
        acc1[m] = dot_lane3(acc1[m], b1, va[m]);
      }
      wp += 128;
    }
    if (k != 0) {   // k == 8
      V va[MR];
      for (int m = 0; m < MR; m++) va[m] = ld8(a[m] + off);
      V b0 = ld16(wp), b1 = ld16(wp + 16);
      for (int m = 0; m < MR; m++) {
        acc0[m] = dot_lane0(acc0[m], b0, va[m]);
        acc1[m] = dot_lane0(acc1[m], b1, va[m]);
      }
      b0 = ld16(wp + 32), b1 = ld16(wp + 48);
      for (int m = 0; m < MR; m++) {
        acc0[m] = dot_lane1(acc0[m], b0, va[m]);
        acc1[m] = dot_lane1(acc1[m], b1, va[m]);
      }
    }
    size_t ncur = nc < (size_t)NR ? nc : NR;
    for (int m = 0; m < MR; m++) {
      int32x4_t corr_m = vdupq_n_s32(corr[m]);
      int32x4_t s0 = vaddq_s32(vaddq_s32(acc0[m], vld1q_s32(hdr)), corr_m);
      int32x4_t s1 = vaddq_s32(vaddq_s32(acc1[m], vld1q_s32(hdr + 4)), corr_m);
      s0 = requant_neon(s0, vld1q_s32(hdr + NR), vld1q_s32(hdr + 2 * NR), vld1q_s32(hdr + 3 * NR), vzp);
      s1 = requant_neon(s1, vld1q_s32(hdr + NR + 4), vld1q_s32(hdr + 2 * NR + 4), vld1q_s32(hdr + 3 * NR + 4), vzp);
      store_partial(c[m], to_bytes(narrow_clamp(s0, s1, vmin, vmax), (T*)nullptr), ncur);
      c[m] += NR;
    }
    w += 16 * NR + (size_t)NR * kc;
    nc -= ncur;
  }
}

}  // namespace qbridge
#endif
