#include "conv_common.h"

namespace qbridge {

ConvGeometry read_conv_geometry(Reader& r, int* output_channels, int* depth_multiplier) {
  ConvGeometry g;
  g.batches = r.count("batches");
  g.inH = r.count("inH");
  g.inW = r.count("inW");
  g.inC = r.count("inC");
  g.outH = r.count("outH");
  g.outW = r.count("outW");
  *output_channels = r.count("outC", 1 << 24);
  g.fH = r.count("fH", 1 << 12);
  g.fW = r.count("fW", 1 << 12);
  if (depth_multiplier != nullptr) *depth_multiplier = r.count("depth multiplier");
  g.strideH = r.count("strideH");
  g.strideW = r.count("strideW");
  g.dilationH = r.count("dilationH");
  g.dilationW = r.count("dilationW");
  g.padTop = r.count("padTop");
  g.padLeft = r.count("padLeft");
  if (g.strideH < 1 || g.strideW < 1 || g.dilationH < 1 || g.dilationW < 1 || g.fH < 1 || g.fW < 1 ||
      (depth_multiplier != nullptr && *depth_multiplier < 1)) {
    throw ProgramError("conv: bad stride, dilation or filter size");
  }
  return g;
}

// Zero points travel as TFLite's negated offsets.
GemmQuantization read_gemm_quantization(Reader& r, int channels) {
  GemmQuantization g;
  g.zpa = -r.i32();
  g.zpw = -r.i32();
  g.out.zero_point = r.i32();
  g.out.act_min = r.i32();
  g.out.act_max = r.i32();
  g.rq.multiplier = r.ints(channels);
  g.rq.shift = r.ints(channels);
  g.rq.bias = r.ints(channels);
  return g;
}

}  // namespace qbridge
