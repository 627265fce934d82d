// NEON GEMM without dot-product instructions on armv7 (Pi 2/3/4 on a 32-bit OS), MR rows x 4 columns, 16 k
// per block: per row and column one int32x4 accumulator gathers 16 products per block.
//   int8:  SMULL + SMLAL2 (two products in int16: |a*w| <= 128*127, so the pair fits) + SADALP
//   uint8: UMULL + UMULL2 (255*255 fits uint16 once) + 2 x UADALP
// The 4 lanes of each accumulator are added at the end (ADDP). Same packing as gemm-scalar.h.
#ifndef QBRIDGE_GEMM_C16_NEON_H
#define QBRIDGE_GEMM_C16_NEON_H

#include "requant-neon.h"
#include "../../src/kernels.h"

namespace qbridge {

static inline int32x4_t mac16(int32x4_t acc, int8x16_t a, int8x16_t b) {
  int16x8_t p = vmull_s8(vget_low_s8(a), vget_low_s8(b));
#if defined(__aarch64__)
  p = vmlal_high_s8(p, a, b);
#else
  p = vmlal_s8(p, vget_high_s8(a), vget_high_s8(b));
#endif
  return vpadalq_s16(acc, p);
}

static inline int32x4_t mac16(int32x4_t acc, uint8x16_t a, uint8x16_t b) {
  uint32x4_t u = vreinterpretq_u32_s32(acc);
  u = vpadalq_u16(u, vmull_u8(vget_low_u8(a), vget_low_u8(b)));
#if defined(__aarch64__)
  u = vpadalq_u16(u, vmull_high_u8(a, b));
#else
  u = vpadalq_u16(u, vmull_u8(vget_high_u8(a), vget_high_u8(b)));
#endif
  return vreinterpretq_s32_u32(u);
}

static inline int32x4_t mac8(int32x4_t acc, int8x8_t a, int8x8_t b) { return vpadalq_s16(acc, vmull_s8(a, b)); }
static inline int32x4_t mac8(int32x4_t acc, uint8x8_t a, uint8x8_t b) {
  return vreinterpretq_s32_u32(vpadalq_u16(vreinterpretq_u32_s32(acc), vmull_u8(a, b)));
}

static inline int8x16_t load16(const int8_t* p) { return vld1q_s8(p); }
static inline uint8x16_t load16(const uint8_t* p) { return vld1q_u8(p); }
static inline int8x8_t load8(const int8_t* p) { return vld1_s8(p); }
static inline uint8x8_t load8(const uint8_t* p) { return vld1_u8(p); }

template <typename T>
struct Vec16;
template <>
struct Vec16<int8_t> {
  typedef int8x16_t v16;
  typedef int8x8_t v8;
};
template <>
struct Vec16<uint8_t> {
  typedef uint8x16_t v16;
  typedef uint8x8_t v8;
};


// The 16-k blocks of one MR x 4 tile: acc[m][n] += 16 products of row m and column n per block.
template <typename T, int MR>
struct Block16 {
  static inline void run(const T* const* a, const T* wp, size_t blocks, int32x4_t (&acc)[MR][4]) {
    for (size_t b = 0, off = 0; b < blocks; b++, off += 16) {
      typename Vec16<T>::v16 va[MR];
      for (int m = 0; m < MR; m++) va[m] = load16(a[m] + off);
      for (int n = 0; n < 4; n++) {
        typename Vec16<T>::v16 vb = load16(wp + 16 * n);
        for (int m = 0; m < MR; m++) acc[m][n] = mac16(acc[m][n], va[m], vb);
      }
      wp += 64;
    }
  }
};


template <typename T, int MR>
void gemm_c16_neon(size_t mr, size_t nc, size_t kc, const void* a_, size_t a_stride, const void* w_, void* c_,
                   size_t cm_stride, const int32_t* rowcorr, const OutParams* p) {
  typedef typename Vec16<T>::v16 V16;
  typedef typename Vec16<T>::v8 V8;
  constexpr int NR = 4;
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
    int32x4_t sums[MR];
    {
    int32x4_t acc[MR][NR];
    for (int m = 0; m < MR; m++)
      for (int n = 0; n < NR; n++) acc[m][n] = vdupq_n_s32(0);
    size_t k = kc;
    size_t off = 0;
    if (k >= 16) {
      size_t blocks = k / 16;
      Block16<T, MR>::run(a, wp, blocks, acc);
      off = 16 * blocks;
      k -= off;
      wp += 16 * NR * blocks;
    }
    if (k != 0) {   // k == 8
      V8 va[MR];
      for (int m = 0; m < MR; m++) va[m] = load8(a[m] + off);
      for (int n = 0; n < NR; n++) {
        V8 vb = load8(wp + 8 * n);
        for (int m = 0; m < MR; m++) acc[m][n] = mac8(acc[m][n], va[m], vb);
      }
    }
    for (int m = 0; m < MR; m++) sums[m] = reduce4(acc[m][0], acc[m][1], acc[m][2], acc[m][3]);
    }
    const int32x4_t vbias = vld1q_s32(hdr);
    const int32x4_t vmul = vld1q_s32(hdr + NR);
    const int32x4_t vleft = vld1q_s32(hdr + 2 * NR);
    const int32x4_t vright = vld1q_s32(hdr + 3 * NR);
    int32x4_t out[MR];
    for (int m = 0; m < MR; m++) {
      int32x4_t s = sums[m];
      s = vaddq_s32(vaddq_s32(s, vbias), vdupq_n_s32(corr[m]));
      out[m] = requant_neon(s, vmul, vleft, vright, vzp);
    }
    size_t ncur = nc < (size_t)NR ? nc : NR;
    for (int m = 0; m < MR; m += 2) {
      int16x8_t v = narrow_clamp(out[m], out[m + 1 < MR ? m + 1 : m], vmin, vmax);
      uint8x8_t b = to_bytes(v, (T*)nullptr);
      uint8_t tmp[8];
      vst1_u8(tmp, b);
      if (ncur == 4) {   // fixed-size copies become plain (unaligned-safe) 32-bit stores
        std::memcpy(c[m], tmp, 4);
        if (m + 1 < MR) std::memcpy(c[m + 1], tmp + 4, 4);
      } else {
        std::memcpy(c[m], tmp, ncur);
        if (m + 1 < MR) std::memcpy(c[m + 1], tmp + 4, ncur);
      }
    }
    for (int m = 0; m < MR; m++) c[m] += NR;
    w += 16 * NR + (size_t)NR * kc;
    nc -= ncur;
  }
}

}  // namespace qbridge
#endif
