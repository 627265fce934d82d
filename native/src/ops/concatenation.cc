// CONCATENATION as rows: per input a byte copy, or a lookup through the requantization table the
// Java reference made when the input's quantization differs from the output's.
#include <cstring>
#include <vector>

#include "ops.h"

namespace qbridge {
namespace {

class ConcatenationOp : public SplitOp<ConcatenationOp> {
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

  int64_t items() const { return (int64_t)rows; }
  void work(int64_t r0, int64_t r1, int) {
    for (size_t row = (size_t)r0; row < (size_t)r1; row++) {
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

}  // namespace

std::unique_ptr<Op> read_concatenation(Reader& r, const OpContext& ctx) {
  std::unique_ptr<ConcatenationOp> op(new ConcatenationOp());
  op->rows = r.count("rows");
  int n = r.count("inputs", 1 << 16);
  op->inputs.resize(n);
  op->outRowBytes = 0;
  for (auto& i : op->inputs) {
    i.rowBytes = r.count("row_bytes");
    read_operand(r, "input", i.data, ctx, (int64_t)op->rows * i.rowBytes);
    i.requantize = r.i32("requantize") != 0;
    if (i.requantize) {
      const int32_t* t = r.ints("table", 256);
      for (int k = 0; k < 256; k++) i.table[k] = (uint8_t)t[k];
    }
    op->outRowBytes += i.rowBytes;
  }
  int64_t out = r.count("output");
  check_tensor("concatenation output", out, (int64_t)op->rows * op->outRowBytes, ctx.arena_bytes);
  op->out = ctx.arena + out;
  return std::unique_ptr<Op>(op.release());
}

}  // namespace qbridge
