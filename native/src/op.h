// What every op of the plan executor shares: the Op interface, the SplitOp base that spreads an
// op's independent items over the pool, the context a reader builds its op in, and the checks and
// operands several readers use.
#ifndef QBRIDGE_OP_H
#define QBRIDGE_OP_H

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "kernels.h"
#include "program.h"
#include "thread_pool.h"

namespace qbridge {

class Op {
 public:
  virtual ~Op() = default;
  virtual void run(ThreadPool& pool) = 0;
};

// An op whose work is items() independent items (rows, pixels, column groups, elements) split
// evenly over the pool's threads; thread `chunk` does work(begin, end, chunk). Derived names the
// op's class (its items() and work() are called directly, not through a vtable).
template <class Derived>
class SplitOp : public Op {
 public:
  void run(ThreadPool& pool) override { pool.run(&SplitOp::entry, this, pool.threads()); }

 private:
  static void entry(void* self, int chunk, int chunks) {
    Derived* op = static_cast<Derived*>(static_cast<SplitOp*>(self));
    int64_t n = op->items();
    op->work(n * chunk / chunks, n * (chunk + 1) / chunks, chunk);
  }
};

// Where a reader builds its op: the kernel family of this CPU, the arena the plan is bound to
// (it never moves), and the pool's thread count.
struct OpContext {
  Isa isa;
  uint8_t* arena;
  int64_t arena_bytes;
  int threads;
};

// Throws unless [offset, offset + bytes) lies inside the arena.
void check_tensor(const char* what, int64_t offset, int64_t bytes, int64_t arena_bytes);

// The `type` field: true for uint8, false for int8.
bool read_type(Reader& r);

// An input in the arena, or a constant carried in the program (copied out of it).
struct Operand {
  const uint8_t* data = nullptr;
  std::vector<uint8_t> constant;
};
void read_operand(Reader& r, const char* name, Operand& o, const OpContext& ctx, int64_t bytes);

// 64-byte aligned heap block with `slack` readable bytes past the end (kernels read whole
// vectors past the last element; the extra bytes never reach an output).
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(size_t bytes, size_t slack = 64) { resize(bytes, slack); }
  ~Buffer() { std::free(data_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  void resize(size_t bytes, size_t slack = 64) {
    std::free(data_);
    data_ = nullptr;
    size_t total = (bytes + slack + 63) & ~size_t(63);
    if (posix_memalign(&data_, 64, total) != 0) throw ProgramError("out of memory");
    std::memset(data_, 0, total);
    size_ = bytes;
  }
  uint8_t* data() const { return static_cast<uint8_t*>(data_); }
  size_t size() const { return size_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace qbridge
#endif
