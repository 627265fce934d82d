// SOFTMAX (uint8, int8) as the Java reference computes it: the exponentials of the 256 possible
// differences to the row maximum come in the program, the sum, reciprocal and scaling are here.
#include <vector>

#include "../requant.h"
#include "ops.h"

namespace qbridge {
namespace {

// gemmlowp's one_over_one_plus_x_for_x_in_0_1 and TFLite's GetReciprocal, as the Java
// reference computes them (GemmlowpFixedPoint): wrapping int arithmetic.
static inline int32_t rescale(int32_t x, int src_bits, int dst_bits) {
  int exponent = src_bits - dst_bits;
  if (exponent == 0) return x;
  if (exponent < 0) return rdbypot_java(x, -exponent);
  int32_t threshold = (int32_t)((1u << (31 - exponent)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << exponent);
}

static int32_t one_over_one_plus_x(int32_t a) {
  const int32_t kFortyEightOver17 = 1515870810, kMinus32Over17 = -1010580540;
  int64_t sum = (int64_t)a + INT32_MAX;
  int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  int32_t x = wrap_add(kFortyEightOver17, srdhm(half_denominator, kMinus32Over17));
  const int32_t one_q2 = 1 << 29;
  for (int i = 0; i < 3; i++) {
    int32_t hdx = srdhm(half_denominator, x);
    int32_t one_minus = wrap_add(one_q2, -hdx);
    x = wrap_add(x, rescale(srdhm(x, one_minus), 4, 2));
  }
  return rescale(x, 1, 0);
}

class SoftmaxOp : public SplitOp<SoftmaxOp> {
 public:
  bool u8;
  int outer, depth, diffMin;
  const int32_t* exp_table;       // exp(scaled diff) in Q0 for diff = -i
  const int32_t* rescaled_table;  // the same in Q12.19
  std::vector<int32_t> exps, rescaled;
  const uint8_t* in;
  uint8_t* out;

  int64_t items() const { return outer; }
  void work(int64_t r0, int64_t r1, int) {
    if (u8) rows<uint8_t>((int)r0, (int)r1); else rows<int8_t>((int)r0, (int)r1);
  }

  template <typename T>
  void rows(int r0, int r1) {
    const int32_t out_min = u8 ? 0 : -128, out_max = u8 ? 255 : 127;
    for (int r = r0; r < r1; r++) {
      const T* x = reinterpret_cast<const T*>(in) + (size_t)r * depth;
      T* y = reinterpret_cast<T*>(out) + (size_t)r * depth;
      int32_t max = out_min;
      for (int c = 0; c < depth; c++) max = max > x[c] ? max : x[c];
      int32_t sum = 0;
      for (int c = 0; c < depth; c++) {
        int32_t diff = x[c] - max;
        if (diff >= diffMin) sum = wrap_add(sum, rescaled[-diff]);
      }
      int headroom_plus_one = sum == 0 ? 32 : __builtin_clz((uint32_t)sum);
      int bits_over_unit = 12 - headroom_plus_one;
      int32_t shifted_minus_one = (int32_t)(((uint32_t)sum << (headroom_plus_one & 31)) - 0x80000000u);
      int32_t scale = one_over_one_plus_x(shifted_minus_one);
      int exponent = bits_over_unit + 31 - 8;
      if (exponent > 31) {   // a sum of 512 or more: every probability is under half a step (as Java)
        for (int c = 0; c < depth; c++) y[c] = (T)out_min;
        continue;
      }
      for (int c = 0; c < depth; c++) {
        int32_t diff = x[c] - max;
        int32_t v = out_min;
        if (diff >= diffMin) {
          int32_t unsat = rdbypot_java(srdhm(scale, exps[-diff]), exponent);
          v = clamp(wrap_add(unsat, out_min), out_min, out_max);
        }
        y[c] = (T)v;
      }
    }
  }
};

}  // namespace

std::unique_ptr<Op> read_softmax(Reader& r, const OpContext& ctx) {
  std::unique_ptr<SoftmaxOp> op(new SoftmaxOp());
  op->u8 = read_type(r);
  op->outer = r.count("rows");
  op->depth = r.count("depth");
  op->diffMin = r.i32("diff_min");
  const int32_t* e = r.ints("exp", 256);
  const int32_t* s = r.ints("exp_q12", 256);
  op->exps.assign(e, e + 256);
  op->rescaled.assign(s, s + 256);
  int64_t in = r.count("input"), out = r.count("output");
  check_tensor("softmax input", in, (int64_t)op->outer * op->depth, ctx.arena_bytes);
  check_tensor("softmax output", out, (int64_t)op->outer * op->depth, ctx.arena_bytes);
  op->in = ctx.arena + in;
  op->out = ctx.arena + out;
  return std::unique_ptr<Op>(op.release());
}

}  // namespace qbridge
