// Portable depthwise convolution: any tap count and depth multiplier. Weights packed like the
// NEON uint8 kernel (blocks of CB channels, int16 w - w_zp), for uint8 and int8 alike.
#ifndef QBRIDGE_DWCONV_SCALAR_H
#define QBRIDGE_DWCONV_SCALAR_H

#include "../../src/kernels.h"
#include "../../src/requant.h"

namespace qbridge {

template <typename T, int CB>
void dwconv_scalar(size_t channels, size_t pixels, const void* const* indirection, size_t taps, size_t dm,
                   const void* w_, void* out_, const OutParams* p) {
  T* out = static_cast<T*>(out_);
  const T* const* ind = reinterpret_cast<const T* const*>(indirection);
  for (size_t px = 0; px < pixels; px++, ind += taps, out += channels) {
    const uint8_t* w = static_cast<const uint8_t*>(w_);
    for (size_t c0 = 0; c0 < channels; c0 += CB) {
      const int32_t* hdr = reinterpret_cast<const int32_t*>(w);
      const int16_t* wt = reinterpret_cast<const int16_t*>(w + 16 * CB);
      size_t n = channels - c0 < (size_t)CB ? channels - c0 : CB;
      for (size_t i = 0; i < n; i++) {
        size_t c = c0 + i;
        int32_t acc = hdr[i];
        for (size_t t = 0; t < taps; t++) {
          acc = wrap_add(acc, (int32_t)ind[t][c / dm] * wt[t * CB + i]);
        }
        int32_t v = wrap_add(mbqm(acc, hdr[CB + i], hdr[2 * CB + i], hdr[3 * CB + i]), p->zero_point);
        out[c] = (T)clamp(v, p->act_min, p->act_max);
      }
      w += 16 * CB + taps * CB * 2;
    }
  }
}

}  // namespace qbridge
#endif
