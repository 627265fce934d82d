#include "plan.h"

#include <string>

#include "ops/ops.h"

namespace qbridge {

std::unique_ptr<CompiledPlan> compile_program(const uint8_t* program, size_t program_bytes, uint8_t* arena,
                                              int64_t arena_bytes, int threads) {
  Reader r(program, program_bytes);
  if (r.i32() != kProgramMagic) throw ProgramError("not a qbridge program");
  int version = r.i32();
  if (version != kProgramVersion) {
    throw ProgramError("program version " + std::to_string(version) + ", expected " + std::to_string(kProgramVersion));
  }
  int ops = r.count("op count");
  const OpContext ctx = {detect_isa(), arena, arena_bytes, threads};
  std::unique_ptr<CompiledPlan> plan(new CompiledPlan(threads));
  for (int i = 0; i < ops; i++) {
    size_t start = r.pos();
    int opcode = r.i32();
    int words = r.count("op length");
    std::unique_ptr<Op> op;
    switch (opcode) {
      case kOpConv2D: op = read_conv2d(r, ctx); break;
      case kOpDepthwiseConv2D: op = read_depthwise_conv2d(r, ctx); break;
      case kOpFullyConnected: op = read_fully_connected(r, ctx); break;
      case kOpPool: op = read_pool2d(r, ctx); break;
      case kOpCopy: op = read_reshape(r, ctx); break;
      case kOpSoftmax: op = read_softmax(r, ctx); break;
      case kOpAdd: op = read_add(r, ctx); break;
      case kOpMul: op = read_mul(r, ctx); break;
      case kOpMean: op = read_mean(r, ctx); break;
      case kOpLookup: op = read_lookup(r, ctx); break;
      case kOpPad: op = read_pad(r, ctx); break;
      case kOpConcatenation: op = read_concatenation(r, ctx); break;
      case kOpQuantize: op = read_quantize(r, ctx); break;
      case kOpDequantize: op = read_dequantize(r, ctx); break;
      default: throw ProgramError("op " + std::to_string(i) + ": unknown opcode " + std::to_string(opcode));
    }
    if (r.pos() != start + 4 * (size_t)words) {
      throw ProgramError("op " + std::to_string(i) + ": record length mismatch");
    }
    plan->ops.push_back(std::move(op));
  }
  return plan;
}

}  // namespace qbridge
