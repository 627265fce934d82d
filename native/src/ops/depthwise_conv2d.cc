// DEPTHWISE_CONV_2D (uint8, int8): an indirection buffer (one input pointer per output pixel and
// tap, built once since the arena does not move) and a per-pixel micro-kernel over all channels
// (kernels/qs8-dwconv, kernels/qu8-dwconv).
#include <cstring>

#include "../im2col.h"
#include "../packing.h"
#include "conv_common.h"
#include "ops.h"

namespace qbridge {
namespace {

class DepthwiseConv2DOp : public SplitOp<DepthwiseConv2DOp> {
 public:
  // w.filter is [taps][outC].
  DepthwiseConv2DOp(Isa isa, bool u8, const ConvGeometry& g, int outC, int dm, const ConvWeights& w,
                    const uint8_t* input, uint8_t* output)
      : outC_(outC), dm_(dm), taps_(g.fH * g.fW), q_(kernel_out_params(w.out, outC, 0)), output_(output) {
    kernel_ = select_dwconv(isa, u8, has_minus128(w.filter, (size_t)taps_ * outC, u8), outC);
    if (dm != 1 || (kernel_->weight_bytes == 1 && w.filter_zero_point != 0)) {
      kernel_ = select_dwconv(Isa::kPortable, u8, false, outC);
    }
    fn_ = (taps_ == 9 && kernel_->fn_3x3 != nullptr) ? kernel_->fn_3x3 : kernel_->fn;
    pack_dwconv(*kernel_, u8, outC, taps_, w.filter, w.bias, w.out, w.input_zero_point, w.filter_zero_point,
                packed_);
    zero_row_.resize((size_t)g.inC + kernel_->cb);
    std::memset(zero_row_.data(), w.input_zero_point, zero_row_.size() + 64);
    pixels_ = g.batches * g.outH * g.outW;
    build_dwconv_indirection(g, input, zero_row_.data(), indirection_);
  }

  int64_t items() const { return pixels_; }
  void work(int64_t p0, int64_t p1, int) {
    if (p1 > p0) {
      fn_(outC_, p1 - p0, indirection_.data() + (size_t)p0 * taps_, taps_, dm_, packed_.data(),
          output_ + (size_t)p0 * outC_, &q_);
    }
  }

 private:
  int outC_, dm_, taps_, pixels_ = 0;
  OutParams q_;
  uint8_t* output_;
  const DwKernel* kernel_;
  DwUkernel fn_;
  Buffer packed_;
  Buffer zero_row_;
  std::vector<const void*> indirection_;
};

}  // namespace

std::unique_ptr<Op> read_depthwise_conv2d(Reader& r, const OpContext& ctx) {
  bool u8 = read_type(r);
  int outC, dm;
  ConvGeometry g = read_conv_geometry(r, &outC, &dm);
  int64_t in_off = r.count("input"), out_off = r.count("output");
  ConvWeights w = read_conv_weights(r, outC);
  if ((int64_t)g.inC * dm != outC) throw ProgramError("DEPTHWISE_CONV_2D: channel mismatch");
  if (w.filter_bytes != (int64_t)g.fH * g.fW * outC) throw ProgramError("DEPTHWISE_CONV_2D: filter size mismatch");
  check_tensor("DEPTHWISE_CONV_2D input", in_off, (int64_t)g.batches * g.inH * g.inW * g.inC, ctx.arena_bytes);
  check_tensor("DEPTHWISE_CONV_2D output", out_off, (int64_t)g.batches * g.outH * g.outW * outC, ctx.arena_bytes);
  return std::unique_ptr<Op>(new DepthwiseConv2DOp(ctx.isa, u8, g, outC, dm, w, ctx.arena + in_off, ctx.arena + out_off));
}

}  // namespace qbridge
