// The C interface (include/qbridge_native.h) over the plan executor: exceptions stop here.
#include <cstring>
#include <string>

#include "../include/qbridge_native.h"
#include "plan.h"

using namespace qbridge;

static void copy_out(const std::string& text, signed char* out, long long out_bytes) {
  if (out == nullptr || out_bytes <= 0) return;
  size_t n = text.size() < (size_t)out_bytes - 1 ? text.size() : (size_t)out_bytes - 1;
  std::memcpy(out, text.data(), n);
  out[n] = 0;
}

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
  copy_out(why, error, error_bytes);
  return 0;
}

extern "C" long long qb_describe(const signed char* program, long long program_bytes, signed char* arena,
                                 long long arena_bytes, signed char* out, long long out_bytes) {
  try {
    if (program == nullptr || arena == nullptr || program_bytes < 12) throw ProgramError("no program or arena");
    std::string trace;
    compile_program(reinterpret_cast<const uint8_t*>(program), (size_t)program_bytes,
                    reinterpret_cast<uint8_t*>(arena), arena_bytes, 1, &trace);
    copy_out(trace, out, out_bytes);
    return (long long)trace.size();
  } catch (const std::exception& e) {
    copy_out(e.what(), out, out_bytes);
  } catch (...) {
    copy_out("unknown native error", out, out_bytes);
  }
  return -1;
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
