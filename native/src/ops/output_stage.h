// What CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED records share after their geometry: the zero
// points of input and weights, the output stage and per-channel multiplier, shift and bias.
#ifndef QBRIDGE_OPS_OUTPUT_STAGE_H
#define QBRIDGE_OPS_OUTPUT_STAGE_H

#include "../kernels.h"
#include "../packing.h"
#include "../program.h"

namespace qbridge {

struct GemmQuantization {
  int zpa, zpw;
  OutParams out;
  Requant rq;
};

GemmQuantization read_gemm_quantization(Reader& r, int channels);

}  // namespace qbridge
#endif
