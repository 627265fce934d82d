#include "ops_misc.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kernels.h"
#include "requant.h"

namespace qbridge {

void check_tensor(const char* what, int64_t offset, int64_t bytes, int64_t arena_bytes) {
  if (offset < 0 || bytes < 0 || offset + bytes > arena_bytes) {
    throw ProgramError(std::string(what) + " lies outside the arena");
  }
}

namespace {

// Java's RoundingDivideByPOT including its shift semantics for exponents >= 32 (Java masks
// shift counts to 5 bits), reachable only through SOFTMAX's reciprocal of a wrapped sum.
static inline int32_t rdbypot_java(int32_t x, int exponent) {
  int32_t mask = (int32_t)(((int64_t)1 << (exponent & 63)) - 1);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> (exponent & 31)) + (remainder > threshold ? 1 : 0);
}

template <typename T>
static inline int32_t load(const uint8_t* p) { return (int32_t)*reinterpret_cast<const T*>(p); }

// An op whose work is items() independent items (rows, elements, outputs) split evenly over
// the pool's threads; each thread does work(begin, end).
class SplitOp : public Op {
 public:
  void run(ThreadPool& pool) override { pool.run(&SplitOp::entry, this, pool.threads()); }

 protected:
  virtual int64_t items() const = 0;
  virtual void work(int64_t begin, int64_t end) = 0;

 private:
  static void entry(void* self, int chunk, int chunks) {
    SplitOp* op = static_cast<SplitOp*>(self);
    int64_t n = op->items();
    op->work(n * chunk / chunks, n * (chunk + 1) / chunks);
  }
};

// ------------------------------------------------------------------------------ pooling
class PoolOp : public SplitOp {
 public:
  bool u8, average;
  int batches, inH, inW, C, outH, outW, fH, fW, sH, sW, padT, padL, actMin, actMax;
  const uint8_t* in;
  uint8_t* out;

