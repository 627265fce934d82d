#include "gemm_op.h"

#include "requant.h"

namespace qbridge {

GemmOp::GemmOp(Isa isa, bool u8, int M, int N, int K, const ConvWeights& w, const uint8_t* input, uint8_t* output,
               const ConvGeometry* im2col, int threads)
    : M_(M), N_(N), K_(K), Kpad_((K + 7) & ~7), zpw_(w.filter_zero_point),
      q_(kernel_out_params(w.out, N, w.input_zero_point)), input_(input), output_(output),
      direct_(im2col == nullptr) {
  kernel_ = select_gemm(isa, u8, has_minus128(w.filter, (size_t)N * K, u8), N);
  rowsum_ = select_rowsum(isa, u8);
  group_bytes_ = pack_gemm(*kernel_, u8, N, K, Kpad_, w.filter, w.bias, w.out, w.input_zero_point,
                           w.filter_zero_point, packed_);
  if (!direct_) im2col_.build(*im2col, input, w.input_zero_point);
  split_rows_ = M_ >= 2 * kernel_->mr * threads;
  for (int t = 0; t < threads; t++) {
    scratch_.emplace_back(new Scratch());
    scratch_.back()->rowcorr.resize(sizeof(int32_t) * kBlockRows);
    if (!direct_) scratch_.back()->im2col.resize((size_t)kBlockRows * Kpad_);
  }
}

// Inlined into work(): as a call of its own, register spills around the kernel calls cost ~16
// instructions more per block of rows (qemu-icount, MobileNet v2).
inline __attribute__((always_inline)) void GemmOp::compute(Scratch& s, int m0, int m1, int n0, int n1) {
  const int mr = kernel_->mr;
  int32_t* rowcorr = reinterpret_cast<int32_t*>(s.rowcorr.data());
  const uint8_t* w = packed_.data() + (size_t)(n0 / kernel_->nr) * group_bytes_;
  for (int mb = m0; mb < m1; mb += kBlockRows) {
    int rows = m1 - mb < kBlockRows ? m1 - mb : kBlockRows;
    const uint8_t* a;
    size_t a_stride;
    if (direct_) {
      a = input_ + (size_t)mb * K_;
      a_stride = K_;
    } else {
      im2col_.copy(s.im2col.data(), Kpad_, mb, rows);
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
      fn(n, n1 - n0, Kpad_, a + r * a_stride, a_stride, w, output_ + (size_t)(mb + r) * N_ + n0, N_, rowcorr + r, &q_);
    }
  }
}

int64_t GemmOp::items() const {
  return split_rows_ ? (M_ + kernel_->mr - 1) / kernel_->mr : (N_ + kernel_->nr - 1) / kernel_->nr;
}

void GemmOp::work(int64_t begin, int64_t end, int chunk) {
  Scratch& s = *scratch_[chunk];
  if (split_rows_) {
    const int mr = kernel_->mr;
    int m0 = (int)begin * mr, m1 = (int)end * mr < M_ ? (int)end * mr : M_;
    compute(s, m0, m1, 0, N_);
  } else {
    const int nr = kernel_->nr;
    int n0 = (int)begin * nr, n1 = (int)end * nr < N_ ? (int)end * nr : N_;
    if (n1 > n0) compute(s, 0, M_, n0, n1);
  }
}

}  // namespace qbridge
