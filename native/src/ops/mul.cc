// MUL (uint8, int8) with broadcasting, as the Java reference: (a - zero point 1) * (b - zero point 2), then
// TFLite's requantization.
#include "../requant.h"
#include "broadcast.h"
#include "ops.h"

namespace qbridge {
namespace {

class MulOp : public SplitOp<MulOp> {
 public:
  bool u8;
  Broadcast g;
  int32_t zp1, zp2;   // input zero points
  int32_t mult, shift, offset, actMin, actMax;

  int64_t items() const { return g.rows(); }
  void work(int64_t r0, int64_t r1, int) {
    if (u8) rows<uint8_t>(r0, r1); else rows<int8_t>(r0, r1);
  }

  template <typename T>
  void rows(int64_t r0, int64_t r1) {
    const int inner = g.inner();
    const int s1 = g.stride1[g.rank - 1], s2 = g.stride2[g.rank - 1];
    g.for_rows(r0, r1, [&](int64_t row, int64_t i1, int64_t i2) {
      T* o = reinterpret_cast<T*>(g.out) + row * inner;
      for (int k = 0; k < inner; k++) {
        int32_t x = (load<T>(g.a.data + i1 + (int64_t)k * s1) - zp1) * (load<T>(g.b.data + i2 + (int64_t)k * s2) - zp2);
        int32_t v = wrap_add(mbqm(x, mult, shift > 0 ? shift : 0, shift > 0 ? 0 : shift), offset);
        o[k] = (T)clamp(v, actMin, actMax);
      }
    });
  }
};

}  // namespace

std::unique_ptr<Op> read_mul(Reader& r, const OpContext& ctx) {
  std::unique_ptr<MulOp> op(new MulOp());
  op->u8 = read_type(r);
  read_broadcast(r, op->g, ctx);
  op->zp1 = r.i32("input1_zero_point");
  op->zp2 = r.i32("input2_zero_point");
  op->mult = r.i32("output_multiplier");
  op->shift = r.i32("output_shift");
  op->offset = r.i32("output_zero_point");
  op->actMin = r.i32("output_min");
  op->actMax = r.i32("output_max");
  return std::unique_ptr<Op>(op.release());
}

}  // namespace qbridge
