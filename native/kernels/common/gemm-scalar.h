// Portable GEMM micro-kernel (the reference the NEON kernels are tested against in C++, and the
// kernel on hosts without NEON). Packing: NR columns per group, blocks of 16 k (8 at the end).
#ifndef QBRIDGE_GEMM_SCALAR_H
#define QBRIDGE_GEMM_SCALAR_H

#include "../../src/kernels.h"
#include "../../src/requant.h"

namespace qbridge {

template <typename T, int MR, int NR>
void gemm_c16_scalar(size_t mr, size_t nc, size_t kc, const void* a_, size_t a_stride, const void* w_,
                     void* c_, size_t cm_stride, const int32_t* rowcorr, const OutParams* p) {
  const T* a = static_cast<const T*>(a_);
  T* c = static_cast<T*>(c_);
  const uint8_t* w = static_cast<const uint8_t*>(w_);
  while (nc > 0) {
    const int32_t* hdr = reinterpret_cast<const int32_t*>(w);
    const T* wp = reinterpret_cast<const T*>(w + 16 * NR);
    uint32_t acc[MR][NR] = {};
    for (size_t k0 = 0; k0 < kc;) {
      size_t blk = kc - k0 >= 16 ? 16 : 8;
      for (int n = 0; n < NR; n++) {
        for (size_t k = 0; k < blk; k++) {
          int32_t wv = wp[n * blk + k];
          for (size_t m = 0; m < mr; m++) {
            acc[m][n] += (uint32_t)((int32_t)a[m * a_stride + k0 + k] * wv);
          }
        }
      }
      wp += NR * blk;
      k0 += blk;
    }
    size_t ncur = nc < (size_t)NR ? nc : NR;
    for (size_t m = 0; m < mr; m++) {
      for (size_t n = 0; n < ncur; n++) {
        int32_t v = wrap_add(wrap_add((int32_t)acc[m][n], hdr[n]), rowcorr[m]);
        v = wrap_add(mbqm(v, hdr[NR + n], hdr[2 * NR + n], hdr[3 * NR + n]), p->zero_point);
        c[m * cm_stride + n] = (T)clamp(v, p->act_min, p->act_max);
      }
    }
    w += 16 * NR + (size_t)NR * kc;
    c += NR;
    nc -= ncur;
  }
}

}  // namespace qbridge
#endif
