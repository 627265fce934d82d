// int8 GEMM, 1 row(s) x 4 columns, SMULL + SMLAL2 + SADALP (aarch64 without dot product: 4 rows; armv7: 2 rows).
#include "../common/gemm-c16-neon.h"

namespace qbridge {
void qs8_gemm_minmax_ukernel_1x4c16__neon_mlal_padal(size_t mr, size_t nc, size_t kc, const void* a, size_t a_stride, const void* w, void* c, size_t cm_stride, const int32_t* rowcorr, const OutParams* p) {
  gemm_c16_neon<int8_t, 1>(mr, nc, kc, a, a_stride, w, c, cm_stride, rowcorr, p);
}
}  // namespace qbridge
