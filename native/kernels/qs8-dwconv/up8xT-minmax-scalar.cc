// Portable int8 depthwise convolution, any filter size and depth multiplier.
#include "../common/dwconv-scalar.h"

namespace qbridge {
void qs8_dwconv_minmax_ukernel_up8xT__scalar(size_t channels, size_t pixels, const void* const* ind, size_t taps, size_t dm, const void* w, void* out, const OutParams* p) {
  dwconv_scalar<int8_t, 8>(channels, pixels, ind, taps, dm, w, out, p);
}
}  // namespace qbridge
