// uint8 depthwise 3x3 (any stride, dilation, padding), 16 channels per block, UXTL + SMLAL/SMLAL2 on int16.
#include "../common/dwconv-neon.h"

namespace qbridge {
void qu8_dwconv_minmax_ukernel_up16x9__neon_mul16(size_t channels, size_t pixels, const void* const* ind, size_t taps, size_t dm, const void* w, void* out, const OutParams* p) {
  dwconv_u8_neon_mul16<16, 9>(channels, pixels, ind, taps, dm, w, out, p);
}
}  // namespace qbridge
