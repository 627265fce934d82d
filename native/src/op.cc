#include "op.h"

#include <string>

namespace qbridge {

void check_tensor(const char* what, int64_t offset, int64_t bytes, int64_t arena_bytes) {
  if (offset < 0 || bytes < 0 || offset + bytes > arena_bytes) {
    throw ProgramError(std::string(what) + " lies outside the arena");
  }
}

bool read_type(Reader& r) {
  int type = r.i32();
  if (type != kUint8 && type != kInt8) throw ProgramError("unknown element type " + std::to_string(type));
  return type == kUint8;
}

void read_operand(Reader& r, Operand& o, const OpContext& ctx, int64_t bytes) {
  int kind = r.i32();
  if (kind == 0) {
    int64_t off = r.count("operand offset");
    check_tensor("operand", off, bytes, ctx.arena_bytes);
    o.data = ctx.arena + off;
  } else {
    int64_t n = r.count("constant bytes");
    if (n != bytes) throw ProgramError("constant operand size mismatch");
    const uint8_t* p = r.bytes(n);
    o.constant.assign(p, p + n);
    o.data = o.constant.data();
  }
}

}  // namespace qbridge
