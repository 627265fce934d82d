// Reading a convolution's input through pointers computed once at compile time (the arena does
// not move): im2col rows for the GEMM-based CONV_2D, and the indirection buffer of
// DEPTHWISE_CONV_2D (one pointer per output pixel and tap). Padding reads a row of input zero
// points.
#ifndef QBRIDGE_IM2COL_H
#define QBRIDGE_IM2COL_H

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "op.h"

namespace qbridge {

// NHWC convolution geometry.
struct ConvGeometry {
  int batches, inH, inW, inC, outH, outW, fH, fW, strideH, strideW, dilationH, dilationW, padTop, padLeft;
};

// memcpy for the few bytes of one im2col segment (3 channels x 3 taps in a first layer):
// two overlapping fixed-size moves instead of a library call (GCC turns byte loops into one).
static inline void copy_small(uint8_t* dst, const uint8_t* src, size_t n) {
  if (n >= 8 && n <= 16) {
    uint64_t x, y;
    std::memcpy(&x, src, 8);
    std::memcpy(&y, src + n - 8, 8);
    std::memcpy(dst, &x, 8);
    std::memcpy(dst + n - 8, &y, 8);
  } else if (n >= 4 && n < 8) {
    uint32_t x, y;
    std::memcpy(&x, src, 4);
    std::memcpy(&y, src + n - 4, 4);
    std::memcpy(dst, &x, 4);
    std::memcpy(dst + n - 4, &y, 4);
  } else {
    std::memcpy(dst, src, n);
  }
}

class Im2col {
 public:
  // For a row whose taps are all inside horizontally, one pointer per filter row to fW * inC
  // contiguous bytes; otherwise one pointer per tap to inC bytes.
  void build(const ConvGeometry& g, const uint8_t* input, int input_zero_point);
  // Rows [m0, m0 + rows) of the im2col matrix into dst (row stride `stride`), columns [0, K).
  // Inline: it runs per block of rows, inside the GEMM's loop.
  void copy(uint8_t* dst, size_t stride, int m0, int rows) const {
    const ConvGeometry& g = g_;
    const size_t span = (size_t)g.fW * g.inC;
    const int taps = g.fH * g.fW;
    for (int r = 0; r < rows; r++) {
      int m = m0 + r;
      uint8_t* row = dst + (size_t)r * stride;
      const uint8_t* const* ptrs = row_ptrs_.data() + (size_t)m * taps;
      if (row_contiguous_[m]) {
        for (int ky = 0; ky < g.fH; ky++) copy_small(row + ky * span, ptrs[ky * g.fW], span);
      } else {
        for (int t = 0; t < taps; t++) copy_small(row + (size_t)t * g.inC, ptrs[t], g.inC);
      }
    }
  }

 private:
  ConvGeometry g_;
  Buffer zero_row_;
  std::vector<uint8_t> row_contiguous_;
  std::vector<const uint8_t*> row_ptrs_;
};

// DEPTHWISE_CONV_2D's indirection buffer: [pixel][tap] pointers into input (or to zero_row).
void build_dwconv_indirection(const ConvGeometry& g, const uint8_t* input, const void* zero_row,
                              std::vector<const void*>& indirection);

}  // namespace qbridge
#endif
