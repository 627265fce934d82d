// CONV_2D (uint8, int8) as a GEMM (gemm_op.h): a 1x1 stride-1 convolution reads its input in
// place, any other through im2col (kernels/qs8-gemm, kernels/qu8-gemm).
#include <string>

#include "../gemm_op.h"
#include "ops.h"
#include "output_stage.h"

namespace qbridge {

std::unique_ptr<Op> make_depthwise_conv2d(Isa isa, bool u8, const ConvGeometry& g, int outC, int dm,
                                          const uint8_t* filter, const Requant& rq, int zpa, int zpw,
                                          const OutParams& q, const uint8_t* input, uint8_t* output);

std::unique_ptr<Op> read_conv2d(Reader& r, const OpContext& ctx) {
  int type = r.i32();
  if (type != kUint8 && type != kInt8) throw ProgramError("conv: unknown type " + std::to_string(type));
  bool u8 = type == kUint8;
  bool depthwise = r.i32() != 0;
  ConvGeometry g;
  g.batches = r.count("batches");
  g.inH = r.count("inH");
  g.inW = r.count("inW");
  g.inC = r.count("inC");
  g.outH = r.count("outH");
  g.outW = r.count("outW");
  int outC = r.count("outC", 1 << 24);
  g.fH = r.count("fH", 1 << 12);
  g.fW = r.count("fW", 1 << 12);
  int dm = r.count("depth multiplier");
  g.strideH = r.count("strideH");
  g.strideW = r.count("strideW");
  g.dilationH = r.count("dilationH");
  g.dilationW = r.count("dilationW");
  g.padTop = r.count("padTop");
  g.padLeft = r.count("padLeft");
  int64_t in_off = r.count("input offset"), out_off = r.count("output offset");
  GemmQuantization gq = read_gemm_quantization(r, outC);
  int64_t filter_bytes = r.count("filter bytes");
  int64_t K = depthwise ? (int64_t)g.fH * g.fW : (int64_t)g.fH * g.fW * g.inC;
  if (filter_bytes != K * outC) throw ProgramError("conv: filter size mismatch");
  const uint8_t* filter = r.bytes(filter_bytes);
  check_tensor("conv input", in_off, (int64_t)g.batches * g.inH * g.inW * g.inC, ctx.arena_bytes);
  check_tensor("conv output", out_off, (int64_t)g.batches * g.outH * g.outW * outC, ctx.arena_bytes);
  if (g.strideH < 1 || g.strideW < 1 || g.dilationH < 1 || g.dilationW < 1 || g.fH < 1 || g.fW < 1 || dm < 1) {
    throw ProgramError("conv: bad stride, dilation or filter size");
  }
  if (depthwise) {
    if ((int64_t)g.inC * dm != outC) throw ProgramError("depthwise: channel mismatch");
    return make_depthwise_conv2d(ctx.isa, u8, g, outC, dm, filter, gq.rq, gq.zpa, gq.zpw, gq.out,
                                 ctx.arena + in_off, ctx.arena + out_off);
  }
  bool direct = g.fH == 1 && g.fW == 1 && g.strideH == 1 && g.strideW == 1 && g.padTop == 0 && g.padLeft == 0 &&
                g.outH == g.inH && g.outW == g.inW;
  int64_t M = (int64_t)g.batches * g.outH * g.outW;
  return std::unique_ptr<Op>(new GemmOp(ctx.isa, u8, (int)M, outC, (int)K, filter, gq.rq, gq.zpa, gq.zpw, gq.out,
                                        ctx.arena + in_off, ctx.arena + out_off, direct ? nullptr : &g, ctx.threads));
}

}  // namespace qbridge
