#include "plan.h"

#include <string>

#include "ops/ops.h"

namespace qbridge {

const char* op_name(int32_t code) {
  switch (code) {
#define QB_RECORD(code, name, fields) \
  case code:                          \
    return #name;
#include "program.def"
#undef QB_RECORD
    default: return nullptr;
  }
}

std::unique_ptr<CompiledPlan> compile_program(const uint8_t* program, size_t program_bytes, uint8_t* arena,
                                              int64_t arena_bytes, int threads, std::string* trace) {
  Reader r(program, program_bytes, trace);
  if (r.i32(nullptr) != kProgramMagic) throw ProgramError("not a qbridge program");
  int version = r.i32(nullptr);
  if (version != kProgramVersion) {
    throw ProgramError("program version " + std::to_string(version) + ", expected " + std::to_string(kProgramVersion));
  }
  int ops = r.count(nullptr);
  const OpContext ctx = {detect_isa(), arena, arena_bytes, threads};
  std::unique_ptr<CompiledPlan> plan(new CompiledPlan(threads));
  for (int i = 0; i < ops; i++) {
    size_t start = r.pos();
    int code = r.i32(nullptr);
    int words = r.count(nullptr);
    const char* name = op_name(code);
    if (name == nullptr) throw ProgramError("op " + std::to_string(i) + ": unknown opcode " + std::to_string(code));
    r.record(name);
    std::unique_ptr<Op> op;
    switch (code) {
      case opcode::CONV_2D: op = read_conv2d(r, ctx); break;
      case opcode::DEPTHWISE_CONV_2D: op = read_depthwise_conv2d(r, ctx); break;
      case opcode::FULLY_CONNECTED: op = read_fully_connected(r, ctx); break;
      case opcode::AVERAGE_POOL_2D: op = read_average_pool2d(r, ctx); break;
      case opcode::MAX_POOL_2D: op = read_max_pool2d(r, ctx); break;
      case opcode::RESHAPE: op = read_reshape(r, ctx); break;
      case opcode::SOFTMAX: op = read_softmax(r, ctx); break;
      case opcode::ADD: op = read_add(r, ctx); break;
      case opcode::MUL: op = read_mul(r, ctx); break;
      case opcode::MEAN: op = read_mean(r, ctx); break;
      case opcode::LOOKUP: op = read_lookup(r, ctx); break;
      case opcode::PAD: op = read_pad(r, ctx); break;
      case opcode::CONCATENATION: op = read_concatenation(r, ctx); break;
      case opcode::QUANTIZE: op = read_quantize(r, ctx); break;
      case opcode::DEQUANTIZE: op = read_dequantize(r, ctx); break;
    }
    if (r.pos() != start + 4 * (size_t)words) {
      throw ProgramError("op " + std::to_string(i) + " (" + name + "): record length mismatch");
    }
    plan->ops.push_back(std::move(op));
  }
  return plan;
}

}  // namespace qbridge
