// aarch64 GEMM without dot-product instructions for any K: MR rows x 16 columns, one k per step.
// Weights are packed as int16 (w - w_zero_point), k-major ([kc][16] after the header; [kc][8]
// for a last group of 8 columns or fewer, e.g. the 24 channels of MobileNet v2); each row
// of A is widened 8 k at a time with the input zero point subtracted (USUBL/SSUBL, exact in
// int16), and every k adds 16 products per row with SMLAL/SMLAL2 by element (4 per row). No
// horizontal sums and no row-sum correction: the zero-point terms vanish before the multiply,
// so the accumulators start at the bias. Per 8 k and 4 rows: 4 loads + 4 widenings of A, 8
// pairs of weight loads, 128 multiply-accumulates (512 MACs).
#ifndef QBRIDGE_GEMM_LANE_NEON_H
#define QBRIDGE_GEMM_LANE_NEON_H

#include "requant-neon.h"
#include "../../src/kernels.h"

namespace qbridge {

static inline int16x8_t widen_minus_zp(const uint8_t* p, uint8x8_t vza) {
  return vreinterpretq_s16_u16(vsubl_u8(vld1_u8(p), vza));   // a - za in [-255, 255], exact mod 2^16
}
static inline int16x8_t widen_minus_zp(const int8_t* p, int8x8_t vza) { return vsubl_s8(vld1_s8(p), vza); }
static inline uint8x8_t dup_zp(uint8_t*, int32_t za) { return vdup_n_u8((uint8_t)za); }
static inline int8x8_t dup_zp(int8_t*, int32_t za) { return vdup_n_s8((int8_t)za); }

// 16 output bytes of one row, clamped: saturating narrowing (int32 -> int16 -> 8 bits) keeps the
// order, and the clamp bounds lie inside the 8-bit range, so clamping the bytes is exact.
static inline uint8x16_t narrow16(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d, uint8_t*) {
  int16x8_t lo = vqmovn_high_s32(vqmovn_s32(a), b), hi = vqmovn_high_s32(vqmovn_s32(c), d);
  return vqmovun_high_s16(vqmovun_s16(lo), hi);
}
static inline uint8x16_t narrow16(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d, int8_t*) {
  int16x8_t lo = vqmovn_high_s32(vqmovn_s32(a), b), hi = vqmovn_high_s32(vqmovn_s32(c), d);
  return vreinterpretq_u8_s8(vqmovn_high_s16(vqmovn_s16(lo), hi));
}
static inline uint8x16_t clamp16(uint8x16_t v, uint8x16_t lo, uint8x16_t hi, uint8_t*) {
  return vminq_u8(vmaxq_u8(v, lo), hi);
}
static inline uint8x16_t clamp16(uint8x16_t v, uint8x16_t lo, uint8x16_t hi, int8_t*) {
  return vreinterpretq_u8_s8(vminq_s8(vmaxq_s8(vreinterpretq_s8_u8(v), vreinterpretq_s8_u8(lo)),
                                      vreinterpretq_s8_u8(hi)));
}

// Output stage of an MR x 16 tile (acc[m][j]: row m, columns 4j..4j+3; header of 4 x 16 int32):
// requantize, narrow, clamp, one 16-byte store per row (ncur < 16: partial); advances c[].
template <typename T, int MR, bool kLeftShift, bool kAllRightShifts>
static inline void store_tile16(int32x4_t (&acc)[MR][4], const int32_t* hdr, int32x4_t vzp, uint8x16_t vmin,
                                uint8x16_t vmax, uint8_t* (&c)[MR], size_t ncur) {
  constexpr int NR = 16;
  for (int j = 0; j < (ncur <= 8 ? 2 : 4); j++) {
    const int32x4_t vmul = vld1q_s32(hdr + NR + 4 * j);
    const int32x4_t vleft = vld1q_s32(hdr + 2 * NR + 4 * j);
    const int32x4_t vright = vld1q_s32(hdr + 3 * NR + 4 * j);
    for (int m = 0; m < MR; m++) {
      acc[m][j] = requant_neon_fast<kLeftShift, kAllRightShifts>(acc[m][j], vmul, vleft, vright, vzp);
    }
  }
  for (int m = 0; m < MR; m++) {
    uint8x16_t v = clamp16(narrow16(acc[m][0], acc[m][1], acc[m][2], acc[m][3], (T*)nullptr), vmin, vmax,
                           (T*)nullptr);
    if (ncur == NR) {
      vst1q_u8(c[m], v);
    } else {
      uint8_t tmp[16];
      vst1q_u8(tmp, v);
      std::memcpy(c[m], tmp, ncur);
    }
    c[m] += NR;
  }
}

#define QB_LANE_STEP(L)                                                           \
  {                                                                               \
    const int16x8_t b0 = vld1q_s16(wp), b1 = vld1q_s16(wp + 8);                   \
    wp += 16;                                                                     \
    for (int m = 0; m < MR; m++) {                                                \
      acc[m][0] = vmlal_laneq_s16(acc[m][0], vget_low_s16(b0), va[m], L);         \
      acc[m][1] = vmlal_high_laneq_s16(acc[m][1], b0, va[m], L);                  \
      acc[m][2] = vmlal_laneq_s16(acc[m][2], vget_low_s16(b1), va[m], L);         \
      acc[m][3] = vmlal_high_laneq_s16(acc[m][3], b1, va[m], L);                  \
    }                                                                             \
  }

#define QB_LANE_STEP8(L)                                                          \
  {                                                                               \
    const int16x8_t b0 = vld1q_s16(wp);                                           \
    wp += 8;                                                                      \
    for (int m = 0; m < MR; m++) {                                                \
      acc[m][0] = vmlal_laneq_s16(acc[m][0], vget_low_s16(b0), va[m], L);         \
      acc[m][1] = vmlal_high_laneq_s16(acc[m][1], b0, va[m], L);                  \
    }                                                                             \
  }

// The 4-row k loop in assembly: with intrinsics GCC shuffles the 16 accumulators with MOVs
// every step. A rows in v0-v3 (by-element operands of 16-bit SMLAL must lie in v0-v15),
// weights in v4/v5, accumulators in v16-v31 (row m, columns 4j..4j+3 in v(16 + 4m + j)),
// started at the bias and stored to acc[][] at the end.
#define QB_LANE_ROW(m, c0, c1, c2, c3, l)                                                    \
  "smlal " c0 ".4s, v4.4h, v" #m ".h[" #l "]\n smlal2 " c1 ".4s, v4.8h, v" #m ".h[" #l "]\n" \
  "smlal " c2 ".4s, v5.4h, v" #m ".h[" #l "]\n smlal2 " c3 ".4s, v5.8h, v" #m ".h[" #l "]\n"
#define QB_LANE_K(l)                                                                                    \
  "ldp q4, q5, [%[w]], #32\n" QB_LANE_ROW(0, "v16", "v17", "v18", "v19", l)                           \
      QB_LANE_ROW(1, "v20", "v21", "v22", "v23", l) QB_LANE_ROW(2, "v24", "v25", "v26", "v27", l)     \
          QB_LANE_ROW(3, "v28", "v29", "v30", "v31", l)
#define QB_LANE_ROW8(m, c0, c1, l) "smlal " c0 ".4s, v4.4h, v" #m ".h[" #l "]\n smlal2 " c1 ".4s, v4.8h, v" #m ".h[" #l "]\n"
#define QB_LANE_K8(l)                                                                                   \
  "ldr q4, [%[w]], #16\n" QB_LANE_ROW8(0, "v16", "v17", l) QB_LANE_ROW8(1, "v20", "v21", l)             \
      QB_LANE_ROW8(2, "v24", "v25", l) QB_LANE_ROW8(3, "v28", "v29", l)
#define QB_LANE_LOOP(SUBL, K)                                                                                 \
  asm volatile(                                                                                               \
      "ldp q16, q17, [%[bias]]\n ldp q18, q19, [%[bias], #32]\n"                                              \
      "mov v20.16b, v16.16b\n mov v21.16b, v17.16b\n mov v22.16b, v18.16b\n mov v23.16b, v19.16b\n"          \
      "mov v24.16b, v16.16b\n mov v25.16b, v17.16b\n mov v26.16b, v18.16b\n mov v27.16b, v19.16b\n"          \
      "mov v28.16b, v16.16b\n mov v29.16b, v17.16b\n mov v30.16b, v18.16b\n mov v31.16b, v19.16b\n"          \
      "cbz %[n], 2f\n"                                                                                        \
      "1:\n"                                                                                                  \
      "ldr d0, [%[a0]], #8\n ldr d1, [%[a1]], #8\n ldr d2, [%[a2]], #8\n ldr d3, [%[a3]], #8\n"             \
      SUBL " v0.8h, v0.8b, %[za].8b\n " SUBL " v1.8h, v1.8b, %[za].8b\n"                                     \
      SUBL " v2.8h, v2.8b, %[za].8b\n " SUBL " v3.8h, v3.8b, %[za].8b\n"                                     \
      K(0) K(1) K(2) K(3) K(4) K(5) K(6) K(7)                                                                 \
      "subs %[n], %[n], #1\n b.ne 1b\n"                                                                       \
      "2:\n"                                                                                                  \
      "stp q16, q17, [%[out]]\n stp q18, q19, [%[out], #32]\n stp q20, q21, [%[out], #64]\n"                \
      "stp q22, q23, [%[out], #96]\n stp q24, q25, [%[out], #128]\n stp q26, q27, [%[out], #160]\n"         \
      "stp q28, q29, [%[out], #192]\n stp q30, q31, [%[out], #224]\n"                                       \
      : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [w] "+r"(wp), [n] "+r"(blocks)           \
      : [za] "w"(vza), [bias] "r"(bias), [out] "r"(&acc[0][0])                                                \
      : "v0", "v1", "v2", "v3", "v4", "v5", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24",  \
        "v25", "v26", "v27", "v28", "v29", "v30", "v31", "cc", "memory")

// half: the last column group holds 8 columns or fewer and is packed [kc][8].
static inline void lane_loop4(const uint8_t* const* a, const int16_t* wp, size_t kc, uint8x8_t vza,
                              const int32_t* bias, int32x4_t (&acc)[4][4], bool half) {
  const uint8_t *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3];
  size_t blocks = kc / 8;
  if (half) {
    QB_LANE_LOOP("usubl", QB_LANE_K8);
  } else {
    QB_LANE_LOOP("usubl", QB_LANE_K);
  }
}
static inline void lane_loop4(const int8_t* const* a, const int16_t* wp, size_t kc, int8x8_t vza,
                              const int32_t* bias, int32x4_t (&acc)[4][4], bool half) {
  const int8_t *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3];
  size_t blocks = kc / 8;
  if (half) {
    QB_LANE_LOOP("ssubl", QB_LANE_K8);
  } else {
    QB_LANE_LOOP("ssubl", QB_LANE_K);
  }
}
// The same loop with the output stage fused (every channel shifts right, none left, a full group
// of 16 columns): SQRDMULH, SSRA, SRSHL, zero point, saturating narrowing and clamp in the
// accumulator registers, one 16-byte store per row; the same arithmetic as store_tile16.
#define QB_LANE_FUSED(SUBL, NARROW, MAX, MIN)                                                                 \
  asm volatile(                                                                                               \
      "ldp q16, q17, [%[bias]]\n ldp q18, q19, [%[bias], #32]\n"                                              \
      "mov v20.16b, v16.16b\n mov v21.16b, v17.16b\n mov v22.16b, v18.16b\n mov v23.16b, v19.16b\n"          \
      "mov v24.16b, v16.16b\n mov v25.16b, v17.16b\n mov v26.16b, v18.16b\n mov v27.16b, v19.16b\n"          \
      "mov v28.16b, v16.16b\n mov v29.16b, v17.16b\n mov v30.16b, v18.16b\n mov v31.16b, v19.16b\n"          \
      "cbz %[n], 2f\n"                                                                                        \
      "1:\n"                                                                                                  \
      "ldr d0, [%[a0]], #8\n ldr d1, [%[a1]], #8\n ldr d2, [%[a2]], #8\n ldr d3, [%[a3]], #8\n"             \
      SUBL " v0.8h, v0.8b, %[za].8b\n " SUBL " v1.8h, v1.8b, %[za].8b\n"                                     \
      SUBL " v2.8h, v2.8b, %[za].8b\n " SUBL " v3.8h, v3.8b, %[za].8b\n"                                     \
      QB_LANE_K(0) QB_LANE_K(1) QB_LANE_K(2) QB_LANE_K(3) QB_LANE_K(4) QB_LANE_K(5) QB_LANE_K(6) QB_LANE_K(7) \
      "subs %[n], %[n], #1\n b.ne 1b\n"                                                                       \
      "2:\n"                                                                                                  \
      "ldp q0, q1, [%[bias], #64]\n ldp q2, q3, [%[bias], #96]\n" \
      "ldp q4, q5, [%[bias], #192]\n ldp q6, q7, [%[bias], #224]\n" \
      "sqrdmulh v16.4s, v16.4s, v0.4s\n" \
      "sqrdmulh v17.4s, v17.4s, v1.4s\n" \
      "sqrdmulh v18.4s, v18.4s, v2.4s\n" \
      "sqrdmulh v19.4s, v19.4s, v3.4s\n" \
      "sqrdmulh v20.4s, v20.4s, v0.4s\n" \
      "sqrdmulh v21.4s, v21.4s, v1.4s\n" \
      "sqrdmulh v22.4s, v22.4s, v2.4s\n" \
      "sqrdmulh v23.4s, v23.4s, v3.4s\n" \
      "sqrdmulh v24.4s, v24.4s, v0.4s\n" \
      "sqrdmulh v25.4s, v25.4s, v1.4s\n" \
      "sqrdmulh v26.4s, v26.4s, v2.4s\n" \
      "sqrdmulh v27.4s, v27.4s, v3.4s\n" \
      "sqrdmulh v28.4s, v28.4s, v0.4s\n" \
      "sqrdmulh v29.4s, v29.4s, v1.4s\n" \
      "sqrdmulh v30.4s, v30.4s, v2.4s\n" \
      "sqrdmulh v31.4s, v31.4s, v3.4s\n" \
      "ssra v16.4s, v16.4s, #31\n" \
      "ssra v17.4s, v17.4s, #31\n" \
      "ssra v18.4s, v18.4s, #31\n" \
      "ssra v19.4s, v19.4s, #31\n" \
      "ssra v20.4s, v20.4s, #31\n" \
      "ssra v21.4s, v21.4s, #31\n" \
      "ssra v22.4s, v22.4s, #31\n" \
      "ssra v23.4s, v23.4s, #31\n" \
      "ssra v24.4s, v24.4s, #31\n" \
      "ssra v25.4s, v25.4s, #31\n" \
      "ssra v26.4s, v26.4s, #31\n" \
      "ssra v27.4s, v27.4s, #31\n" \
      "ssra v28.4s, v28.4s, #31\n" \
      "ssra v29.4s, v29.4s, #31\n" \
      "ssra v30.4s, v30.4s, #31\n" \
      "ssra v31.4s, v31.4s, #31\n" \
      "srshl v16.4s, v16.4s, v4.4s\n" \
      "srshl v17.4s, v17.4s, v5.4s\n" \
      "srshl v18.4s, v18.4s, v6.4s\n" \
      "srshl v19.4s, v19.4s, v7.4s\n" \
      "srshl v20.4s, v20.4s, v4.4s\n" \
      "srshl v21.4s, v21.4s, v5.4s\n" \
      "srshl v22.4s, v22.4s, v6.4s\n" \
      "srshl v23.4s, v23.4s, v7.4s\n" \
      "srshl v24.4s, v24.4s, v4.4s\n" \
      "srshl v25.4s, v25.4s, v5.4s\n" \
      "srshl v26.4s, v26.4s, v6.4s\n" \
      "srshl v27.4s, v27.4s, v7.4s\n" \
      "srshl v28.4s, v28.4s, v4.4s\n" \
      "srshl v29.4s, v29.4s, v5.4s\n" \
      "srshl v30.4s, v30.4s, v6.4s\n" \
      "srshl v31.4s, v31.4s, v7.4s\n" \
      "dup v0.4s, %w[zp]\n dup v1.16b, %w[mn]\n dup v2.16b, %w[mx]\n" \
      "add v16.4s, v16.4s, v0.4s\n" \
      "add v17.4s, v17.4s, v0.4s\n" \
      "add v18.4s, v18.4s, v0.4s\n" \
      "add v19.4s, v19.4s, v0.4s\n" \
      "add v20.4s, v20.4s, v0.4s\n" \
      "add v21.4s, v21.4s, v0.4s\n" \
      "add v22.4s, v22.4s, v0.4s\n" \
      "add v23.4s, v23.4s, v0.4s\n" \
      "add v24.4s, v24.4s, v0.4s\n" \
      "add v25.4s, v25.4s, v0.4s\n" \
      "add v26.4s, v26.4s, v0.4s\n" \
      "add v27.4s, v27.4s, v0.4s\n" \
      "add v28.4s, v28.4s, v0.4s\n" \
      "add v29.4s, v29.4s, v0.4s\n" \
      "add v30.4s, v30.4s, v0.4s\n" \
      "add v31.4s, v31.4s, v0.4s\n" \
      "sqxtn v16.4h, v16.4s\n sqxtn2 v16.8h, v17.4s\n sqxtn v18.4h, v18.4s\n sqxtn2 v18.8h, v19.4s\n" \
      NARROW " v16.8b, v16.8h\n" NARROW "2 v16.16b, v18.8h\n" \
      MAX " v16.16b, v16.16b, v1.16b\n" MIN " v16.16b, v16.16b, v2.16b\n str q16, [%[c0]]\n" \
      "sqxtn v20.4h, v20.4s\n sqxtn2 v20.8h, v21.4s\n sqxtn v22.4h, v22.4s\n sqxtn2 v22.8h, v23.4s\n" \
      NARROW " v20.8b, v20.8h\n" NARROW "2 v20.16b, v22.8h\n" \
      MAX " v20.16b, v20.16b, v1.16b\n" MIN " v20.16b, v20.16b, v2.16b\n str q20, [%[c1]]\n" \
      "sqxtn v24.4h, v24.4s\n sqxtn2 v24.8h, v25.4s\n sqxtn v26.4h, v26.4s\n sqxtn2 v26.8h, v27.4s\n" \
      NARROW " v24.8b, v24.8h\n" NARROW "2 v24.16b, v26.8h\n" \
      MAX " v24.16b, v24.16b, v1.16b\n" MIN " v24.16b, v24.16b, v2.16b\n str q24, [%[c2]]\n" \
      "sqxtn v28.4h, v28.4s\n sqxtn2 v28.8h, v29.4s\n sqxtn v30.4h, v30.4s\n sqxtn2 v30.8h, v31.4s\n" \
      NARROW " v28.8b, v28.8h\n" NARROW "2 v28.16b, v30.8h\n" \
      MAX " v28.16b, v28.16b, v1.16b\n" MIN " v28.16b, v28.16b, v2.16b\n str q28, [%[c3]]\n" \
      : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [w] "+r"(wp), [n] "+r"(blocks)           \
      : [za] "w"(vza), [bias] "r"(bias), [c0] "r"(c[0]), [c1] "r"(c[1]), [c2] "r"(c[2]), [c3] "r"(c[3]),      \
        [zp] "r"(p->zero_point), [mn] "r"(p->act_min), [mx] "r"(p->act_max)                                   \
      : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19", "v20", "v21", "v22",    \
        "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31", "cc", "memory")

__attribute__((always_inline)) static inline void lane_fused4(const uint8_t* const* a, const int16_t* wp, size_t kc,
                                                              uint8x8_t vza, const int32_t* bias, uint8_t* const* c,
                                                              const OutParams* p) {
  const uint8_t *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3];
  size_t blocks = kc / 8;
  QB_LANE_FUSED("usubl", "sqxtun", "umax", "umin");
}
__attribute__((always_inline)) static inline void lane_fused4(const int8_t* const* a, const int16_t* wp, size_t kc,
                                                              int8x8_t vza, const int32_t* bias, uint8_t* const* c,
                                                              const OutParams* p) {
  const int8_t *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3];
  size_t blocks = kc / 8;
  QB_LANE_FUSED("ssubl", "sqxtn", "smax", "smin");
}
#undef QB_LANE_FUSED
#undef QB_LANE_LOOP
#undef QB_LANE_K
#undef QB_LANE_ROW
#undef QB_LANE_K8
#undef QB_LANE_ROW8

