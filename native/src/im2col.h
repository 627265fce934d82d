// Reading a convolution's input through pointers computed once at compile time (the arena does
// not move): im2col rows for the GEMM-based CONV_2D, and the indirection buffer of
// DEPTHWISE_CONV_2D (one pointer per output pixel and tap). Padding reads a row of input zero
// points.
#ifndef QBRIDGE_IM2COL_H
#define QBRIDGE_IM2COL_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include "op.h"

namespace qbridge {

// NHWC convolution geometry.
struct ConvGeometry {
  int batches, inH, inW, inC, outH, outW, fH, fW, strideH, strideW, dilationH, dilationW, padTop, padLeft;
};

class Im2col {
 public:
  // For a row whose taps are all inside horizontally, one pointer per filter row to fW * inC
  // contiguous bytes; otherwise one pointer per tap to inC bytes.
  void build(const ConvGeometry& g, const uint8_t* input, int input_zero_point);
  // Rows [m0, m0 + rows) of the im2col matrix into dst (row stride `stride`), columns [0, K).
  void copy(uint8_t* dst, size_t stride, int m0, int rows) const;

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
