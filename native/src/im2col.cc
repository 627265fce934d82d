#include "im2col.h"

#include <cstring>

namespace qbridge {
void Im2col::build(const ConvGeometry& g, const uint8_t* input, int input_zero_point) {
  g_ = g;
  const size_t span = (size_t)g.fW * g.inC;
  zero_row_.resize(span + 16);
  std::memset(zero_row_.data(), input_zero_point, zero_row_.size());
  const int pixels = g.outH * g.outW;
  const int M = g.batches * pixels;
  row_contiguous_.assign(M, 0);
  row_ptrs_.assign((size_t)M * g.fH * g.fW, nullptr);
  for (int m = 0; m < M; m++) {
    int b = m / pixels, p = m % pixels;
    int oy = p / g.outW, ox = p % g.outW;
    int ix0 = ox * g.strideW - g.padLeft;
    bool inside = g.dilationW == 1 && ix0 >= 0 && ix0 + g.fW <= g.inW;
    row_contiguous_[m] = inside;
    const uint8_t** ptrs = row_ptrs_.data() + (size_t)m * g.fH * g.fW;
    for (int ky = 0; ky < g.fH; ky++) {
      int iy = oy * g.strideH - g.padTop + ky * g.dilationH;
      for (int kx = 0; kx < g.fW; kx++) {
        int ix = ix0 + kx * g.dilationW;
        bool ok = iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW;
        ptrs[ky * g.fW + kx] = ok ? input + ((size_t)(b * g.inH + iy) * g.inW + ix) * g.inC : zero_row_.data();
      }
      if (inside && (iy < 0 || iy >= g.inH)) ptrs[ky * g.fW] = zero_row_.data();
    }
  }
}

void build_dwconv_indirection(const ConvGeometry& g, const uint8_t* input, const void* zero_row,
                              std::vector<const void*>& indirection) {
  const int T = g.fH * g.fW;
  indirection.resize((size_t)g.batches * g.outH * g.outW * T);
  for (int b = 0; b < g.batches; b++) {
    for (int oy = 0; oy < g.outH; oy++) {
      for (int ox = 0; ox < g.outW; ox++) {
        const void** dst = indirection.data() + ((size_t)(b * g.outH + oy) * g.outW + ox) * T;
        for (int ky = 0; ky < g.fH; ky++) {
          for (int kx = 0; kx < g.fW; kx++) {
            int iy = oy * g.strideH - g.padTop + ky * g.dilationH;
            int ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
            bool inside = iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW;
            dst[ky * g.fW + kx] = inside ? input + ((size_t)(b * g.inH + iy) * g.inW + ix) * g.inC : zero_row;
          }
        }
      }
    }
  }
}

}  // namespace qbridge
