// Dot-product helpers (SDOT/UDOT by element; Cortex-A55/A76, Raspberry Pi 5) for the 4-k-block
// GEMMs: each multiplies 4 k of one row with 4 columns and accumulates 16 products. Included only
// by files built with +dotprod, which run only when HWCAP_ASIMDDP is set.
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

}  // namespace qbridge
#endif
