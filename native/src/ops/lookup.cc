// Elementwise 8-bit to 8-bit ops whose result depends on the input byte only: QUANTIZE between
// uint8 and int8, quantized RELU/RELU6/LOGISTIC/TANH. out = table[in], the table made by Java.

#include "ops.h"

namespace qbridge {
namespace {

class LookupOp : public SplitOp<LookupOp> {
 public:
  size_t count;
  uint8_t table[256];
  const uint8_t* in;
  uint8_t* out;
  int64_t items() const { return (int64_t)count; }
  void work(int64_t i0, int64_t i1, int) {
    for (int64_t i = i0; i < i1; i++) out[i] = table[in[i]];
  }
};

}  // namespace

std::unique_ptr<Op> read_lookup(Reader& r, const OpContext& ctx) {
  std::unique_ptr<LookupOp> op(new LookupOp());
  op->count = r.count("count");
  int64_t in = r.count("input"), out = r.count("output");
  const int32_t* t = r.ints("table", 256);
  for (int i = 0; i < 256; i++) op->table[i] = (uint8_t)t[i];
  check_tensor("lookup input", in, op->count, ctx.arena_bytes);
  check_tensor("lookup output", out, op->count, ctx.arena_bytes);
  op->in = ctx.arena + in;
  op->out = ctx.arena + out;
  return std::unique_ptr<Op>(op.release());
}

}  // namespace qbridge
