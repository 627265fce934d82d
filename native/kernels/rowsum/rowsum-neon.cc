// Row sums for the weight zero-point correction of uint8 GEMMs (and legacy int8 fully-connected
// weights with a zero point): 16 bytes per UADALP/SADALP pair, exact for any k.
#include <arm_neon.h>
#include <cstddef>
#include <cstdint>

namespace qbridge {

int32_t rowsum_u8_neon(const void* a_, size_t k) {
  const uint8_t* a = static_cast<const uint8_t*>(a_);
  uint32x4_t acc = vdupq_n_u32(0);
  size_t i = 0;
  for (; i + 16 <= k; i += 16) acc = vpadalq_u16(acc, vpaddlq_u8(vld1q_u8(a + i)));
  if (i + 8 <= k) {
    acc = vaddw_u16(acc, vpaddl_u8(vld1_u8(a + i)));
    i += 8;
  }
  uint32_t s = vgetq_lane_u32(acc, 0) + vgetq_lane_u32(acc, 1) + vgetq_lane_u32(acc, 2) + vgetq_lane_u32(acc, 3);
  for (; i < k; i++) s += a[i];
  return (int32_t)s;
}

int32_t rowsum_s8_neon(const void* a_, size_t k) {
  const int8_t* a = static_cast<const int8_t*>(a_);
  int32x4_t acc = vdupq_n_s32(0);
  size_t i = 0;
  for (; i + 16 <= k; i += 16) acc = vpadalq_s16(acc, vpaddlq_s8(vld1q_s8(a + i)));
  if (i + 8 <= k) {
    acc = vaddw_s16(acc, vpaddl_s8(vld1_s8(a + i)));
    i += 8;
  }
  int32_t s = vgetq_lane_s32(acc, 0) + vgetq_lane_s32(acc, 1) + vgetq_lane_s32(acc, 2) + vgetq_lane_s32(acc, 3);
  for (; i < k; i++) s += a[i];
  return s;
}

}  // namespace qbridge
