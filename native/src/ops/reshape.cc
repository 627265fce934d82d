// RESHAPE and SQUEEZE: a byte copy (none where the planner put input and output together).
#include <cstring>

#include "ops.h"

namespace qbridge {
namespace {

class CopyOp : public Op {
 public:
  const uint8_t* in;
  uint8_t* out;
  size_t bytes;
  void run(ThreadPool&) override {
    if (in != out) std::memmove(out, in, bytes);
  }
};

}  // namespace

std::unique_ptr<Op> read_reshape(Reader& r, const OpContext& ctx) {
  std::unique_ptr<CopyOp> op(new CopyOp());
  op->bytes = r.count("byte_count");
  int64_t in = r.count("input"), out = r.count("output");
  check_tensor("copy input", in, op->bytes, ctx.arena_bytes);
  check_tensor("copy output", out, op->bytes, ctx.arena_bytes);
  op->in = ctx.arena + in;
  op->out = ctx.arena + out;
  return std::unique_ptr<Op>(op.release());
}

}  // namespace qbridge
