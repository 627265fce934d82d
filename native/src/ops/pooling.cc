// AVERAGE_POOL_2D and MAX_POOL_2D (uint8, int8), as the Java reference's pooling kernel.

#include "../requant.h"
#include "ops.h"

namespace qbridge {
namespace {

class PoolOp : public SplitOp<PoolOp> {
 public:
  bool u8, average;
  int batches, inH, inW, C, outH, outW, fH, fW, sH, sW, padT, padL, actMin, actMax;
  const uint8_t* in;
  uint8_t* out;

  int64_t items() const { return (int64_t)batches * outH; }
  void work(int64_t r0, int64_t r1, int) {
    if (u8) rows<uint8_t>((int)r0, (int)r1); else rows<int8_t>((int)r0, (int)r1);
  }

  template <typename T>
  void rows(int r0, int r1) {
    constexpr int kBlock = 64;   // channels per pass: accumulators on the stack, nothing allocated
    int32_t acc[kBlock];
    for (int row = r0; row < r1; row++) {
      int b = row / outH, oy = row % outH;
      int iy0 = oy * sH - padT;
      int fy0 = iy0 < 0 ? -iy0 : 0, fy1 = fH < inH - iy0 ? fH : inH - iy0;
      for (int ox = 0; ox < outW; ox++) {
        int ix0 = ox * sW - padL;
        int fx0 = ix0 < 0 ? -ix0 : 0, fx1 = fW < inW - ix0 ? fW : inW - ix0;
        int count = (fy1 > fy0 ? fy1 - fy0 : 0) * (fx1 > fx0 ? fx1 - fx0 : 0);
        T* o = reinterpret_cast<T*>(out) + ((size_t)row * outW + ox) * C;
        for (int c0 = 0; c0 < C; c0 += kBlock) {
          int n = C - c0 < kBlock ? C - c0 : kBlock;
          for (int c = 0; c < n; c++) acc[c] = average ? 0 : (u8 ? 0 : -128);
          for (int fy = fy0; fy < fy1; fy++) {
            for (int fx = fx0; fx < fx1; fx++) {
              const T* px = reinterpret_cast<const T*>(in) + ((size_t)(b * inH + iy0 + fy) * inW + ix0 + fx) * C + c0;
              if (average) {
                for (int c = 0; c < n; c++) acc[c] += px[c];
              } else {
                for (int c = 0; c < n; c++) acc[c] = acc[c] > px[c] ? acc[c] : px[c];
              }
            }
          }
          for (int c = 0; c < n; c++) {
            int32_t v = acc[c];
            if (average && count > 0) v = v > 0 ? (v + count / 2) / count : (v - count / 2) / count;
            o[c0 + c] = (T)clamp(v, actMin, actMax);
          }
        }
      }
    }
  }
};

static std::unique_ptr<Op> read_pool2d(Reader& r, const OpContext& ctx, bool average) {
  std::unique_ptr<PoolOp> op(new PoolOp());
  op->average = average;
  op->u8 = read_type(r);
  op->batches = r.count("batches");
  op->inH = r.count("input_height");
  op->inW = r.count("input_width");
  op->C = r.count("channels");
  op->outH = r.count("output_height");
  op->outW = r.count("output_width");
  op->fH = r.count("filter_height");
  op->fW = r.count("filter_width");
  op->sH = r.count("stride_height");
  op->sW = r.count("stride_width");
  op->padT = r.count("pad_top");
  op->padL = r.count("pad_left");
  int64_t in = r.count("input"), out = r.count("output");
  op->actMin = r.i32("output_min");
  op->actMax = r.i32("output_max");
  check_tensor("pool input", in, (int64_t)op->batches * op->inH * op->inW * op->C, ctx.arena_bytes);
  check_tensor("pool output", out, (int64_t)op->batches * op->outH * op->outW * op->C, ctx.arena_bytes);
  op->in = ctx.arena + in;
  op->out = ctx.arena + out;
  return std::unique_ptr<Op>(op.release());
}

}  // namespace

std::unique_ptr<Op> read_average_pool2d(Reader& r, const OpContext& ctx) { return read_pool2d(r, ctx, true); }
std::unique_ptr<Op> read_max_pool2d(Reader& r, const OpContext& ctx) { return read_pool2d(r, ctx, false); }

}  // namespace qbridge
