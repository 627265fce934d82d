// uint8 GEMM, 1 row x 16 columns (fully-connected, batch 1), 4 k per column block: UDOT by element (aarch64 +dotprod).
#include "../common/gemm-c4x16-neondot.h"

namespace qbridge {
void qu8_gemm_minmax_ukernel_1x16c4__neondot(size_t mr, size_t nc, size_t kc, const void* a, size_t a_stride,
                                               const void* w, void* c, size_t cm_stride, const int32_t* rowcorr,
                                               const OutParams* p) {
  gemm_c4x16_neondot<uint8_t, 1>(mr, nc, kc, a, a_stride, w, c, cm_stride, rowcorr, p);
}
}  // namespace qbridge
