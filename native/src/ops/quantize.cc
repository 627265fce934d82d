// QUANTIZE float32 to uint8/int8 and DEQUANTIZE back, per tensor or per channel, as the Java
// reference's QuantizeKernels.
#include <cstring>
#include <cmath>
#include <vector>

#include "ops.h"

namespace qbridge {
namespace {

// QUANTIZE: float quotient x / scale, std::round (halves away from zero, in double), cast to a
// 64-bit int saturating as Java's (long) does (NaN gives 0), plus the zero point with Java's
// wrapping long addition, clamped. DEQUANTIZE: (float) ((double) scale * (q - zero point)).
class QuantizeOp : public SplitOp<QuantizeOp> {
 public:
  bool dequantize, u8;
  size_t count, inner;
  int channels;
  std::vector<float> scales;
  std::vector<int32_t> zeroPoints;
  const uint8_t* in;
  uint8_t* out;

  int64_t items() const { return (int64_t)count; }
  void work(int64_t e0, int64_t e1, int) {
    if (dequantize) {
      if (u8) dequant<uint8_t>(e0, e1); else dequant<int8_t>(e0, e1);
    } else {
      quant(e0, e1);
    }
  }
  int channel(size_t i) const { return channels == 1 ? 0 : (int)((i / inner) % channels); }

  static int64_t java_long(double d) {
    if (d != d) return 0;
    if (d >= 9223372036854775807.0) return INT64_MAX;
    if (d <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)d;
  }

  void quant(size_t e0, size_t e1) {
    int64_t qmin = u8 ? 0 : -128, qmax = u8 ? 255 : 127;
    const float* x = reinterpret_cast<const float*>(in);
    for (size_t i = e0; i < e1; i++) {
      int ch = channel(i);
      float vf = x[i] / scales[ch];   // a float division, as Java's (no x87 on the targets built here)
      double rounded = std::copysign(std::floor(std::fabs((double)vf) + 0.5), (double)vf);
      int64_t r = (int64_t)((uint64_t)java_long(rounded) + (uint64_t)(int64_t)zeroPoints[ch]);
      r = r < qmin ? qmin : r > qmax ? qmax : r;
      out[i] = (uint8_t)r;
    }
  }

  template <typename T>
  void dequant(size_t e0, size_t e1) {
    const T* q = reinterpret_cast<const T*>(in);
    float* y = reinterpret_cast<float*>(out);
    for (size_t i = e0; i < e1; i++) {
      int ch = channel(i);
      y[i] = (float)((double)scales[ch] * (double)((int32_t)q[i] - zeroPoints[ch]));
    }
  }
};

static std::unique_ptr<Op> read_quantize_record(Reader& r, const OpContext& ctx, bool dequantize) {
  std::unique_ptr<QuantizeOp> op(new QuantizeOp());
  op->dequantize = dequantize;
  op->u8 = read_type(r);
  op->count = r.count("count");
  op->channels = r.count("channels", 1 << 20);
  op->inner = r.count("channel_stride");
  if (op->channels < 1 || op->inner < 1) throw ProgramError("bad quantization channels");
  const int32_t* s = r.ints("scale_bits", op->channels);
  op->scales.resize(op->channels);
  std::memcpy(op->scales.data(), s, 4 * (size_t)op->channels);
  const int32_t* z = r.ints("zero_point", op->channels);
  op->zeroPoints.assign(z, z + op->channels);
  int64_t in = r.count("input"), out = r.count("output");
  check_tensor("quantize input", in, (int64_t)op->count * (dequantize ? 1 : 4), ctx.arena_bytes);
  check_tensor("quantize output", out, (int64_t)op->count * (dequantize ? 4 : 1), ctx.arena_bytes);
  op->in = ctx.arena + in;
  op->out = ctx.arena + out;
  return std::unique_ptr<Op>(op.release());
}

}  // namespace

std::unique_ptr<Op> read_quantize(Reader& r, const OpContext& ctx) { return read_quantize_record(r, ctx, false); }
std::unique_ptr<Op> read_dequantize(Reader& r, const OpContext& ctx) { return read_quantize_record(r, ctx, true); }

}  // namespace qbridge
