// CONV_2D (uint8, int8) as a GEMM (gemm_op.h): a 1x1 stride-1 convolution reads its input in
// place, any other through im2col (kernels/qs8-gemm, kernels/qu8-gemm).
#include "../gemm_op.h"
#include "conv_common.h"
#include "ops.h"

namespace qbridge {

std::unique_ptr<Op> read_conv2d(Reader& r, const OpContext& ctx) {
  bool u8 = read_type(r);
  int outC;
  ConvGeometry g = read_conv_geometry(r, &outC, nullptr);
  int64_t in_off = r.count("input"), out_off = r.count("output");
  ConvWeights w = read_conv_weights(r, outC);
  int64_t K = (int64_t)g.fH * g.fW * g.inC;
  if (w.filter_bytes != K * outC) throw ProgramError("CONV_2D: filter size mismatch");
  check_tensor("CONV_2D input", in_off, (int64_t)g.batches * g.inH * g.inW * g.inC, ctx.arena_bytes);
  check_tensor("CONV_2D output", out_off, (int64_t)g.batches * g.outH * g.outW * outC, ctx.arena_bytes);
  bool direct = g.fH == 1 && g.fW == 1 && g.strideH == 1 && g.strideW == 1 && g.padTop == 0 && g.padLeft == 0 &&
                g.outH == g.inH && g.outW == g.inW;
  int64_t M = (int64_t)g.batches * g.outH * g.outW;
  return std::unique_ptr<Op>(new GemmOp(ctx.isa, u8, (int)M, outC, (int)K, w, ctx.arena + in_off,
                                        ctx.arena + out_off, direct ? nullptr : &g, ctx.threads));
}

}  // namespace qbridge
