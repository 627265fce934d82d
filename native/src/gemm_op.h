// The GEMM behind CONV_2D and FULLY_CONNECTED: rows are output pixels (or batches), columns output
// channels. A 1x1 stride-1 CONV_2D and FULLY_CONNECTED read the input in place; other convolutions
// go through im2col per block of rows.
#ifndef QBRIDGE_GEMM_OP_H
#define QBRIDGE_GEMM_OP_H

#include <memory>
#include <vector>

#include "im2col.h"
#include "kernels.h"
#include "op.h"
#include "ops/conv_common.h"
#include "packing.h"

namespace qbridge {

class GemmOp : public SplitOp<GemmOp> {
 public:
  // im2col: null when the input is read in place, else the convolution's geometry.
  // w.filter is [N][K].
  GemmOp(Isa isa, bool u8, int M, int N, int K, const ConvWeights& w, const uint8_t* input, uint8_t* output,
         const ConvGeometry* im2col, int threads);

  // Splits rows across threads when there are enough of them (in tiles of mr), else columns (in
  // groups of nr: batch-1 FULLY_CONNECTED).
  int64_t items() const;
  void work(int64_t begin, int64_t end, int chunk);

 private:
  static constexpr int kBlockRows = 32;   // a multiple of every kernel's mr
  struct Scratch {
    Buffer im2col;
    Buffer rowcorr;
  };

  void compute(Scratch& s, int m0, int m1, int n0, int n1);

  int M_, N_, K_, Kpad_;
  int zpw_;
  OutParams q_;
  const uint8_t* input_;
  uint8_t* output_;
  bool direct_;
  Im2col im2col_;
  const GemmKernel* kernel_;
  RowSumFn rowsum_;
  size_t group_bytes_ = 0;
  Buffer packed_;
  bool split_rows_ = true;
  std::vector<std::unique_ptr<Scratch>> scratch_;
};

}  // namespace qbridge
#endif
