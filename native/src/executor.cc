// The plan executor: compiles the program (packs weights for this CPU's kernels, builds
// indirection buffers and per-thread scratch) and runs all ops of one inference in one call.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "../include/qbridge_native.h"
#include "kernels.h"
#include "ops_misc.h"
#include "program.h"
#include "requant.h"
#include "thread_pool.h"

namespace qbridge {
namespace {

// 64-byte aligned heap block with `slack` readable bytes past the end (kernels read whole
// vectors past the last element; the extra bytes never reach an output).
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(size_t bytes, size_t slack = 64) { resize(bytes, slack); }
  ~Buffer() { std::free(data_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  void resize(size_t bytes, size_t slack = 64) {
    std::free(data_);
    data_ = nullptr;
    size_t total = (bytes + slack + 63) & ~size_t(63);
    if (posix_memalign(&data_, 64, total) != 0) throw ProgramError("out of memory");
    std::memset(data_, 0, total);
    size_ = bytes;
  }
  uint8_t* data() const { return static_cast<uint8_t*>(data_); }
  size_t size() const { return size_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

struct Requant {
  const int32_t* multiplier;
  const int32_t* shift;
  const int32_t* bias;
};

// Fills one packed header: bias with the zero-point terms folded in, multiplier, left shift,
// negative right shift.
static void write_header(int32_t* hdr, int block, int count, int first, const Requant& rq,
                         const int32_t* folded_bias) {
  for (int i = 0; i < block; i++) {
    int c = first + i;
    bool real = i < count;
    int32_t shift = real ? rq.shift[c] : 0;
    hdr[i] = real ? folded_bias[i] : 0;
    hdr[block + i] = real ? rq.multiplier[c] : 0;
    hdr[2 * block + i] = shift > 0 ? shift : 0;
    hdr[3 * block + i] = shift > 0 ? 0 : shift;
  }
}

// OutParams::flags: what every channel's multiplier and shift allow the kernels to skip.
static int32_t requant_flags(const Requant& rq, int channels) {
  bool any_left = false, all_right = true, uniform = true;
  for (int c = 0; c < channels; c++) {
    any_left = any_left || rq.shift[c] > 0;
    all_right = all_right && rq.shift[c] < 0 && rq.multiplier[c] >= 0;
    uniform = uniform && rq.shift[c] == rq.shift[0] && rq.multiplier[c] == rq.multiplier[0];
  }
  return (any_left ? kOutAnyLeftShift : 0) | (all_right ? kOutAllRightShifts : 0) | (uniform ? kOutUniform : 0);
}

static int32_t read_weight(const uint8_t* w, size_t i, bool u8) { return u8 ? (int32_t)w[i] : (int32_t)(int8_t)w[i]; }

static bool has_minus128(const uint8_t* w, size_t n, bool u8) {
  if (u8) return false;
  for (size_t i = 0; i < n; i++)
    if (w[i] == 0x80) return true;
  return false;
}

// memcpy for the few bytes of one im2col segment (3 channels x 3 taps in a first layer):
// two overlapping fixed-size moves instead of a library call (GCC turns byte loops into one).
static inline void copy_small(uint8_t* dst, const uint8_t* src, size_t n) {
  if (n >= 8 && n <= 16) {
    uint64_t x, y;
    std::memcpy(&x, src, 8);
    std::memcpy(&y, src + n - 8, 8);
    std::memcpy(dst, &x, 8);
    std::memcpy(dst + n - 8, &y, 8);
  } else if (n >= 4 && n < 8) {
    uint32_t x, y;
    std::memcpy(&x, src, 4);
    std::memcpy(&y, src + n - 4, 4);
    std::memcpy(dst, &x, 4);
    std::memcpy(dst + n - 4, &y, 4);
  } else {
    std::memcpy(dst, src, n);
  }
}

// ---------------------------------------------------------------------------------------------
// GEMM-based ops: CONV_2D (1x1 stride 1 reads the input in place; otherwise im2col per block of
// rows) and FULLY_CONNECTED. Rows are output pixels (or batches), columns output channels.
class GemmOp : public Op {
 public:
  struct Geometry {   // im2col only
    int batches, inH, inW, inC, outH, outW, fH, fW, strideH, strideW, dilationH, dilationW, padTop, padLeft;
  };

  GemmOp(Isa isa, bool u8, int M, int N, int K, const uint8_t* filter /*[N][K]*/, const Requant& rq, int zpa,
         int zpw, const OutParams& q, const uint8_t* input, uint8_t* output, bool direct, const Geometry& g,
         int threads)
      : u8_(u8), M_(M), N_(N), K_(K), Kpad_((K + 7) & ~7), zpw_(zpw), q_(q), input_(input), output_(output),
        direct_(direct), g_(g) {
    kernel_ = select_gemm(isa, u8, has_minus128(filter, (size_t)N * K, u8), N);
    rowsum_ = select_rowsum(isa, u8);
    const int nr = kernel_->nr, kr = kernel_->kr;
    const bool w16 = kernel_->w16;
    q_.input_zero_point = zpa;
    q_.flags = requant_flags(rq, N);
    group_bytes_ = 16 * (size_t)nr + (size_t)nr * Kpad_ * (w16 ? 2 : 1);
    size_t groups = ((size_t)N + nr - 1) / nr;
    packed_.resize(groups * group_bytes_);
    std::vector<int32_t> folded(nr);
    for (size_t gi = 0; gi < groups; gi++) {
      uint8_t* dst = packed_.data() + gi * group_bytes_;
      int first = (int)gi * nr;
      int count = N - first < nr ? N - first : nr;
      for (int i = 0; i < count; i++) {
        const uint8_t* row = filter + (size_t)(first + i) * K;
        uint32_t sum = 0;
        for (int k = 0; k < K; k++) sum += (uint32_t)read_weight(row, k, u8);
        // sum (a - zpa)(w - zpw) = sum a*w - zpa*sum w - zpw*sum a + K*zpa*zpw; the last
        // two row terms: -zpw*sum a at run time (rowcorr), the rest here.
        uint32_t b = (uint32_t)rq.bias[first + i] - (uint32_t)zpa * sum + (uint32_t)K * (uint32_t)zpa * (uint32_t)zpw;
        folded[i] = (int32_t)b;
      }
      if (w16) {   // the kernel subtracts both zero points: plain bias, int16 (w - zpw), k-major
        for (int i = 0; i < count; i++) folded[i] = rq.bias[first + i];
        write_header(reinterpret_cast<int32_t*>(dst), nr, count, first, rq, folded.data());
        int16_t* wp16 = reinterpret_cast<int16_t*>(dst + 16 * nr);
        const int width = count <= nr / 2 ? nr / 2 : nr;   // a last group of <= nr/2 columns: half width
        for (int k = 0; k < Kpad_; k++) {
          for (int n = 0; n < width; n++) {
            *wp16++ = (int16_t)((n < count && k < K) ? read_weight(filter, (size_t)(first + n) * K + k, u8) - zpw : 0);
          }
        }
        continue;
      }
      write_header(reinterpret_cast<int32_t*>(dst), nr, count, first, rq, folded.data());
      uint8_t* wp = dst + 16 * nr;
      // 16-wide kernels read a last group of <= 8 columns packed 8 wide.
      const int width = nr == 16 && count <= nr / 2 ? nr / 2 : nr;
      for (int k0 = 0; k0 < Kpad_;) {
        int blk = kr == 16 ? (Kpad_ - k0 >= 16 ? 16 : 8) : kr;
        for (int n = 0; n < width; n++) {
          for (int k = 0; k < blk; k++) {
            int kk = k0 + k;
            *wp++ = (n < count && kk < K) ? filter[(size_t)(first + n) * K + kk] : 0;
          }
        }
        k0 += blk;
      }
    }
    if (!direct_) build_im2col_indirection();
    // Split rows across threads when there are enough of them, else columns (batch-1 FC).
    split_rows_ = M_ >= 2 * kernel_->mr * threads;
    int chunks = threads;
    for (int t = 0; t < chunks; t++) {
      scratch_.emplace_back(new Scratch());
      scratch_.back()->rowcorr.resize(sizeof(int32_t) * kBlockRows);
      if (!direct_) scratch_.back()->im2col.resize((size_t)kBlockRows * Kpad_);
    }
  }

  void run(ThreadPool& pool) override {
    pool.run(&GemmOp::chunk_entry, this, pool.threads());
  }

 private:
  static constexpr int kBlockRows = 32;   // a multiple of every kernel's mr
  struct Scratch {
    Buffer im2col;
    Buffer rowcorr;
  };

  static void chunk_entry(void* self, int chunk, int chunks) { static_cast<GemmOp*>(self)->chunk(chunk, chunks); }

  void chunk(int chunk, int chunks) {
    Scratch& s = *scratch_[chunk];
    if (split_rows_) {
      const int mr = kernel_->mr;
      int tiles = (M_ + mr - 1) / mr;
      int t0 = (int)((long long)tiles * chunk / chunks), t1 = (int)((long long)tiles * (chunk + 1) / chunks);
      int m0 = t0 * mr, m1 = t1 * mr < M_ ? t1 * mr : M_;
      compute(s, m0, m1, 0, N_);
    } else {
      const int nr = kernel_->nr;
      int groups = (N_ + nr - 1) / nr;
      int g0 = (int)((long long)groups * chunk / chunks), g1 = (int)((long long)groups * (chunk + 1) / chunks);
      int n0 = g0 * nr, n1 = g1 * nr < N_ ? g1 * nr : N_;
      if (n1 > n0) compute(s, 0, M_, n0, n1);
    }
  }

  void compute(Scratch& s, int m0, int m1, int n0, int n1) {
    const int mr = kernel_->mr;
    int32_t* rowcorr = reinterpret_cast<int32_t*>(s.rowcorr.data());
    const uint8_t* w = packed_.data() + (size_t)(n0 / kernel_->nr) * group_bytes_;
    const size_t esize = 1;
    for (int mb = m0; mb < m1; mb += kBlockRows) {
      int rows = m1 - mb < kBlockRows ? m1 - mb : kBlockRows;
      const uint8_t* a;
      size_t a_stride;
      if (direct_) {
        a = input_ + (size_t)mb * K_;
        a_stride = K_;
      } else {
        im2col(s.im2col.data(), mb, rows);
        a = s.im2col.data();
        a_stride = Kpad_;
      }
      if (zpw_ != 0 && !kernel_->w16) {
        // im2col rows are zero past K up to Kpad (the buffer starts zeroed and im2col writes
        // [0, K) only), so their sums may run over whole vectors.
        const size_t len = direct_ ? (size_t)K_ : (size_t)Kpad_;
        for (int r = 0; r < rows; r++) {
          rowcorr[r] = wrap_mul(-zpw_, rowsum_(a + r * a_stride, len));
        }
      }
      for (int r = 0; r < rows; r += mr) {
        int n = rows - r < mr ? rows - r : mr;
        GemmUkernel fn = (n == 1 && kernel_->fn_row != nullptr) ? kernel_->fn_row : kernel_->fn;
        fn(n, n1 - n0, Kpad_, a + r * a_stride, a_stride, w, output_ + ((size_t)(mb + r) * N_ + n0) * esize, N_,
           rowcorr + r, &q_);
      }
    }
  }

  // im2col reads through per-row pointers computed once (the arena does not move): for a row
  // whose taps are all inside horizontally, one pointer per filter row to fW * inC contiguous
  // bytes (or to a row of input zero points); otherwise one pointer per tap to inC bytes.
  void build_im2col_indirection() {
    const Geometry& g = g_;
    const size_t span = (size_t)g.fW * g.inC;
    zero_row_.resize(span + 16);
    const int pixels = g.outH * g.outW;
    row_contiguous_.assign(M_, 0);
    row_ptrs_.assign((size_t)M_ * g.fH * g.fW, nullptr);
    for (int m = 0; m < M_; m++) {
      int b = m / pixels, p = m % pixels;
      int oy = p / g.outW, ox = p % g.outW;
      int ix0 = ox * g.strideW - g.padLeft;
      bool inside = g.dilationW == 1 && ix0 >= 0 && ix0 + g.fW <= g.inW;
      row_contiguous_[m] = inside;
      const uint8_t** ptrs = row_ptrs_.data() + (size_t)m * g.fH * g.fW;
      for (int ky = 0; ky < g.fH; ky++) {
        int iy = oy * g.strideH - g.padTop + ky * g.dilationH;
        for (int kx = 0; kx < g.fW; kx++) {
          int ix = ix0 + kx * g.dilationW;
          bool ok = iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW;
          ptrs[ky * g.fW + kx] = ok ? input_ + ((size_t)(b * g.inH + iy) * g.inW + ix) * g.inC : zero_row_.data();
        }
        if (inside && (iy < 0 || iy >= g.inH)) ptrs[ky * g.fW] = zero_row_.data();
      }
    }
  }

  void im2col(uint8_t* dst, int m0, int rows) const {
    const Geometry& g = g_;
    const size_t span = (size_t)g.fW * g.inC;
    const int taps = g.fH * g.fW;
    for (int r = 0; r < rows; r++) {
      int m = m0 + r;
      uint8_t* row = dst + (size_t)r * Kpad_;
      const uint8_t* const* ptrs = row_ptrs_.data() + (size_t)m * taps;
      if (row_contiguous_[m]) {
        for (int ky = 0; ky < g.fH; ky++) copy_small(row + ky * span, ptrs[ky * g.fW], span);
      } else {
        for (int t = 0; t < taps; t++) copy_small(row + (size_t)t * g.inC, ptrs[t], g.inC);
      }
    }
  }

 public:
  void set_input_zero_point_byte(int zpa) {
    zpa_byte_ = zpa;
    if (zero_row_.data() != nullptr) std::memset(zero_row_.data(), zpa, zero_row_.size());
  }
  const GemmKernel* kernel() const { return kernel_; }

 private:
  bool u8_;
  int M_, N_, K_, Kpad_;
  int zpw_;
  int zpa_byte_ = 0;
  OutParams q_;
  const uint8_t* input_;
  uint8_t* output_;
  bool direct_;
  Geometry g_;
  const GemmKernel* kernel_;
  RowSumFn rowsum_;
  size_t group_bytes_ = 0;
  Buffer packed_;
  bool split_rows_ = true;
  std::vector<std::unique_ptr<Scratch>> scratch_;
  Buffer zero_row_;
  std::vector<uint8_t> row_contiguous_;
  std::vector<const uint8_t*> row_ptrs_;
};

// ---------------------------------------------------------------------------------------------
// DEPTHWISE_CONV_2D: an indirection buffer (one input pointer per output pixel and tap, built
// once since the arena does not move) and a per-pixel kernel over all channels.
class DwConvOp : public Op {
 public:
  DwConvOp(Isa isa, bool u8, const GemmOp::Geometry& g, int outC, int dm, const uint8_t* filter /*[T][outC]*/,
           const Requant& rq, int zpa, int zpw, const OutParams& q, const uint8_t* input, uint8_t* output)
      : outC_(outC), dm_(dm), q_(q), output_(output) {
    q_.flags = requant_flags(rq, outC);
    const int T = g.fH * g.fW;
    taps_ = T;
    kernel_ = select_dwconv(isa, u8, has_minus128(filter, (size_t)T * outC, u8), outC);
    if (dm != 1 || (kernel_->weight_bytes == 1 && zpw != 0)) {
      kernel_ = select_dwconv(Isa::kPortable, u8, false, outC);
    }
    fn_ = (T == 9 && kernel_->fn_3x3 != nullptr) ? kernel_->fn_3x3 : kernel_->fn;
    const int cb = kernel_->cb, wb = kernel_->weight_bytes;
    block_bytes_ = 16 * (size_t)cb + (size_t)T * cb * wb;
    size_t blocks = ((size_t)outC + cb - 1) / cb;
    packed_.resize(blocks * block_bytes_);
    std::vector<int32_t> folded(cb);
    for (size_t bi = 0; bi < blocks; bi++) {
      uint8_t* dst = packed_.data() + bi * block_bytes_;
      int first = (int)bi * cb;
      int count = outC - first < cb ? outC - first : cb;
      for (int i = 0; i < count; i++) {
        uint32_t sum = 0;
        for (int t = 0; t < T; t++) sum += (uint32_t)(read_weight(filter, (size_t)t * outC + first + i, u8) - zpw);
        folded[i] = (int32_t)((uint32_t)rq.bias[first + i] - (uint32_t)zpa * sum);
      }
      write_header(reinterpret_cast<int32_t*>(dst), cb, count, first, rq, folded.data());
      for (int t = 0; t < T; t++) {
        for (int i = 0; i < cb; i++) {
          int32_t v = i < count ? read_weight(filter, (size_t)t * outC + first + i, u8) - zpw : 0;
          if (wb == 2) {
            int16_t s = (int16_t)v;
            std::memcpy(dst + 16 * cb + ((size_t)t * cb + i) * 2, &s, 2);
          } else {
            dst[16 * cb + (size_t)t * cb + i] = (uint8_t)(int8_t)v;
          }
        }
      }
    }
    zero_row_.resize((size_t)g.inC + cb);
    std::memset(zero_row_.data(), zpa, zero_row_.size() + 64);
    pixels_ = g.batches * g.outH * g.outW;
    indirection_.resize((size_t)pixels_ * T);
    for (int b = 0; b < g.batches; b++) {
      for (int oy = 0; oy < g.outH; oy++) {
        for (int ox = 0; ox < g.outW; ox++) {
          const void** dst = indirection_.data() + ((size_t)(b * g.outH + oy) * g.outW + ox) * T;
          for (int ky = 0; ky < g.fH; ky++) {
            for (int kx = 0; kx < g.fW; kx++) {
              int iy = oy * g.strideH - g.padTop + ky * g.dilationH;
              int ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
              bool inside = iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW;
              dst[ky * g.fW + kx] = inside ? input + ((size_t)(b * g.inH + iy) * g.inW + ix) * g.inC
                                           : static_cast<const void*>(zero_row_.data());
            }
          }
        }
      }
    }
  }

  void run(ThreadPool& pool) override { pool.run(&DwConvOp::chunk_entry, this, pool.threads()); }

 private:
  static void chunk_entry(void* self, int chunk, int chunks) {
    DwConvOp* op = static_cast<DwConvOp*>(self);
    int p0 = (int)((long long)op->pixels_ * chunk / chunks), p1 = (int)((long long)op->pixels_ * (chunk + 1) / chunks);
    if (p1 > p0) {
      op->fn_(op->outC_, p1 - p0, op->indirection_.data() + (size_t)p0 * op->taps_, op->taps_, op->dm_,
              op->packed_.data(), op->output_ + (size_t)p0 * op->outC_, &op->q_);
    }
  }

  int outC_, dm_, taps_ = 0, pixels_ = 0;
  OutParams q_;
  uint8_t* output_;
  const DwKernel* kernel_;
  DwUkernel fn_;
  size_t block_bytes_ = 0;
  Buffer packed_;
  Buffer zero_row_;
  std::vector<const void*> indirection_;
};

// ---------------------------------------------------------------------------------------------

struct CompiledPlan {
  explicit CompiledPlan(int threads) : pool(threads) {}
  ThreadPool pool;
  std::vector<std::unique_ptr<Op>> ops;
};

// What conv and fully connected programs share after their geometry: the zero points (input,
// weights: negated offsets as TFLite stores them), the output stage, and per-channel
// multiplier, shift and bias.
struct GemmQuantization {
  int zpa, zpw;
  OutParams out;
  Requant rq;
};

static GemmQuantization read_gemm_quantization(Reader& r, int channels) {
  GemmQuantization g;
  g.zpa = -r.i32();
  g.zpw = -r.i32();
  g.out.zero_point = r.i32();
  g.out.act_min = r.i32();
  g.out.act_max = r.i32();
  g.rq.multiplier = r.ints(channels);
  g.rq.shift = r.ints(channels);
  g.rq.bias = r.ints(channels);
  return g;
}

static std::unique_ptr<Op> read_conv(Reader& r, Isa isa, uint8_t* arena, int64_t arena_bytes, int threads) {
  int type = r.i32();
  if (type != kUint8 && type != kInt8) throw ProgramError("conv: unknown type " + std::to_string(type));
  bool u8 = type == kUint8;
  bool depthwise = r.i32() != 0;
  GemmOp::Geometry g;
  g.batches = r.count("batches");
  g.inH = r.count("inH");
  g.inW = r.count("inW");
  g.inC = r.count("inC");
  g.outH = r.count("outH");
  g.outW = r.count("outW");
  int outC = r.count("outC", 1 << 24);
  g.fH = r.count("fH", 1 << 12);
  g.fW = r.count("fW", 1 << 12);
  int dm = r.count("depth multiplier");
  g.strideH = r.count("strideH");
  g.strideW = r.count("strideW");
  g.dilationH = r.count("dilationH");
  g.dilationW = r.count("dilationW");
  g.padTop = r.count("padTop");
  g.padLeft = r.count("padLeft");
  int64_t in_off = r.count("input offset"), out_off = r.count("output offset");
  GemmQuantization gq = read_gemm_quantization(r, outC);
  int zpa = gq.zpa, zpw = gq.zpw;
  const OutParams& q = gq.out;
  const Requant& rq = gq.rq;
  int64_t filter_bytes = r.count("filter bytes");
  int64_t K = depthwise ? (int64_t)g.fH * g.fW : (int64_t)g.fH * g.fW * g.inC;
  if (filter_bytes != K * outC) throw ProgramError("conv: filter size mismatch");
  const uint8_t* filter = r.bytes(filter_bytes);
  check_tensor("conv input", in_off, (int64_t)g.batches * g.inH * g.inW * g.inC, arena_bytes);
  check_tensor("conv output", out_off, (int64_t)g.batches * g.outH * g.outW * outC, arena_bytes);
  if (g.strideH < 1 || g.strideW < 1 || g.dilationH < 1 || g.dilationW < 1 || g.fH < 1 || g.fW < 1 || dm < 1) {
    throw ProgramError("conv: bad stride, dilation or filter size");
  }
  if (depthwise) {
    if ((int64_t)g.inC * dm != outC) throw ProgramError("depthwise: channel mismatch");
    return std::unique_ptr<Op>(
        new DwConvOp(isa, u8, g, outC, dm, filter, rq, zpa, zpw, q, arena + in_off, arena + out_off));
  }
  bool direct = g.fH == 1 && g.fW == 1 && g.strideH == 1 && g.strideW == 1 && g.padTop == 0 && g.padLeft == 0 &&
                g.outH == g.inH && g.outW == g.inW;
  int64_t M = (int64_t)g.batches * g.outH * g.outW;
  GemmOp* op = new GemmOp(isa, u8, (int)M, outC, (int)K, filter, rq, zpa, zpw, q, arena + in_off, arena + out_off,
                          direct, g, threads);
  op->set_input_zero_point_byte(zpa);
  return std::unique_ptr<Op>(op);
}

static std::unique_ptr<Op> read_fully_connected(Reader& r, Isa isa, uint8_t* arena, int64_t arena_bytes,
                                                int threads) {
  int type = r.i32();
  if (type != kUint8 && type != kInt8) throw ProgramError("fully connected: unknown type " + std::to_string(type));
  bool u8 = type == kUint8;
  int batches = r.count("batches");
  int K = r.count("inDepth", 1 << 28);
  int N = r.count("outDepth", 1 << 24);
  int64_t in_off = r.count("input offset"), out_off = r.count("output offset");
  GemmQuantization gq = read_gemm_quantization(r, N);
  int zpa = gq.zpa, zpw = gq.zpw;
  const OutParams& q = gq.out;
  const Requant& rq = gq.rq;
  int64_t filter_bytes = r.count("filter bytes");
  if (filter_bytes != (int64_t)N * K) throw ProgramError("fully connected: filter size mismatch");
  const uint8_t* filter = r.bytes(filter_bytes);
  check_tensor("fully connected input", in_off, (int64_t)batches * K, arena_bytes);
  check_tensor("fully connected output", out_off, (int64_t)batches * N, arena_bytes);
  GemmOp::Geometry g = {};
  return std::unique_ptr<Op>(
      new GemmOp(isa, u8, batches, N, K, filter, rq, zpa, zpw, q, arena + in_off, arena + out_off, true, g, threads));
}

}  // namespace
}  // namespace qbridge

using namespace qbridge;

extern "C" long long qb_compile(const signed char* program, long long program_bytes, signed char* arena,
                                long long arena_bytes, int threads, signed char* error, int error_bytes) {
  std::string why;
  try {
    if (program == nullptr || arena == nullptr || program_bytes < 12) throw ProgramError("no program or arena");
    Reader r(reinterpret_cast<const uint8_t*>(program), (size_t)program_bytes);
    if (r.i32() != kProgramMagic) throw ProgramError("not a qbridge program");
    int version = r.i32();
    if (version != kProgramVersion) throw ProgramError("program version " + std::to_string(version) + ", expected 1");
    int ops = r.count("op count");
    Isa isa = detect_isa();
    std::unique_ptr<CompiledPlan> plan(new CompiledPlan(threads));
    uint8_t* base = reinterpret_cast<uint8_t*>(arena);
    for (int i = 0; i < ops; i++) {
      size_t start = r.pos();
      int opcode = r.i32();
      int words = r.count("op length");
      std::unique_ptr<Op> op;
      switch (opcode) {
        case kOpConv: op = read_conv(r, isa, base, arena_bytes, threads); break;
        case kOpFullyConnected: op = read_fully_connected(r, isa, base, arena_bytes, threads); break;
        case kOpPool: op = read_pool(r, base, arena_bytes); break;
        case kOpCopy: op = read_copy(r, base, arena_bytes); break;
        case kOpSoftmax: op = read_softmax(r, base, arena_bytes); break;
        case kOpAdd: op = read_add_mul(r, base, arena_bytes, false, isa); break;
        case kOpMul: op = read_add_mul(r, base, arena_bytes, true, isa); break;
        case kOpMean: op = read_mean(r, base, arena_bytes); break;
        case kOpLookup: op = read_lookup(r, base, arena_bytes); break;
        case kOpPad: op = read_pad(r, base, arena_bytes); break;
        case kOpConcatenation: op = read_concatenation(r, base, arena_bytes); break;
        case kOpQuantize: op = read_quantize(r, base, arena_bytes, false); break;
        case kOpDequantize: op = read_quantize(r, base, arena_bytes, true); break;
        default: throw ProgramError("op " + std::to_string(i) + ": unknown opcode " + std::to_string(opcode));
      }
      if (r.pos() != start + 4 * (size_t)words) {
        throw ProgramError("op " + std::to_string(i) + ": record length mismatch");
      }
      plan->ops.push_back(std::move(op));
    }
    return reinterpret_cast<long long>(plan.release());
  } catch (const std::exception& e) {
    why = e.what();
  } catch (...) {
    why = "unknown native error";
  }
  if (error != nullptr && error_bytes > 0) {
    size_t n = why.size() < (size_t)error_bytes - 1 ? why.size() : (size_t)error_bytes - 1;
    std::memcpy(error, why.data(), n);
    error[n] = 0;
  }
  return 0;
}

extern "C" int qb_run(long long handle) {
  CompiledPlan* plan = reinterpret_cast<CompiledPlan*>(handle);
  for (auto& op : plan->ops) op->run(plan->pool);
  return 0;
}

extern "C" int qb_op_count(long long handle) { return (int)reinterpret_cast<CompiledPlan*>(handle)->ops.size(); }

extern "C" int qb_run_ops(long long handle, int first, int last) {
  CompiledPlan* plan = reinterpret_cast<CompiledPlan*>(handle);
  for (int i = first; i < last && i < (int)plan->ops.size(); i++) plan->ops[i]->run(plan->pool);
  return 0;
}

extern "C" void qb_release(long long handle) { delete reinterpret_cast<CompiledPlan*>(handle); }

extern "C" const char* qb_isa(void) { return isa_name(detect_isa()); }
