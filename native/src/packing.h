// Packing weights once, at compile time, into the layout of the chosen micro-kernel (kernels.h):
// per block of channels a header (bias with the zero-point terms folded in, multiplier, left
// shift, negative right shift), then the weights.
#ifndef QBRIDGE_PACKING_H
#define QBRIDGE_PACKING_H

#include <cstddef>
#include <cstdint>

#include "kernels.h"
#include "op.h"

namespace qbridge {

// An output stage as the program carries it (program.def): per channel multiplier and shift
// (> 0 left, < 0 right), then the output zero point and the clamp of the fused activation.
struct OutputStage {
  const int32_t* multiplier;
  const int32_t* shift;
  int32_t zero_point, min, max;
};

// The kernels' form of an output stage: zero point, clamp, and OutParams::flags (what every
// channel's multiplier and shift allow the kernels to skip). The multipliers and shifts go into
// the packed weights' headers.
OutParams kernel_out_params(const OutputStage& out, int channels, int input_zero_point);

// True when an int8 weight is -128 (outside the spec's [-127, 127]).
bool has_minus128(const uint8_t* w, size_t n, bool u8);

// GEMM weights filter[N][K] into groups of kernel.nr columns; returns the bytes of one group.
size_t pack_gemm(const GemmKernel& kernel, bool u8, int N, int K, int Kpad, const uint8_t* filter,
                 const int32_t* bias, const OutputStage& out, int zpa, int zpw, Buffer& packed);

// Depthwise weights filter[taps][channels] into blocks of kernel.cb channels.
void pack_dwconv(const DwKernel& kernel, bool u8, int channels, int taps, const uint8_t* filter,
                 const int32_t* bias, const OutputStage& out, int zpa, int zpw, Buffer& packed);

}  // namespace qbridge
#endif
