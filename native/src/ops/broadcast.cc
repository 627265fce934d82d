#include "broadcast.h"

namespace qbridge {

void read_broadcast(Reader& r, Broadcast& g, const OpContext& ctx) {
  g.rank = r.count("rank", 8);
  if (g.rank < 1) throw ProgramError("broadcast rank 0");
  int64_t extent1 = 1, extent2 = 1;
  g.count = 1;
  for (int d = 0; d < g.rank; d++) g.shape[d] = r.count("dimension");
  for (int d = 0; d < g.rank; d++) g.stride1[d] = r.count("stride");
  for (int d = 0; d < g.rank; d++) g.stride2[d] = r.count("stride");
  for (int d = 0; d < g.rank; d++) {
    g.count *= g.shape[d];
    if (g.shape[d] > 0) {
      extent1 += (int64_t)(g.shape[d] - 1) * g.stride1[d];
      extent2 += (int64_t)(g.shape[d] - 1) * g.stride2[d];
    }
  }
  read_operand(r, g.a, ctx, g.count == 0 ? 0 : extent1);
  read_operand(r, g.b, ctx, g.count == 0 ? 0 : extent2);
  int64_t out = r.count("output offset");
  check_tensor("output", out, g.count, ctx.arena_bytes);
  g.out = ctx.arena + out;
}

}  // namespace qbridge
