#include "conv_common.h"

namespace qbridge {

ConvGeometry read_conv_geometry(Reader& r, int* output_channels, int* depth_multiplier) {
  ConvGeometry g;
  g.batches = r.count("batches");
  g.inH = r.count("input_height");
  g.inW = r.count("input_width");
  g.inC = r.count("input_channels");
  g.outH = r.count("output_height");
  g.outW = r.count("output_width");
  *output_channels = r.count("output_channels", 1 << 24);
  g.fH = r.count("filter_height", 1 << 12);
  g.fW = r.count("filter_width", 1 << 12);
  if (depth_multiplier != nullptr) *depth_multiplier = r.count("depth_multiplier");
  g.strideH = r.count("stride_height");
  g.strideW = r.count("stride_width");
  g.dilationH = r.count("dilation_height");
  g.dilationW = r.count("dilation_width");
  g.padTop = r.count("pad_top");
  g.padLeft = r.count("pad_left");
  if (g.strideH < 1 || g.strideW < 1 || g.dilationH < 1 || g.dilationW < 1 || g.fH < 1 || g.fW < 1 ||
      (depth_multiplier != nullptr && *depth_multiplier < 1)) {
    throw ProgramError("conv: bad stride, dilation or filter size");
  }
  return g;
}

ConvWeights read_conv_weights(Reader& r, int channels) {
  ConvWeights w;
  w.input_zero_point = r.i32("input_zero_point");
  w.filter_zero_point = r.i32("filter_zero_point");
  w.bias = r.ints("bias", channels);
  w.filter = r.bytes("filter", &w.filter_bytes);
  w.out = read_output_stage(r, channels);
  return w;
}

OutputStage read_output_stage(Reader& r, int channels) {
  OutputStage s;
  s.multiplier = r.ints("output_multiplier", channels);
  s.shift = r.ints("output_shift", channels);
  s.zero_point = r.i32("output_zero_point");
  s.min = r.i32("output_min");
  s.max = r.i32("output_max");
  return s;
}

}  // namespace qbridge
