// The op readers: each reads its record (layout in program.def) and builds the op, bound to the
// arena, with its weights packed for this CPU. One file per op family in this folder.
#ifndef QBRIDGE_OPS_OPS_H
#define QBRIDGE_OPS_OPS_H

#include <memory>

#include "../op.h"

namespace qbridge {

std::unique_ptr<Op> read_conv2d(Reader& r, const OpContext& ctx);
std::unique_ptr<Op> read_depthwise_conv2d(Reader& r, const OpContext& ctx);
std::unique_ptr<Op> read_fully_connected(Reader& r, const OpContext& ctx);
std::unique_ptr<Op> read_average_pool2d(Reader& r, const OpContext& ctx);
std::unique_ptr<Op> read_max_pool2d(Reader& r, const OpContext& ctx);
std::unique_ptr<Op> read_reshape(Reader& r, const OpContext& ctx);
std::unique_ptr<Op> read_softmax(Reader& r, const OpContext& ctx);
std::unique_ptr<Op> read_add(Reader& r, const OpContext& ctx);
std::unique_ptr<Op> read_mul(Reader& r, const OpContext& ctx);
std::unique_ptr<Op> read_mean(Reader& r, const OpContext& ctx);
std::unique_ptr<Op> read_lookup(Reader& r, const OpContext& ctx);
std::unique_ptr<Op> read_pad(Reader& r, const OpContext& ctx);
std::unique_ptr<Op> read_concatenation(Reader& r, const OpContext& ctx);
std::unique_ptr<Op> read_quantize(Reader& r, const OpContext& ctx);     // float32 to uint8/int8
std::unique_ptr<Op> read_dequantize(Reader& r, const OpContext& ctx);   // uint8/int8 to float32

}  // namespace qbridge
#endif
