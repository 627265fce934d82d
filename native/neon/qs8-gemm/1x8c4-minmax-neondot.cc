// int8 GEMM, 1 row(s) x 8 columns, SDOT by element (aarch64 +dotprod).
#include "../common/gemm-c4-neondot.h"

namespace qbridge {
void qs8_gemm_minmax_ukernel_1x8c4__neondot(size_t mr, size_t nc, size_t kc, const void* a, size_t a_stride, const void* w, void* c, size_t cm_stride, const int32_t* rowcorr, const OutParams* p) {
  gemm_c4_neondot<int8_t, 1>(mr, nc, kc, a, a_stride, w, c, cm_stride, rowcorr, p);
}
}  // namespace qbridge
