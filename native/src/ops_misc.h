// Non-GEMM ops of the plan executor: pooling, RESHAPE copies, SOFTMAX, ADD, MUL, MEAN and
// 8-bit requantization by table (uint8 and int8). Each mirrors the Java reference kernel of the same op; tables that depend only on the
// plan (ADD's rescaled inputs, SOFTMAX's exponentials of the 256 possible differences) are
// computed by the Java side with the reference's own arithmetic and shipped in the program.
#ifndef QBRIDGE_OPS_MISC_H
#define QBRIDGE_OPS_MISC_H

#include <cstdint>
#include <memory>

#include "kernels.h"
#include "program.h"
#include "thread_pool.h"

namespace qbridge {

class Op {
 public:
  virtual ~Op() = default;
  virtual void run(ThreadPool& pool) = 0;
};

std::unique_ptr<Op> read_pool(Reader& r, uint8_t* arena, int64_t arena_bytes);
std::unique_ptr<Op> read_copy(Reader& r, uint8_t* arena, int64_t arena_bytes);
std::unique_ptr<Op> read_softmax(Reader& r, uint8_t* arena, int64_t arena_bytes);
std::unique_ptr<Op> read_mean(Reader& r, uint8_t* arena, int64_t arena_bytes);
std::unique_ptr<Op> read_lookup(Reader& r, uint8_t* arena, int64_t arena_bytes);
std::unique_ptr<Op> read_pad(Reader& r, uint8_t* arena, int64_t arena_bytes);
std::unique_ptr<Op> read_concatenation(Reader& r, uint8_t* arena, int64_t arena_bytes);
// QUANTIZE float32 -> uint8/int8, or (dequantize) DEQUANTIZE uint8/int8 -> float32.
std::unique_ptr<Op> read_quantize(Reader& r, uint8_t* arena, int64_t arena_bytes, bool dequantize);
std::unique_ptr<Op> read_add_mul(Reader& r, uint8_t* arena, int64_t arena_bytes, bool mul, Isa isa);

// Throws unless [offset, offset + bytes) lies inside the arena.
void check_tensor(const char* what, int64_t offset, int64_t bytes, int64_t arena_bytes);

}  // namespace qbridge
#endif
