// What the CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED records share: the convolution geometry,
// the zero points of input and weights, the output stage and per-channel multiplier, shift and
// bias.
#ifndef QBRIDGE_OPS_CONV_COMMON_H
#define QBRIDGE_OPS_CONV_COMMON_H

#include "../im2col.h"
#include "../kernels.h"
#include "../packing.h"
#include "../program.h"

namespace qbridge {

// batches, input height/width/channels, output height/width/channels, filter height/width, then
// (DEPTHWISE_CONV_2D only, when depth_multiplier is not null) the depth multiplier, strides,
// dilations, padding; checked for sanity.
ConvGeometry read_conv_geometry(Reader& r, int* output_channels, int* depth_multiplier);

struct GemmQuantization {
  int zpa, zpw;
  OutParams out;
  Requant rq;
};

GemmQuantization read_gemm_quantization(Reader& r, int channels);

}  // namespace qbridge
#endif
