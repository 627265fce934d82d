// ADD (uint8, int8) with broadcasting, as the Java reference: each input byte's rescaled value
// comes from a table the Java side made; same-shape inputs go through the vector kernel
// (kernels/q8-vadd), which computes the tables' formula in lanes.
#include <cstring>

#include "../requant.h"
#include "broadcast.h"
#include "ops.h"

namespace qbridge {
namespace {

class AddOp : public SplitOp<AddOp> {
 public:
  bool u8;
  Broadcast g;
  int32_t table1[256], table2[256];   // rescaled inputs
  int32_t mult, shift, offset, actMin, actMax;
  VaddFn vadd = nullptr;
  VaddParams vp;

  // the vector kernel splits elements; the table path splits rows of the innermost dimension
  int64_t items() const { return vadd != nullptr ? g.count : g.rows(); }
  void work(int64_t i0, int64_t i1, int) {
    if (vadd != nullptr) {
      if (i1 > i0) vadd(u8, i1 - i0, g.a.data + i0, g.b.data + i0, g.out + i0, &vp);
    } else if (u8) {
      rows<uint8_t>(i0, i1);
    } else {
      rows<int8_t>(i0, i1);
    }
  }

  template <typename T>
  void rows(int64_t r0, int64_t r1) {
    const int inner = g.inner();
    const int s1 = g.stride1[g.rank - 1], s2 = g.stride2[g.rank - 1];
    g.for_rows(r0, r1, [&](int64_t row, int64_t i1, int64_t i2) {
      T* o = reinterpret_cast<T*>(g.out) + row * inner;
      for (int k = 0; k < inner; k++) {
        int32_t sum = wrap_add(table1[g.a.data[i1 + (int64_t)k * s1]], table2[g.b.data[i2 + (int64_t)k * s2]]);
        int32_t v = wrap_add(rdbypot_java(srdhm(sum, mult), -shift), offset);
        o[k] = (T)clamp(v, actMin, actMax);
      }
    });
  }
};

}  // namespace

std::unique_ptr<Op> read_add(Reader& r, const OpContext& ctx) {
  std::unique_ptr<AddOp> op(new AddOp());
  op->u8 = read_type(r);
  read_broadcast(r, op->g, ctx);
  std::memcpy(op->table1, r.ints("input1_table", 256), sizeof op->table1);
  std::memcpy(op->table2, r.ints("input2_table", 256), sizeof op->table2);
  // the vector kernel adds offsets (-zero point) to the inputs
  op->vp.input1_offset = -r.i32("input1_zero_point");
  op->vp.input2_offset = -r.i32("input2_zero_point");
  op->vp.left_shift = r.i32("left_shift");
  op->vp.input1_multiplier = r.i32("input1_multiplier");
  op->vp.input1_shift = r.i32("input1_shift");
  op->vp.input2_multiplier = r.i32("input2_multiplier");
  op->vp.input2_shift = r.i32("input2_shift");
  op->mult = r.i32("output_multiplier");
  op->shift = r.i32("output_shift");
  op->offset = r.i32("output_zero_point");
  op->actMin = r.i32("output_min");
  op->actMax = r.i32("output_max");
  op->vp.output_multiplier = op->mult;
  op->vp.output_shift = op->shift;
  op->vp.output_offset = op->offset;
  op->vp.act_min = op->actMin;
  op->vp.act_max = op->actMax;
  // The vector path needs the flat same-shape case, right shifts only (as TFLite prepares
  // them) and a left shift that cannot overflow.
  bool shifts_ok = op->vp.input1_shift <= 0 && op->vp.input2_shift <= 0 && op->shift <= 0 &&
                   op->vp.left_shift >= 0 && op->vp.left_shift <= 22;
  if (op->g.flat() && shifts_ok) op->vadd = select_vadd(ctx.isa);
  return std::unique_ptr<Op>(op.release());
}

}  // namespace qbridge
