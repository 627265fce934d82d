// PAD and PADV2 of any element type, as the Java reference's ShapeKernels: a byte copy by rows
// of the (merged) innermost dimension, pad values around.
#include <cstring>
#include <vector>

#include "ops.h"

namespace qbridge {
namespace {

class PadOp : public SplitOp<PadOp> {
 public:
  int es, rank;
  int inDims[8], outDims[8], before[8];
  int64_t inStride[8];
  bool inputEmpty;
  size_t rows;
  std::vector<uint8_t> padRow;   // one output row of pad values
  Operand in;
  uint8_t* out;

  int64_t items() const { return (int64_t)rows; }
  void work(int64_t r0, int64_t r1, int) {
    size_t outInner = (size_t)outDims[rank - 1] * es;
    size_t inInner = (size_t)inDims[rank - 1] * es;
    size_t beforeInner = (size_t)before[rank - 1] * es;
    for (size_t row = (size_t)r0; row < (size_t)r1; row++) {
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

}  // namespace

std::unique_ptr<Op> read_pad(Reader& r, const OpContext& ctx) {
  std::unique_ptr<PadOp> op(new PadOp());
  op->es = r.count("element_bytes", 16);
  op->rank = r.count("rank", 8);
  if (op->rank < 1 || op->es < 1) throw ProgramError("bad PAD geometry");
  int64_t inCount = 1, outCount = 1;
  const int32_t* in_shape = r.ints("input_shape", op->rank);
  const int32_t* out_shape = r.ints("output_shape", op->rank);
  const int32_t* before = r.ints("pad_before", op->rank);
  for (int d = 0; d < op->rank; d++) {
    if (in_shape[d] < 0 || out_shape[d] < 0 || before[d] < 0) throw ProgramError("bad PAD geometry");
    inCount *= (op->inDims[d] = in_shape[d]);
    outCount *= (op->outDims[d] = out_shape[d]);
    op->before[d] = before[d];
    if ((int64_t)op->before[d] + op->inDims[d] > op->outDims[d]) throw ProgramError("PAD input outside its output");
  }
  int64_t stride = 1;
  for (int d = op->rank - 1; d >= 0; d--) {
    op->inStride[d] = stride;
    stride *= op->inDims[d];
  }
  op->inputEmpty = inCount == 0;
  int valueBytes = r.count("pad_value_bytes", 16);
  if (valueBytes != op->es) throw ProgramError("PAD value size mismatch");
  uint8_t value[16];
  const int32_t* v = r.ints("pad_value", valueBytes);
  for (int k = 0; k < valueBytes; k++) value[k] = (uint8_t)v[k];
  size_t outInner = (size_t)op->outDims[op->rank - 1] * op->es;
  op->padRow.resize(outInner);
  for (size_t k = 0; k < outInner; k++) op->padRow[k] = value[k % op->es];
  read_operand(r, "input", op->in, ctx, inCount * op->es);
  int64_t out = r.count("output");
  check_tensor("pad output", out, outCount * op->es, ctx.arena_bytes);
  op->out = ctx.arena + out;
  op->rows = op->outDims[op->rank - 1] == 0 ? 0 : (size_t)(outCount / op->outDims[op->rank - 1]);
  return std::unique_ptr<Op>(op.release());
}

}  // namespace qbridge
