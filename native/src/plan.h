// A compiled plan: the program decoded into ops bound to the arena, and the pool they run on.
#ifndef QBRIDGE_PLAN_H
#define QBRIDGE_PLAN_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "op.h"

namespace qbridge {

struct CompiledPlan {
  explicit CompiledPlan(int threads) : pool(threads) {}
  ThreadPool pool;
  std::vector<std::unique_ptr<Op>> ops;
};

// Decodes a program (program.h) and builds every op with this CPU's kernels; with a trace, also
// writes every field read (Reader). Throws ProgramError.
std::unique_ptr<CompiledPlan> compile_program(const uint8_t* program, size_t program_bytes, uint8_t* arena,
                                              int64_t arena_bytes, int threads, std::string* trace = nullptr);

}  // namespace qbridge
#endif
