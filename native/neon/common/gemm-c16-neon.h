// NEON GEMM without dot-product instructions (Cortex-A53/A72, armv7), MR rows x 4 columns, 16 k
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

#if defined(__aarch64__)
// 4x4 on aarch64 in assembly: GCC spills the 16 accumulators of the intrinsics version. The
// whole k loop (16-k blocks, then the 8-k tail) runs with the accumulators in v16-v31; per
// block 8 loads and 16 x (MULL, MULL2/MLAL2, ADALP); the lanes are then added (ADDP) and the
// 4 row vectors stored to `sums` ({row m: columns 0..3}).
#define QB_U8(acc, va, vb) "umull v6.8h, " va ".8b, " vb ".8b\n umull2 v7.8h, " va ".16b, " vb ".16b\n" \
  " uadalp " acc ".4s, v6.8h\n uadalp " acc ".4s, v7.8h\n"
#define QB_S8(acc, va, vb) "smull v6.8h, " va ".8b, " vb ".8b\n smlal2 v6.8h, " va ".16b, " vb ".16b\n" \
  " sadalp " acc ".4s, v6.8h\n"
#define QB_U8_TAIL(acc, va, vb) "umull v6.8h, " va ".8b, " vb ".8b\n uadalp " acc ".4s, v6.8h\n"
#define QB_S8_TAIL(acc, va, vb) "smull v6.8h, " va ".8b, " vb ".8b\n sadalp " acc ".4s, v6.8h\n"
#define QB_COLUMN(OPS, c0, c1, c2, c3) OPS(c0, "v0", "v4") OPS(c1, "v1", "v4") OPS(c2, "v2", "v4") OPS(c3, "v3", "v4")
#define QB_TILE_ASM(OPS, TAIL)                                                                       \
  asm volatile(                                                                                       \
      "movi v16.4s, #0\n movi v17.4s, #0\n movi v18.4s, #0\n movi v19.4s, #0\n"                       \
      "movi v20.4s, #0\n movi v21.4s, #0\n movi v22.4s, #0\n movi v23.4s, #0\n"                       \
      "movi v24.4s, #0\n movi v25.4s, #0\n movi v26.4s, #0\n movi v27.4s, #0\n"                       \
      "movi v28.4s, #0\n movi v29.4s, #0\n movi v30.4s, #0\n movi v31.4s, #0\n"                       \
      "cbz %[n], 2f\n"                                                                                \
      "1:\n"                                                                                          \
      "ldr q0, [%[a0]], #16\n ldr q1, [%[a1]], #16\n ldr q2, [%[a2]], #16\n ldr q3, [%[a3]], #16\n"  \
      "ldr q4, [%[w]], #16\n" QB_COLUMN(OPS, "v16", "v20", "v24", "v28")                             \
      "ldr q4, [%[w]], #16\n" QB_COLUMN(OPS, "v17", "v21", "v25", "v29")                             \
      "ldr q4, [%[w]], #16\n" QB_COLUMN(OPS, "v18", "v22", "v26", "v30")                             \
      "ldr q4, [%[w]], #16\n" QB_COLUMN(OPS, "v19", "v23", "v27", "v31")                             \
      "subs %[n], %[n], #1\n b.ne 1b\n"                                                              \
      "2:\n"                                                                                          \
      "cbz %[tail], 3f\n"                                                                             \
      "ldr d0, [%[a0]]\n ldr d1, [%[a1]]\n ldr d2, [%[a2]]\n ldr d3, [%[a3]]\n"                      \
      "ldr d4, [%[w]], #8\n" QB_COLUMN(TAIL, "v16", "v20", "v24", "v28")                             \
      "ldr d4, [%[w]], #8\n" QB_COLUMN(TAIL, "v17", "v21", "v25", "v29")                             \
      "ldr d4, [%[w]], #8\n" QB_COLUMN(TAIL, "v18", "v22", "v26", "v30")                             \
      "ldr d4, [%[w]], #8\n" QB_COLUMN(TAIL, "v19", "v23", "v27", "v31")                             \
      "3:\n"                                                                                          \
      "addp v16.4s, v16.4s, v17.4s\n addp v18.4s, v18.4s, v19.4s\n addp v16.4s, v16.4s, v18.4s\n"   \
      "addp v20.4s, v20.4s, v21.4s\n addp v22.4s, v22.4s, v23.4s\n addp v20.4s, v20.4s, v22.4s\n"   \
      "addp v24.4s, v24.4s, v25.4s\n addp v26.4s, v26.4s, v27.4s\n addp v24.4s, v24.4s, v26.4s\n"   \
      "addp v28.4s, v28.4s, v29.4s\n addp v30.4s, v30.4s, v31.4s\n addp v28.4s, v28.4s, v30.4s\n"   \
      "stp q16, q20, [%[sums]]\n stp q24, q28, [%[sums], #32]\n"                                     \
      : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [w] "+r"(w), [n] "+r"(blocks)     \
      : [tail] "r"(tail), [sums] "r"(sums)                                                            \
      : "v0", "v1", "v2", "v3", "v4", "v6", "v7", "v16", "v17", "v18", "v19", "v20", "v21", "v22",  \
        "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31", "cc", "memory")

// sums[m] = {row m . column n for n = 0..3} over kc (a multiple of 8).
static inline void tile4x4_asm(const uint8_t* const* a, const uint8_t* w, size_t kc, int32x4_t* sums) {
  const uint8_t *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3];
  size_t blocks = kc / 16, tail = kc % 16;
  QB_TILE_ASM(QB_U8, QB_U8_TAIL);
}

static inline void tile4x4_asm(const int8_t* const* a, const int8_t* w, size_t kc, int32x4_t* sums) {
  const int8_t *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3];
  size_t blocks = kc / 16, tail = kc % 16;
  QB_TILE_ASM(QB_S8, QB_S8_TAIL);
}
#undef QB_TILE_ASM
#undef QB_COLUMN
#undef QB_U8
#undef QB_S8
#undef QB_U8_TAIL
#undef QB_S8_TAIL
#endif

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
    int32x4_t sums[4];   // 4: the assembly tile writes four rows
#if defined(__aarch64__)
    if (MR == 4) {
      tile4x4_asm(a, wp, kc, sums);
    } else
#endif
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