template <typename T, int MR>
struct LaneLoop {   // MR != 4: intrinsics
  template <typename V>
  static inline void run(const T* const* a, const int16_t* wp, size_t kc, V vza, const int32_t* bias,
                         int32x4_t (&acc)[MR][4], bool half) {
    for (int j = 0; j < 4; j++)
      for (int m = 0; m < MR; m++) acc[m][j] = vld1q_s32(bias + 4 * j);
    for (size_t k = 0; k < kc; k += 8) {
      int16x8_t va[MR];
      for (int m = 0; m < MR; m++) va[m] = widen_minus_zp(a[m] + k, vza);
      if (half) {
        QB_LANE_STEP8(0) QB_LANE_STEP8(1) QB_LANE_STEP8(2) QB_LANE_STEP8(3)
        QB_LANE_STEP8(4) QB_LANE_STEP8(5) QB_LANE_STEP8(6) QB_LANE_STEP8(7)
        continue;
      }
      QB_LANE_STEP(0) QB_LANE_STEP(1) QB_LANE_STEP(2) QB_LANE_STEP(3)
      QB_LANE_STEP(4) QB_LANE_STEP(5) QB_LANE_STEP(6) QB_LANE_STEP(7)
    }
  }
};
template <typename T>
struct LaneLoop<T, 4> {
  template <typename V>
  static inline void run(const T* const* a, const int16_t* wp, size_t kc, V vza, const int32_t* bias,
                         int32x4_t (&acc)[4][4], bool half) {
    lane_loop4(a, wp, kc, vza, bias, acc, half);
  }
};

