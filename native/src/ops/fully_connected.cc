// FULLY_CONNECTED (uint8, int8) as a GEMM (gemm_op.h) reading its input in place
// (kernels/qs8-gemm, kernels/qu8-gemm; batch 1 through the kernels' one-row variants).
#include "../gemm_op.h"
#include "ops.h"
#include "conv_common.h"

namespace qbridge {

std::unique_ptr<Op> read_fully_connected(Reader& r, const OpContext& ctx) {
  bool u8 = read_type(r);
  int batches = r.count("batches");
  int K = r.count("inDepth", 1 << 28);
  int N = r.count("outDepth", 1 << 24);
  int64_t in_off = r.count("input offset"), out_off = r.count("output offset");
  GemmQuantization gq = read_gemm_quantization(r, N);
  int64_t filter_bytes = r.count("filter bytes");
  if (filter_bytes != (int64_t)N * K) throw ProgramError("fully connected: filter size mismatch");
  const uint8_t* filter = r.bytes(filter_bytes);
  check_tensor("fully connected input", in_off, (int64_t)batches * K, ctx.arena_bytes);
  check_tensor("fully connected output", out_off, (int64_t)batches * N, ctx.arena_bytes);
  return std::unique_ptr<Op>(new GemmOp(ctx.isa, u8, batches, N, K, filter, gq.rq, gq.zpa, gq.zpw, gq.out,
                                        ctx.arena + in_off, ctx.arena + out_off, nullptr, ctx.threads));
}

}  // namespace qbridge
