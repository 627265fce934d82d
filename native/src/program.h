// Reading the program that io.qbridge.backend.neon.PlanEncoder writes. Its layout is defined once,
// in program.def (one line per op record, fields in order); the opcodes and names here come from
// that table. Java has validated the model; the reader still checks bounds so that a mismatch
// between the two sides is an error message, not a crash.
//
// Every field is read by its program.def name: with a trace (qb_describe), the reader writes each
// op's name and every field it read as text ("name=value" lines), which the bridge's
// ProgramWireFormatTest compares with what the Java writer wrote.
#ifndef QBRIDGE_PROGRAM_H
#define QBRIDGE_PROGRAM_H

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace qbridge {

constexpr int32_t kProgramMagic = 0x31504251;   // "QBP1"
constexpr int32_t kProgramVersion = 3;

namespace opcode {
#define QB_RECORD(code, name, fields) name = code,
enum : int32_t {
#include "program.def"
};
#undef QB_RECORD
}  // namespace opcode

// The record's name in program.def, or null for an unknown opcode.
const char* op_name(int32_t opcode);

enum ElemType : int32_t { kUint8 = 1, kInt8 = 2 };

class ProgramError : public std::runtime_error {
 public:
  explicit ProgramError(const std::string& what) : std::runtime_error(what) {}
};

class Reader {
 public:
  // trace: null, or where each record's name and fields are written as they are read.
  Reader(const uint8_t* data, size_t bytes, std::string* trace = nullptr)
      : data_(data), bytes_(bytes), trace_(trace) {}

  // One word; a null name (framing: magic, version, opcode, length) is not traced.
  int32_t i32(const char* name) {
    need(4);
    int32_t v;
    std::memcpy(&v, data_ + pos_, 4);   // the JVM and every target here are little-endian
    pos_ += 4;
    if (trace_ != nullptr && name != nullptr) note(name, std::to_string(v));
    return v;
  }
  // A non-negative word no larger than max.
  int32_t count(const char* name, int64_t max = INT32_MAX) {
    int32_t v = i32(name);
    if (v < 0 || v > max) throw ProgramError(std::string("bad ") + (name ? name : "count") + ": " + std::to_string(v));
    return v;
  }
  // name[n]
  const int32_t* ints(const char* name, size_t n) {
    need(4 * n);
    const int32_t* p = reinterpret_cast<const int32_t*>(data_ + pos_);
    pos_ += 4 * n;
    if (trace_ != nullptr) {
      std::string s = "[";
      for (size_t i = 0; i < n; i++) s += (i ? "," : "") + std::to_string(p[i]);
      note(name, s + "]");
    }
    return p;
  }
  // name:bytes, a byte count then the bytes padded to whole words; *n gets the count.
  const uint8_t* bytes(const char* name, int64_t* n) {
    std::string* trace = trace_;
    trace_ = nullptr;
    *n = count(name);
    trace_ = trace;
    size_t padded = ((size_t)*n + 3) & ~size_t(3);
    need(padded);
    const uint8_t* p = data_ + pos_;
    pos_ += padded;
    if (trace_ != nullptr) note(name, hex(p, (size_t)*n));
    return p;
  }
  // name:operand, 0 and an arena offset (*offset), or 1 and name:bytes (returned, *n bytes).
  const uint8_t* operand(const char* name, int64_t* offset, int64_t* n) {
    std::string* trace = trace_;
    trace_ = nullptr;
    const uint8_t* constant = nullptr;
    if (i32(name) == 0) {
      *offset = count(name);
    } else {
      constant = bytes(name, n);
    }
    trace_ = trace;
    if (trace_ != nullptr) note(name, constant == nullptr ? "@" + std::to_string(*offset) : hex(constant, (size_t)*n));
    return constant;
  }
  // Starts an op's record in the trace.
  void record(const char* op) {
    if (trace_ != nullptr) *trace_ += std::string(op) + "\n";
  }

  size_t pos() const { return pos_; }

 private:
  void need(size_t n) {
    if (n > bytes_ - pos_) throw ProgramError("program truncated");
  }
  void note(const char* name, const std::string& value) { *trace_ += std::string(name) + "=" + value + "\n"; }
  static std::string hex(const uint8_t* p, size_t n) {
    static const char kDigits[] = "0123456789abcdef";
    std::string s = "bytes:";
    for (size_t i = 0; i < n; i++) {
      s += kDigits[p[i] >> 4];
      s += kDigits[p[i] & 15];
    }
    return s;
  }

  const uint8_t* data_;
  size_t bytes_;
  std::string* trace_;
  size_t pos_ = 0;
};

}  // namespace qbridge
#endif