template <typename T, int MR, bool kLeftShift, bool kAllRightShifts>
static void gemm_lane_neon_impl(size_t mr, size_t nc, size_t kc, const void* a_, size_t a_stride, const void* w_,
                                void* c_, size_t cm_stride, const OutParams* p) {
  constexpr int NR = 16;
  const T* a[MR];
  uint8_t* c[MR];
  for (int m = 0; m < MR; m++) {
    size_t row = (size_t)m < mr ? m : mr - 1;
    a[m] = static_cast<const T*>(a_) + row * a_stride;
    c[m] = static_cast<uint8_t*>(c_) + row * cm_stride;
  }
  const auto vza = dup_zp((T*)nullptr, p->input_zero_point);
  const int32x4_t vzp = vdupq_n_s32(p->zero_point);
  const uint8x16_t vmin = vdupq_n_u8((uint8_t)p->act_min), vmax = vdupq_n_u8((uint8_t)p->act_max);
  const uint8_t* w = static_cast<const uint8_t*>(w_);
  while (nc > 0) {
    const int32_t* hdr = reinterpret_cast<const int32_t*>(w);
    const int16_t* wp = reinterpret_cast<const int16_t*>(w + 16 * NR);
    if (MR == 4 && kAllRightShifts && !kLeftShift && nc >= (size_t)NR) {
      lane_fused4(a, wp, kc, vza, hdr, c, p);
      for (int m = 0; m < MR; m++) c[m] += NR;
      w += 16 * NR + (size_t)NR * kc * 2;
      nc -= NR;
      continue;
    }
    int32x4_t acc[MR][4];
    const bool half = nc <= (size_t)NR / 2;   // the last group, packed 8 wide
    LaneLoop<T, MR>::run(a, wp, kc, vza, hdr, acc, half);
    size_t ncur = nc < (size_t)NR ? nc : NR;
    store_tile16<T, MR, kLeftShift, kAllRightShifts>(acc, hdr, vzp, vmin, vmax, c, ncur);
    w += 16 * NR + (size_t)NR * kc * 2;
    nc -= ncur;
  }
}
#undef QB_LANE_STEP
#undef QB_LANE_STEP8

template <typename T, int MR>
void gemm_lane_neon(size_t mr, size_t nc, size_t kc, const void* a, size_t a_stride, const void* w, void* c,
                    size_t cm_stride, const int32_t*, const OutParams* p) {
  const bool left = (p->flags & kOutAnyLeftShift) != 0, right = (p->flags & kOutAllRightShifts) != 0;
  if (left) {
    if (right) gemm_lane_neon_impl<T, MR, true, true>(mr, nc, kc, a, a_stride, w, c, cm_stride, p);
    else gemm_lane_neon_impl<T, MR, true, false>(mr, nc, kc, a, a_stride, w, c, cm_stride, p);
  } else {
    if (right) gemm_lane_neon_impl<T, MR, false, true>(mr, nc, kc, a, a_stride, w, c, cm_stride, p);
    else gemm_lane_neon_impl<T, MR, false, false>(mr, nc, kc, a, a_stride, w, c, cm_stride, p);
  }
}

}  // namespace qbridge
#endif
