// MEAN over any dimensions (uint8, int8): sums at precomputed element offsets, then TFLite's
// requantization.
#include <vector>

#include "../requant.h"
#include "ops.h"

namespace qbridge {
namespace {

class MeanOp : public SplitOp<MeanOp> {
 public:
  bool u8;
  int outputs, reduced_count;
  int32_t zp_times_count, mult, shift, out_zp;
  std::vector<int32_t> out_base, reduced_offsets;
  const uint8_t* in;
  uint8_t* out;

  int64_t items() const { return outputs; }
  void work(int64_t o0, int64_t o1, int) {
    if (u8) range<uint8_t>((int)o0, (int)o1); else range<int8_t>((int)o0, (int)o1);
  }
  template <typename T>
  void range(int o0, int o1) {
    const T* x = reinterpret_cast<const T*>(in);
    const int32_t lo = u8 ? 0 : -128, hi = u8 ? 255 : 127;
    for (int o = o0; o < o1; o++) {
      if (reduced_count == 0) {
        out[o] = 0;
        continue;
      }
      const T* base = x + out_base[o];
      int32_t sum = 0;
      for (int r = 0; r < reduced_count; r++) sum = wrap_add(sum, base[reduced_offsets[r]]);
      int32_t v = wrap_add(mbqm(wrap_add(sum, -zp_times_count), mult, shift > 0 ? shift : 0, shift > 0 ? 0 : shift),
                           out_zp);
      reinterpret_cast<T*>(out)[o] = (T)clamp(v, lo, hi);
    }
  }
};

}  // namespace

std::unique_ptr<Op> read_mean(Reader& r, const OpContext& ctx) {
  std::unique_ptr<MeanOp> op(new MeanOp());
  op->u8 = read_type(r);
  op->outputs = r.count("outputs");
  op->reduced_count = r.count("reduced_count");
  int64_t in = r.count("input"), out = r.count("output"), in_bytes = r.count("input_bytes");
  const int32_t* base = r.ints("output_first_element", op->outputs);
  const int32_t* red = r.ints("reduced_element", op->reduced_count);
  op->zp_times_count = r.i32("input_zero_point_times_count");
  op->mult = r.i32("output_multiplier");
  op->shift = r.i32("output_shift");
  op->out_zp = r.i32("output_zero_point");
  op->out_base.assign(base, base + op->outputs);
  op->reduced_offsets.assign(red, red + op->reduced_count);
  check_tensor("mean input", in, in_bytes, ctx.arena_bytes);
  check_tensor("mean output", out, op->outputs, ctx.arena_bytes);
  for (int o = 0; o < op->outputs; o++)
    for (int k : {0, op->reduced_count - 1})
      if (op->reduced_count > 0 && (op->out_base[o] < 0 || (int64_t)op->out_base[o] + op->reduced_offsets[k] >= in_bytes))
        throw ProgramError("mean: offset outside the input");
  op->in = ctx.arena + in;
  op->out = ctx.arena + out;
  return std::unique_ptr<Op>(op.release());
}

}  // namespace qbridge
