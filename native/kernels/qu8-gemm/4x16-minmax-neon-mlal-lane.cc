// uint8 GEMM, 4 rows x 16 columns, one k per step: SMLAL/SMLAL2 by element on int16 (aarch64).
#include "../common/gemm-lane-neon.h"

namespace qbridge {
void qu8_gemm_minmax_ukernel_4x16__neon_mlal_lane(size_t mr, size_t nc, size_t kc, const void* a, size_t a_stride,
                                                  const void* w, void* c, size_t cm_stride, const int32_t* rowcorr,
                                                  const OutParams* p) {
  gemm_lane_neon<uint8_t, 4>(mr, nc, kc, a, a_stride, w, c, cm_stride, rowcorr, p);
}
}  // namespace qbridge
