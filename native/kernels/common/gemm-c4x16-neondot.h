// aarch64 GEMM with the dot-product extension, MR rows x 16 columns, 4 k per column block
// ([kc/4][16 columns][4 k] after the header; [kc/4][8][4] for a last group of <= 8 columns).
// Per 16 k and 4 rows: 4 loads of A, 8 load pairs of weights, 64 UDOT/SDOT by element (1024
// MACs). The accumulators start at the folded bias plus the row correction (-w_zp * row sum);
// the output stage is the mlal-lane kernel's (one 16-byte store per row). Compiled only into
// files built with +dotprod and called only when HWCAP_ASIMDDP is set.
#ifndef QBRIDGE_GEMM_C4X16_NEONDOT_H
#define QBRIDGE_GEMM_C4X16_NEONDOT_H

#include "gemm-c4-neondot.h"
#include "gemm-lane-neon.h"

namespace qbridge {

// The 4-row k loop: A rows in v0-v3, weights in v4-v7, accumulators in v16-v31 (row m, columns
// 4j..4j+3 in v(16 + 4m + j)), stored to acc[][] at the end.
#define QB_DOT_ROW(DOT, m, c0, c1, c2, c3, l)                                              \
  DOT " " c0 ".4s, v4.16b, v" #m ".4b[" #l "]\n " DOT " " c1 ".4s, v5.16b, v" #m ".4b[" #l "]\n" \
  DOT " " c2 ".4s, v6.16b, v" #m ".4b[" #l "]\n " DOT " " c3 ".4s, v7.16b, v" #m ".4b[" #l "]\n"
#define QB_DOT_K(DOT, l)                                                                                  \
  "ldp q4, q5, [%[w]], #32\n ldp q6, q7, [%[w]], #32\n" QB_DOT_ROW(DOT, 0, "v16", "v17", "v18", "v19", l) \
      QB_DOT_ROW(DOT, 1, "v20", "v21", "v22", "v23", l) QB_DOT_ROW(DOT, 2, "v24", "v25", "v26", "v27", l)  \
          QB_DOT_ROW(DOT, 3, "v28", "v29", "v30", "v31", l)
#define QB_DOT_ROW8(DOT, m, c0, c1, l) \
  DOT " " c0 ".4s, v4.16b, v" #m ".4b[" #l "]\n " DOT " " c1 ".4s, v5.16b, v" #m ".4b[" #l "]\n"
#define QB_DOT_K8(DOT, l)                                                                                   \
  "ldp q4, q5, [%[w]], #32\n" QB_DOT_ROW8(DOT, 0, "v16", "v17", l) QB_DOT_ROW8(DOT, 1, "v20", "v21", l)     \
      QB_DOT_ROW8(DOT, 2, "v24", "v25", l) QB_DOT_ROW8(DOT, 3, "v28", "v29", l)
#define QB_DOT_LOOP(DOT, K)                                                                                   \
  asm volatile(                                                                                               \
      "ldp q16, q17, [%[bias]]\n ldp q18, q19, [%[bias], #32]\n"                                              \
      "dup v4.4s, %w[r1]\n add v20.4s, v16.4s, v4.4s\n add v21.4s, v17.4s, v4.4s\n"                          \
      "add v22.4s, v18.4s, v4.4s\n add v23.4s, v19.4s, v4.4s\n"                                               \
      "dup v4.4s, %w[r2]\n add v24.4s, v16.4s, v4.4s\n add v25.4s, v17.4s, v4.4s\n"                          \
      "add v26.4s, v18.4s, v4.4s\n add v27.4s, v19.4s, v4.4s\n"                                               \
      "dup v4.4s, %w[r3]\n add v28.4s, v16.4s, v4.4s\n add v29.4s, v17.4s, v4.4s\n"                          \
      "add v30.4s, v18.4s, v4.4s\n add v31.4s, v19.4s, v4.4s\n"                                               \
      "dup v4.4s, %w[r0]\n add v16.4s, v16.4s, v4.4s\n add v17.4s, v17.4s, v4.4s\n"                          \
      "add v18.4s, v18.4s, v4.4s\n add v19.4s, v19.4s, v4.4s\n"                                               \
      "cbz %[n], 2f\n"                                                                                        \
      "1:\n"                                                                                                  \
      "ldr q0, [%[a0]], #16\n ldr q1, [%[a1]], #16\n ldr q2, [%[a2]], #16\n ldr q3, [%[a3]], #16\n"         \
      K(DOT, 0) K(DOT, 1) K(DOT, 2) K(DOT, 3)                                                                 \
      "subs %[n], %[n], #1\n b.ne 1b\n"                                                                       \
      "2:\n"                                                                                                  \
      "cbz %[tail], 3f\n"                                                                                     \
      "ldr d0, [%[a0]]\n ldr d1, [%[a1]]\n ldr d2, [%[a2]]\n ldr d3, [%[a3]]\n"                             \
      K(DOT, 0) K(DOT, 1)                                                                                     \
      "3:\n"                                                                                                  \
      "stp q16, q17, [%[out]]\n stp q18, q19, [%[out], #32]\n stp q20, q21, [%[out], #64]\n"                \
      "stp q22, q23, [%[out], #96]\n stp q24, q25, [%[out], #128]\n stp q26, q27, [%[out], #160]\n"         \
      "stp q28, q29, [%[out], #192]\n stp q30, q31, [%[out], #224]\n"                                       \
      : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [w] "+r"(wp), [n] "+r"(blocks)           \
      : [tail] "r"(tail), [bias] "r"(bias), [out] "r"(&acc[0][0]), [r0] "r"(corr[0]), [r1] "r"(corr[1]),     \
        [r2] "r"(corr[2]), [r3] "r"(corr[3])                                                                  \
      : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19", "v20", "v21", "v22",    \
        "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31", "cc", "memory")

template <typename T>
static inline void dot_loop4(const T* const* a, const T* wp, size_t kc, const int32_t* bias, const int32_t* corr,
                             int32x4_t (&acc)[4][4], bool half) {
  const T *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3];
  size_t blocks = kc / 16, tail = kc % 16;
  const bool u8 = sizeof(T) == 1 && (T)-1 > 0;
  if (u8) {
    if (half) {
      QB_DOT_LOOP("udot", QB_DOT_K8);
    } else {
      QB_DOT_LOOP("udot", QB_DOT_K);
    }
  } else {
    if (half) {
      QB_DOT_LOOP("sdot", QB_DOT_K8);
    } else {
      QB_DOT_LOOP("sdot", QB_DOT_K);
    }
  }
}
#undef QB_DOT_LOOP
#undef QB_DOT_K
#undef QB_DOT_ROW
#undef QB_DOT_K8
#undef QB_DOT_ROW8

// One row (fully-connected with batch 1) with intrinsics, same packing.
template <typename T>
static inline void dot_loop1(const T* const* a, const T* wp, size_t kc, const int32_t* bias, const int32_t* corr,
                             int32x4_t (&acc)[1][4], bool half) {
  typedef typename DotVec<T>::v V;
  const int J = half ? 2 : 4;
  const int32x4_t vc = vdupq_n_s32(corr[0]);
  for (int j = 0; j < 4; j++) acc[0][j] = vaddq_s32(vld1q_s32(bias + 4 * j), vc);
  const size_t step = 16 * (size_t)J;   // bytes per 4-k block
  size_t k = 0;
  for (; k + 16 <= kc; k += 16) {
    const V va = ld16(a[0] + k);
    for (int j = 0; j < J; j++) acc[0][j] = dot_lane0(acc[0][j], ld16(wp + 16 * j), va);
    for (int j = 0; j < J; j++) acc[0][j] = dot_lane1(acc[0][j], ld16(wp + step + 16 * j), va);
    for (int j = 0; j < J; j++) acc[0][j] = dot_lane2(acc[0][j], ld16(wp + 2 * step + 16 * j), va);
    for (int j = 0; j < J; j++) acc[0][j] = dot_lane3(acc[0][j], ld16(wp + 3 * step + 16 * j), va);
    wp += 4 * step;
  }
  if (k < kc) {   // 8 k left
    const V va = ld8(a[0] + k);
    for (int j = 0; j < J; j++) acc[0][j] = dot_lane0(acc[0][j], ld16(wp + 16 * j), va);
    for (int j = 0; j < J; j++) acc[0][j] = dot_lane1(acc[0][j], ld16(wp + step + 16 * j), va);
  }
}

template <typename T, int MR, bool kLeftShift, bool kAllRightShifts>
static void gemm_c4x16_neondot_impl(size_t mr, size_t nc, size_t kc, const void* a_, size_t a_stride, const void* w_,
                                    void* c_, size_t cm_stride, const int32_t* rowcorr, const OutParams* p) {
  constexpr int NR = 16;
  const T* a[MR];
  uint8_t* c[MR];
  int32_t corr[4];
  for (int m = 0; m < MR; m++) {
    size_t row = (size_t)m < mr ? m : mr - 1;
    a[m] = static_cast<const T*>(a_) + row * a_stride;
    c[m] = static_cast<uint8_t*>(c_) + row * cm_stride;
    corr[m] = rowcorr[row];
  }
  for (int m = MR; m < 4; m++) corr[m] = 0;
  const int32x4_t vzp = vdupq_n_s32(p->zero_point);
  const uint8x16_t vmin = vdupq_n_u8((uint8_t)p->act_min), vmax = vdupq_n_u8((uint8_t)p->act_max);
  const uint8_t* w = static_cast<const uint8_t*>(w_);
  while (nc > 0) {
    const int32_t* hdr = reinterpret_cast<const int32_t*>(w);
    const T* wp = reinterpret_cast<const T*>(w + 16 * NR);
    const bool half = nc <= (size_t)NR / 2;
    int32x4_t acc[MR][4];
    if (MR == 4) {
      dot_loop4(a, wp, kc, hdr, corr, reinterpret_cast<int32x4_t(&)[4][4]>(acc), half);
    } else {
      dot_loop1(a, wp, kc, hdr, corr, reinterpret_cast<int32x4_t(&)[1][4]>(acc), half);
    }
    size_t ncur = nc < (size_t)NR ? nc : NR;
    store_tile16<T, MR, kLeftShift, kAllRightShifts>(acc, hdr, vzp, vmin, vmax, c, ncur);
    w += 16 * NR + (size_t)NR * kc;
    nc -= ncur;
  }
}

template <typename T, int MR>
void gemm_c4x16_neondot(size_t mr, size_t nc, size_t kc, const void* a, size_t a_stride, const void* w, void* c,
                        size_t cm_stride, const int32_t* rowcorr, const OutParams* p) {
  const bool left = (p->flags & kOutAnyLeftShift) != 0, right = (p->flags & kOutAllRightShifts) != 0;
  if (left) {
    if (right) gemm_c4x16_neondot_impl<T, MR, true, true>(mr, nc, kc, a, a_stride, w, c, cm_stride, rowcorr, p);
    else gemm_c4x16_neondot_impl<T, MR, true, false>(mr, nc, kc, a, a_stride, w, c, cm_stride, rowcorr, p);
  } else {
    if (right) gemm_c4x16_neondot_impl<T, MR, false, true>(mr, nc, kc, a, a_stride, w, c, cm_stride, rowcorr, p);
    else gemm_c4x16_neondot_impl<T, MR, false, false>(mr, nc, kc, a, a_stride, w, c, cm_stride, rowcorr, p);
  }
}

}  // namespace qbridge
#endif
