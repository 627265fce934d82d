// What the CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED records share (program.def): the
// convolution geometry, then after the arena offsets the zero points, bias, filter and output
// stage.
#ifndef QBRIDGE_OPS_CONV_COMMON_H
#define QBRIDGE_OPS_CONV_COMMON_H

#include "../im2col.h"
#include "../packing.h"
#include "../program.h"

namespace qbridge {

// batches through pad_left; depth_multiplier (DEPTHWISE_CONV_2D) when not null. Checked for sanity.
ConvGeometry read_conv_geometry(Reader& r, int* output_channels, int* depth_multiplier);

struct ConvWeights {
  int input_zero_point, filter_zero_point;
  const int32_t* bias;   // [channels]
  const uint8_t* filter;
  int64_t filter_bytes;
  OutputStage out;
};

// input_zero_point through output_max, for `channels` output channels.
ConvWeights read_conv_weights(Reader& r, int channels);

// output_multiplier[channels] output_shift[channels] output_zero_point output_min output_max
OutputStage read_output_stage(Reader& r, int channels);

}  // namespace qbridge
#endif
