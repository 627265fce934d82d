#include "op.h"

#include <string>

namespace qbridge {

void check_tensor(const char* what, int64_t offset, int64_t bytes, int64_t arena_bytes) {
  if (offset < 0 || bytes < 0 || offset + bytes > arena_bytes) {
    throw ProgramError(std::string(what) + " lies outside the arena");
  }
}

bool read_type(Reader& r) {
  int type = r.i32("type");
  if (type != kUint8 && type != kInt8) throw ProgramError("unknown element type " + std::to_string(type));
  return type == kUint8;
}

void read_operand(Reader& r, const char* name, Operand& o, const OpContext& ctx, int64_t bytes) {
  int64_t offset = 0, n = 0;
  const uint8_t* constant = r.operand(name, &offset, &n);
  if (constant == nullptr) {
    check_tensor(name, offset, bytes, ctx.arena_bytes);
    o.data = ctx.arena + offset;
  } else {
    if (n != bytes) throw ProgramError(std::string(name) + ": constant size mismatch");
    o.constant.assign(constant, constant + n);
    o.data = o.constant.data();
  }
}

}  // namespace qbridge
