// Portable uint8 GEMM, 1 row x 4 columns (fully-connected with batch 1).
#include "../common/gemm-scalar.h"

namespace qbridge {
void qu8_gemm_minmax_ukernel_1x4c16__scalar(size_t mr, size_t nc, size_t kc, const void* a, size_t a_stride, const void* w, void* c, size_t cm_stride, const int32_t* rowcorr, const OutParams* p) {
  gemm_c16_scalar<uint8_t, 1, 4>(mr, nc, kc, a, a_stride, w, c, cm_stride, rowcorr, p);
}
}  // namespace qbridge
