// FULLY_CONNECTED (uint8, int8) as a GEMM (gemm_op.h) reading its input in place
// (kernels/qs8-gemm, kernels/qu8-gemm; batch 1 through the kernels' one-row variants).
#include "../gemm_op.h"
#include "conv_common.h"
#include "ops.h"

namespace qbridge {

std::unique_ptr<Op> read_fully_connected(Reader& r, const OpContext& ctx) {
  bool u8 = read_type(r);
  int batches = r.count("batches");
  int K = r.count("input_depth", 1 << 28);
  int N = r.count("output_depth", 1 << 24);
  int64_t in_off = r.count("input"), out_off = r.count("output");
  ConvWeights w = read_conv_weights(r, N);
  if (w.filter_bytes != (int64_t)N * K) throw ProgramError("FULLY_CONNECTED: filter size mismatch");
  check_tensor("FULLY_CONNECTED input", in_off, (int64_t)batches * K, ctx.arena_bytes);
  check_tensor("FULLY_CONNECTED output", out_off, (int64_t)batches * N, ctx.arena_bytes);
  return std::unique_ptr<Op>(
      new GemmOp(ctx.isa, u8, batches, N, K, w, ctx.arena + in_off, ctx.arena + out_off, nullptr, ctx.threads));
}

}  // namespace qbridge