  int64_t items() const override { return (int64_t)batches * outH; }
  void work(int64_t r0, int64_t r1) override {
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

// ------------------------------------------------------------------------------ copy
class CopyOp : public Op {
 public:
  const uint8_t* in;
  uint8_t* out;
  size_t bytes;
  void run(ThreadPool&) override {
    if (in != out) std::memmove(out, in, bytes);
  }
};

// ------------------------------------------------------------------------------ softmax
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

class SoftmaxOp : public SplitOp {
 public:
  bool u8;
  int outer, depth, diffMin;
  const int32_t* exp_table;       // exp(scaled diff) in Q0 for diff = -i
  const int32_t* rescaled_table;  // the same in Q12.19
  std::vector<int32_t> exps, rescaled;
  const uint8_t* in;
  uint8_t* out;

  int64_t items() const override { return outer; }
  void work(int64_t r0, int64_t r1) override {
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

// ------------------------------------------------------------------------------ add / mul
struct Operand {
  const uint8_t* data = nullptr;
  std::vector<uint8_t> constant;
};

static void read_operand(Reader& r, Operand& o, uint8_t* arena, int64_t arena_bytes, int64_t bytes) {
  int kind = r.i32();
  if (kind == 0) {
    int64_t off = r.count("operand offset");
    check_tensor("operand", off, bytes, arena_bytes);
    o.data = arena + off;
  } else {
    int64_t n = r.count("constant bytes");
    if (n != bytes) throw ProgramError("constant operand size mismatch");
    const uint8_t* p = r.bytes(n);
    o.constant.assign(p, p + n);
    o.data = o.constant.data();
  }
}

class BinaryOp : public SplitOp {
 public:
  bool u8, mul;
  int rank;
  int shape[8], stride1[8], stride2[8];
  int64_t count;
  Operand a, b;
  uint8_t* out;
  int32_t table1[256], table2[256];   // ADD: rescaled inputs
  int32_t off1, off2;                 // MUL: input offsets
  int32_t mult, shift, offset, actMin, actMax;
  VaddFn vadd = nullptr;   // same-shape ADD with a vector kernel
  VaddParams vp;

  // the vector ADD splits elements; the general path splits rows of the innermost dimension
  int64_t items() const override {
    if (vadd != nullptr) return count;
    int inner = shape[rank - 1];
    return inner == 0 ? 0 : count / inner;
  }
  void work(int64_t i0, int64_t i1) override {
    if (vadd != nullptr) {
      if (i1 > i0) vadd(u8, i1 - i0, a.data + i0, b.data + i0, out + i0, &vp);
    } else if (u8) {
      rows<uint8_t>(i0, i1);
    } else {
      rows<int8_t>(i0, i1);
    }
  }

  template <typename T>
  void rows(int64_t r0, int64_t r1) {
    const int inner = shape[rank - 1];
    const int s1 = stride1[rank - 1], s2 = stride2[rank - 1];
    for (int64_t row = r0; row < r1; row++) {
      int64_t rest = row, i1 = 0, i2 = 0;
      for (int d = rank - 2; d >= 0; d--) {
        int64_t idx = rest % shape[d];
        rest /= shape[d];
        i1 += idx * stride1[d];
        i2 += idx * stride2[d];
      }
      T* o = reinterpret_cast<T*>(out) + row * inner;
      if (mul) {
        for (int k = 0; k < inner; k++) {
          int32_t x = (load<T>(a.data + i1 + (int64_t)k * s1) + off1) * (load<T>(b.data + i2 + (int64_t)k * s2) + off2);
          int32_t v = wrap_add(mbqm(x, mult, shift > 0 ? shift : 0, shift > 0 ? 0 : shift), offset);
          o[k] = (T)clamp(v, actMin, actMax);
        }
      } else {
        for (int k = 0; k < inner; k++) {
          int32_t sum = wrap_add(table1[a.data[i1 + (int64_t)k * s1]], table2[b.data[i2 + (int64_t)k * s2]]);
          int32_t v = wrap_add(rdbypot_java(srdhm(sum, mult), -shift), offset);
          o[k] = (T)clamp(v, actMin, actMax);
        }
      }
    }
  }
};

// ------------------------------------------------------------------------------ mean
class MeanOp : public SplitOp {
 public:
  bool u8;
  int outputs, reduced_count;
  int32_t zp_times_count, mult, shift, out_zp;
  std::vector<int32_t> out_base, reduced_offsets;
  const uint8_t* in;
  uint8_t* out;

  int64_t items() const override { return outputs; }
  void work(int64_t o0, int64_t o1) override {
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

// ------------------------------------------------------------------------------ table lookup
// Elementwise 8-bit to 8-bit ops whose result depends on the input byte only (requantization
// between uint8 and int8): out = table[in], the table made by the Java side.
class LookupOp : public SplitOp {
 public:
  size_t count;
  uint8_t table[256];
  const uint8_t* in;
  uint8_t* out;
  int64_t items() const override { return (int64_t)count; }
  void work(int64_t i0, int64_t i1) override {
    for (int64_t i = i0; i < i1; i++) out[i] = table[in[i]];
  }
};

static bool read_type(Reader& r) {
  int type = r.i32();
  if (type != kUint8 && type != kInt8) throw ProgramError("unknown element type " + std::to_string(type));
  return type == kUint8;
}

}  // namespace

std::unique_ptr<Op> read_pool(Reader& r, uint8_t* arena, int64_t arena_bytes) {
  std::unique_ptr<PoolOp> op(new PoolOp());
  op->u8 = read_type(r);
  op->average = r.i32() != 0;
  op->batches = r.count("batches");
  op->inH = r.count("inH");
  op->inW = r.count("inW");
  op->C = r.count("channels");
  op->outH = r.count("outH");
  op->outW = r.count("outW");
  op->fH = r.count("fH");
  op->fW = r.count("fW");
  op->sH = r.count("strideH");
  op->sW = r.count("strideW");
  op->padT = r.count("padTop");
  op->padL = r.count("padLeft");
  op->actMin = r.i32();
  op->actMax = r.i32();
  int64_t in = r.count("input offset"), out = r.count("output offset");
  check_tensor("pool input", in, (int64_t)op->batches * op->inH * op->inW * op->C, arena_bytes);
  check_tensor("pool output", out, (int64_t)op->batches * op->outH * op->outW * op->C, arena_bytes);
  op->in = arena + in;
  op->out = arena + out;
  return std::unique_ptr<Op>(op.release());
}

std::unique_ptr<Op> read_copy(Reader& r, uint8_t* arena, int64_t arena_bytes) {
  std::unique_ptr<CopyOp> op(new CopyOp());
  op->bytes = r.count("byte count");
  int64_t in = r.count("input offset"), out = r.count("output offset");
  check_tensor("copy input", in, op->bytes, arena_bytes);
  check_tensor("copy output", out, op->bytes, arena_bytes);
  op->in = arena + in;
  op->out = arena + out;
  return std::unique_ptr<Op>(op.release());
}

std::unique_ptr<Op> read_softmax(Reader& r, uint8_t* arena, int64_t arena_bytes) {
  std::unique_ptr<SoftmaxOp> op(new SoftmaxOp());
  op->u8 = read_type(r);
  op->outer = r.count("rows");
  op->depth = r.count("depth");
  op->diffMin = r.i32();
  const int32_t* e = r.ints(256);
  const int32_t* s = r.ints(256);
  op->exps.assign(e, e + 256);
  op->rescaled.assign(s, s + 256);
  int64_t in = r.count("input offset"), out = r.count("output offset");
  check_tensor("softmax input", in, (int64_t)op->outer * op->depth, arena_bytes);
  check_tensor("softmax output", out, (int64_t)op->outer * op->depth, arena_bytes);
  op->in = arena + in;
  op->out = arena + out;
  return std::unique_ptr<Op>(op.release());
}

std::unique_ptr<Op> read_mean(Reader& r, uint8_t* arena, int64_t arena_bytes) {
  std::unique_ptr<MeanOp> op(new MeanOp());
  op->u8 = read_type(r);
  op->outputs = r.count("outputs");
  op->reduced_count = r.count("reduced count");
  op->zp_times_count = r.i32();
  op->mult = r.i32();
  op->shift = r.i32();
  op->out_zp = r.i32();
  int64_t in = r.count("input offset"), out = r.count("output offset"), in_bytes = r.count("input bytes");
  const int32_t* base = r.ints(op->outputs);
  const int32_t* red = r.ints(op->reduced_count);
  op->out_base.assign(base, base + op->outputs);
  op->reduced_offsets.assign(red, red + op->reduced_count);
  check_tensor("mean input", in, in_bytes, arena_bytes);
  check_tensor("mean output", out, op->outputs, arena_bytes);
  for (int o = 0; o < op->outputs; o++)
    for (int k : {0, op->reduced_count - 1})
      if (op->reduced_count > 0 && (op->out_base[o] < 0 || (int64_t)op->out_base[o] + op->reduced_offsets[k] >= in_bytes))
        throw ProgramError("mean: offset outside the input");
  op->in = arena + in;
  op->out = arena + out;
  return std::unique_ptr<Op>(op.release());
}

std::unique_ptr<Op> read_lookup(Reader& r, uint8_t* arena, int64_t arena_bytes) {
  std::unique_ptr<LookupOp> op(new LookupOp());
  op->count = r.count("element count");
  int64_t in = r.count("input offset"), out = r.count("output offset");
  const int32_t* t = r.ints(256);
  for (int i = 0; i < 256; i++) op->table[i] = (uint8_t)t[i];
  check_tensor("lookup input", in, op->count, arena_bytes);
  check_tensor("lookup output", out, op->count, arena_bytes);
  op->in = arena + in;
  op->out = arena + out;
  return std::unique_ptr<Op>(op.release());
}

std::unique_ptr<Op> read_add_mul(Reader& r, uint8_t* arena, int64_t arena_bytes, bool mul, Isa isa) {
  std::unique_ptr<BinaryOp> op(new BinaryOp());
  op->mul = mul;
  op->u8 = read_type(r);
  op->rank = r.count("rank", 8);
  if (op->rank < 1) throw ProgramError("broadcast rank 0");
  int64_t extent1 = 1, extent2 = 1;
  op->count = 1;
  for (int d = 0; d < op->rank; d++) op->shape[d] = r.count("dimension");
  for (int d = 0; d < op->rank; d++) op->stride1[d] = r.count("stride");
  for (int d = 0; d < op->rank; d++) op->stride2[d] = r.count("stride");
  for (int d = 0; d < op->rank; d++) {
    op->count *= op->shape[d];
    if (op->shape[d] > 0) {
      extent1 += (int64_t)(op->shape[d] - 1) * op->stride1[d];
      extent2 += (int64_t)(op->shape[d] - 1) * op->stride2[d];
    }
  }
  read_operand(r, op->a, arena, arena_bytes, op->count == 0 ? 0 : extent1);
  read_operand(r, op->b, arena, arena_bytes, op->count == 0 ? 0 : extent2);
  int64_t out = r.count("output offset");
  check_tensor("output", out, op->count, arena_bytes);
  op->out = arena + out;
  if (mul) {
    op->off1 = r.i32();
    op->off2 = r.i32();
  } else {
    std::memcpy(op->table1, r.ints(256), sizeof op->table1);
    std::memcpy(op->table2, r.ints(256), sizeof op->table2);
    op->vp.input1_offset = r.i32();
    op->vp.input2_offset = r.i32();
    op->vp.left_shift = r.i32();
    op->vp.input1_multiplier = r.i32();
    op->vp.input1_shift = r.i32();
    op->vp.input2_multiplier = r.i32();
    op->vp.input2_shift = r.i32();
  }
  op->mult = r.i32();
  op->shift = r.i32();
  op->offset = r.i32();
  op->actMin = r.i32();
  op->actMax = r.i32();
  if (!mul) {
    op->vp.output_multiplier = op->mult;
    op->vp.output_shift = op->shift;
    op->vp.output_offset = op->offset;
    op->vp.act_min = op->actMin;
    op->vp.act_max = op->actMax;
    // The vector path computes the tables' formula in lanes; it needs the flat same-shape case,
    // right shifts only (as TFLite prepares them) and a left shift that cannot overflow.
    bool flat = op->rank == 1 && op->stride1[0] == 1 && op->stride2[0] == 1;
    bool shifts_ok = op->vp.input1_shift <= 0 && op->vp.input2_shift <= 0 && op->shift <= 0 &&
                     op->vp.left_shift >= 0 && op->vp.left_shift <= 22;
    if (flat && shifts_ok) op->vadd = select_vadd(isa);
  }
  return std::unique_ptr<Op>(op.release());
}


// ------------------------------------------------------------------------------ data movement
// PAD, CONCATENATION, QUANTIZE and DEQUANTIZE, as ShapeKernels and QuantizeKernels of the Java
// reference (byte copies, CONCATENATION's per-input requantization tables made by Java).
namespace {

class PadOp : public SplitOp {
 public:
  int es, rank;
  int inDims[8], outDims[8], before[8];
  int64_t inStride[8];
  bool inputEmpty;
  size_t rows;
  std::vector<uint8_t> padRow;   // one output row of pad values
  Operand in;
  uint8_t* out;

  int64_t items() const override { return (int64_t)rows; }
  void work(int64_t r0, int64_t r1) override {
    size_t outInner = (size_t)outDims[rank - 1] * es;
    size_t inInner = (size_t)inDims[rank - 1] * es;
    size_t beforeInner = (size_t)before[rank - 1] * es;
    for (size_t row = r0; row < r1; row++) {
      uint8_t* o = out + row * outInner;
      size_t rest = row;
      int64_t inIndex = 0;
      bool inside = !inputEmpty;
      for (int d = rank - 2; d >= 0 && inside; d--) {
        int64_t idx = (int64_t)(rest % outDims[d]) - before[d];
        rest /= outDims[d];
        if (idx < 0 || idx >= inDims[d]) inside = false;
        inIndex += idx * inStride[d];
      }
      if (!inside) {
        std::memcpy(o, padRow.data(), outInner);
        continue;
      }
      std::memcpy(o, padRow.data(), beforeInner);
      std::memcpy(o + beforeInner, in.data + inIndex * es, inInner);
      std::memcpy(o + beforeInner + inInner, padRow.data(), outInner - beforeInner - inInner);
    }
  }
};

class ConcatenationOp : public SplitOp {
 public:
  struct Input {
    size_t rowBytes;
    Operand data;
    bool requantize;
    uint8_t table[256];
  };
  size_t rows, outRowBytes;
  std::vector<Input> inputs;
  uint8_t* out;

  int64_t items() const override { return (int64_t)rows; }
  void work(int64_t r0, int64_t r1) override {
    for (size_t row = r0; row < r1; row++) {
      uint8_t* o = out + row * outRowBytes;
      for (const Input& i : inputs) {
        const uint8_t* s = i.data.data + row * i.rowBytes;
        if (i.requantize) {
          for (size_t k = 0; k < i.rowBytes; k++) o[k] = i.table[s[k]];
        } else {
          std::memcpy(o, s, i.rowBytes);
        }
        o += i.rowBytes;
      }
    }
  }
};

// QUANTIZE: float quotient x / scale, std::round (halves away from zero, in double), cast to a
// 64-bit int saturating as Java's (long) does (NaN gives 0), plus the zero point with Java's
// wrapping long addition, clamped. DEQUANTIZE: (float) ((double) scale * (q - zero point)).
class QuantizeOp : public SplitOp {
 public:
  bool dequantize, u8;
  size_t count, inner;
  int channels;
  std::vector<float> scales;
  std::vector<int32_t> zeroPoints;
  const uint8_t* in;
  uint8_t* out;

  int64_t items() const override { return (int64_t)count; }
  void work(int64_t e0, int64_t e1) override {
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

}  // namespace

std::unique_ptr<Op> read_pad(Reader& r, uint8_t* arena, int64_t arena_bytes) {
  std::unique_ptr<PadOp> op(new PadOp());
  op->es = r.count("element bytes", 16);
  op->rank = r.count("rank", 8);
  if (op->rank < 1 || op->es < 1) throw ProgramError("bad PAD geometry");
  int64_t inCount = 1, outCount = 1;
  for (int d = 0; d < op->rank; d++) inCount *= (op->inDims[d] = r.count("dimension"));
  for (int d = 0; d < op->rank; d++) outCount *= (op->outDims[d] = r.count("dimension"));
  for (int d = 0; d < op->rank; d++) {
    op->before[d] = r.count("pad before");
    if ((int64_t)op->before[d] + op->inDims[d] > op->outDims[d]) throw ProgramError("PAD input outside its output");
  }
  int64_t stride = 1;
  for (int d = op->rank - 1; d >= 0; d--) {
    op->inStride[d] = stride;
    stride *= op->inDims[d];
  }
  op->inputEmpty = inCount == 0;
  int valueBytes = r.count("pad value bytes", 16);
  if (valueBytes != op->es) throw ProgramError("PAD value size mismatch");
  uint8_t value[16];
  const int32_t* v = r.ints(valueBytes);
  for (int k = 0; k < valueBytes; k++) value[k] = (uint8_t)v[k];
  size_t outInner = (size_t)op->outDims[op->rank - 1] * op->es;
  op->padRow.resize(outInner);
  for (size_t k = 0; k < outInner; k++) op->padRow[k] = value[k % op->es];
  read_operand(r, op->in, arena, arena_bytes, inCount * op->es);
  int64_t out = r.count("output offset");
  check_tensor("pad output", out, outCount * op->es, arena_bytes);
  op->out = arena + out;
  op->rows = op->outDims[op->rank - 1] == 0 ? 0 : (size_t)(outCount / op->outDims[op->rank - 1]);
  return std::unique_ptr<Op>(op.release());
}

std::unique_ptr<Op> read_concatenation(Reader& r, uint8_t* arena, int64_t arena_bytes) {
  std::unique_ptr<ConcatenationOp> op(new ConcatenationOp());
  op->rows = r.count("rows");
  int n = r.count("input count", 1 << 16);
  op->inputs.resize(n);
  op->outRowBytes = 0;
  for (auto& i : op->inputs) {
    i.rowBytes = r.count("row bytes");
    read_operand(r, i.data, arena, arena_bytes, (int64_t)op->rows * i.rowBytes);
    i.requantize = r.i32() != 0;
    if (i.requantize) {
      const int32_t* t = r.ints(256);
      for (int k = 0; k < 256; k++) i.table[k] = (uint8_t)t[k];
    }
    op->outRowBytes += i.rowBytes;
  }
  int64_t out = r.count("output offset");
  check_tensor("concatenation output", out, (int64_t)op->rows * op->outRowBytes, arena_bytes);
  op->out = arena + out;
  return std::unique_ptr<Op>(op.release());
}

std::unique_ptr<Op> read_quantize(Reader& r, uint8_t* arena, int64_t arena_bytes, bool dequantize) {
  std::unique_ptr<QuantizeOp> op(new QuantizeOp());
  op->dequantize = dequantize;
  op->u8 = read_type(r);
  op->count = r.count("element count");
  op->channels = r.count("channels", 1 << 20);
  op->inner = r.count("elements per channel");
  if (op->channels < 1 || op->inner < 1) throw ProgramError("bad quantization channels");
  const int32_t* s = r.ints(op->channels);
  op->scales.resize(op->channels);
  std::memcpy(op->scales.data(), s, 4 * (size_t)op->channels);
  const int32_t* z = r.ints(op->channels);
  op->zeroPoints.assign(z, z + op->channels);
  int64_t in = r.count("input offset"), out = r.count("output offset");
  check_tensor("quantize input", in, (int64_t)op->count * (dequantize ? 1 : 4), arena_bytes);
  check_tensor("quantize output", out, (int64_t)op->count * (dequantize ? 4 : 1), arena_bytes);
  op->in = arena + in;
  op->out = arena + out;
  return std::unique_ptr<Op>(op.release());
}

}  // namespace qbridge
