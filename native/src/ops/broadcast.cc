#include "broadcast.h"

namespace qbridge {

void read_broadcast(Reader& r, Broadcast& g, const OpContext& ctx) {
  g.rank = r.count("rank", 8);
  if (g.rank < 1) throw ProgramError("broadcast rank 0");
  int64_t extent1 = 1, extent2 = 1;
  g.count = 1;
  const int32_t* shape = r.ints("shape", g.rank);
  const int32_t* stride1 = r.ints("input1_stride", g.rank);
  const int32_t* stride2 = r.ints("input2_stride", g.rank);
  for (int d = 0; d < g.rank; d++) {
    if (shape[d] < 0 || stride1[d] < 0 || stride2[d] < 0) throw ProgramError("bad broadcast geometry");
    g.shape[d] = shape[d];
    g.stride1[d] = stride1[d];
    g.stride2[d] = stride2[d];
  }
  for (int d = 0; d < g.rank; d++) {
    g.count *= g.shape[d];
    if (g.shape[d] > 0) {
      extent1 += (int64_t)(g.shape[d] - 1) * g.stride1[d];
      extent2 += (int64_t)(g.shape[d] - 1) * g.stride2[d];
    }
  }
  read_operand(r, "input1", g.a, ctx, g.count == 0 ? 0 : extent1);
  read_operand(r, "input2", g.b, ctx, g.count == 0 ? 0 : extent2);
  int64_t out = r.count("output");
  check_tensor("output", out, g.count, ctx.arena_bytes);
  g.out = ctx.arena + out;
}

}  // namespace qbridge
