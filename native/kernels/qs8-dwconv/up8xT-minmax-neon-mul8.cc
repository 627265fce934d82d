// int8 depthwise, any filter size, 8 channels per block, SMULL + SMLAL on int8 pairs, SADDW.
#include "../common/dwconv-neon.h"

namespace qbridge {
void qs8_dwconv_minmax_ukernel_up8xT__neon_mul8(size_t channels, size_t pixels, const void* const* ind, size_t taps, size_t dm, const void* w, void* out, const OutParams* p) {
  dwconv_s8_neon_mul8<8, 0>(channels, pixels, ind, taps, dm, w, out, p);
}
}  // namespace qbridge
