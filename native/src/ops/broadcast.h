// The broadcast geometry ADD and MUL share: the output shape, each input's strides over it (0
// where it broadcasts), the two operands and the output; work is split by rows of the innermost
// dimension.
#ifndef QBRIDGE_OPS_BROADCAST_H
#define QBRIDGE_OPS_BROADCAST_H

#include "../op.h"

namespace qbridge {

struct Broadcast {
  int rank;
  int shape[8], stride1[8], stride2[8];
  int64_t count;   // output elements
  Operand a, b;
  uint8_t* out;

  int inner() const { return shape[rank - 1]; }
  int64_t rows() const { return inner() == 0 ? 0 : count / inner(); }
  // Same shapes, no broadcast: the vector kernels' case.
  bool flat() const { return rank == 1 && stride1[0] == 1 && stride2[0] == 1; }

  // f(row, offset of the row's first element in a, in b) for rows [r0, r1).
  template <typename F>
  void for_rows(int64_t r0, int64_t r1, F f) const {
    for (int64_t row = r0; row < r1; row++) {
      int64_t rest = row, i1 = 0, i2 = 0;
      for (int d = rank - 2; d >= 0; d--) {
        int64_t idx = rest % shape[d];
        rest /= shape[d];
        i1 += idx * stride1[d];
        i2 += idx * stride2[d];
      }
      f(row, i1, i2);
    }
  }
};

// type already read: rank, shape, strides, operand 1, operand 2, output offset.
void read_broadcast(Reader& r, Broadcast& g, const OpContext& ctx);

template <typename T>
static inline int32_t load(const uint8_t* p) { return (int32_t)*reinterpret_cast<const T*>(p); }

}  // namespace qbridge
#endif
