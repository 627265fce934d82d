// Reading the program that io.qbridge.backend.neon.PlanEncoder writes: little-endian int32
// words. Layout (every op record starts with its opcode and its length in words):
//   header: MAGIC, VERSION, op count
//   CONV_2D (1): type, batches, inH, inW, inC, outH, outW, outC, fH, fW, strideH, strideW, dilationH, dilationW, padTop, padLeft, input arena offset,
//             output arena offset, inputOffset, filterOffset, outputOffset, actMin, actMax,
//             multiplier[outC], shift[outC], bias[outC], filter byte count, filter bytes (padded to 4)
//   DEPTHWISE_CONV_2D (14): as CONV_2D with depthMultiplier after fW; filter [fH][fW][outC]
//   FULLY_CONNECTED (2): type, batches, inDepth, outDepth, input arena offset, output arena
//             offset, inputOffset, filterOffset, outputOffset, actMin, actMax, multiplier[outDepth],
//             shift[outDepth], bias[outDepth], filter byte count, filter bytes (padded to 4)
//   POOL (3): type, average, batches, inH, inW, channels, outH, outW, fH, fW, strideH, strideW,
//             padTop, padLeft, actMin, actMax, input offset, output offset
//   COPY (4, RESHAPE/SQUEEZE): byte count, input offset, output offset
//   SOFTMAX (5): type, rows, depth, diffMin, exp[256] (Q0, of diff = -i), exp[256] in Q12.19,
//             input offset, output offset
//   ADD (6) / MUL (7): type, rank, shape[rank], stride1[rank], stride2[rank], operand 1,
//             operand 2 (each: 0 + arena offset, or 1 + byte count + bytes), output offset,
//             ADD: rescaled input tables [256] x 2, input offsets x 2, left shift, input
//             multiplier and shift x 2 / MUL: input offsets x 2; then output
//             multiplier, shift, output offset, actMin, actMax
//   MEAN (8): type, outputs, reduced count, input zero point x reduced count, multiplier, shift,
//             output zero point, input offset, output offset, input bytes, first element of
//             each output [outputs], offsets of the reduced elements [reduced count]
//   LOOKUP (9): element count, input offset, output offset, table[256] (8-bit requantization,
//             quantized RELU/RELU6/LOGISTIC/TANH)
//   PAD (10): element bytes, rank, input shape[rank], output shape[rank], pad before[rank],
//             pad value byte count + one int per byte, input operand, output offset
//   CONCATENATION (11): rows, input count, per input: row bytes, operand, has table (0/1)
//             [+ table[256]]; then output offset
//   QUANTIZE (12, float32 to 8 bits) / DEQUANTIZE (13, 8 bits to float32): type, element count,
//             channels, elements per channel run, scale bits[channels], zero point[channels],
//             input offset, output offset
// Types: 1 = uint8, 2 = int8. Java has validated the model; the reader still checks bounds so
// that a mismatch between the two sides is an error message, not a crash.
#ifndef QBRIDGE_PROGRAM_H
#define QBRIDGE_PROGRAM_H

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace qbridge {

constexpr int32_t kProgramMagic = 0x31504251;   // "QBP1"
constexpr int32_t kProgramVersion = 2;

enum OpCode : int32_t { kOpConv2D = 1, kOpFullyConnected = 2, kOpPool = 3, kOpCopy = 4, kOpSoftmax = 5, kOpAdd = 6, kOpMul = 7, kOpMean = 8, kOpLookup = 9,
                       kOpPad = 10, kOpConcatenation = 11, kOpQuantize = 12, kOpDequantize = 13, kOpDepthwiseConv2D = 14 };
enum ElemType : int32_t { kUint8 = 1, kInt8 = 2 };

class ProgramError : public std::runtime_error {
 public:
  explicit ProgramError(const std::string& what) : std::runtime_error(what) {}
};

class Reader {
 public:
  Reader(const uint8_t* data, size_t bytes) : data_(data), bytes_(bytes) {}

  int32_t i32() {
    need(4);
    int32_t v;
    std::memcpy(&v, data_ + pos_, 4);   // the JVM and every target here are little-endian
    pos_ += 4;
    return v;
  }
  // A non-negative int no larger than max.
  int32_t count(const char* what, int64_t max = INT32_MAX) {
    int32_t v = i32();
    if (v < 0 || v > max) throw ProgramError(std::string("bad ") + what + ": " + std::to_string(v));
    return v;
  }
  const int32_t* ints(size_t n) {
    need(4 * n);
    const int32_t* p = reinterpret_cast<const int32_t*>(data_ + pos_);
    pos_ += 4 * n;
    return p;
  }
  const uint8_t* bytes(size_t n) {
    size_t padded = (n + 3) & ~size_t(3);
    need(padded);
    const uint8_t* p = data_ + pos_;
    pos_ += padded;
    return p;
  }
  size_t pos() const { return pos_; }
  void seek(size_t pos) {
    if (pos > bytes_) throw ProgramError("op record runs past the end of the program");
    pos_ = pos;
  }

 private:
  void need(size_t n) {
    if (n > bytes_ - pos_) throw ProgramError("program truncated");
  }
  const uint8_t* data_;
  size_t bytes_;
  size_t pos_ = 0;
};

}  // namespace qbridge
#endif
