// The C interface (include/qbridge_native.h) over the plan executor: exceptions stop here.
#include <cstring>
#include <string>

#include "../include/qbridge_native.h"
#include "plan.h"

using namespace qbridge;

extern "C" long long qb_compile(const signed char* program, long long program_bytes, signed char* arena,
                                long long arena_bytes, int threads, signed char* error, int error_bytes) {
  std::string why;
  try {
    if (program == nullptr || arena == nullptr || program_bytes < 12) throw ProgramError("no program or arena");
    std::unique_ptr<CompiledPlan> plan = compile_program(reinterpret_cast<const uint8_t*>(program),
                                                         (size_t)program_bytes, reinterpret_cast<uint8_t*>(arena),
                                                         arena_bytes, threads);
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
