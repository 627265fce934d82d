#include "output_stage.h"

namespace qbridge {

// Zero points travel as TFLite's negated offsets.
GemmQuantization read_gemm_quantization(Reader& r, int channels) {
  GemmQuantization g;
  g.zpa = -r.i32();
  g.zpw = -r.i32();
  g.out.zero_point = r.i32();
  g.out.act_min = r.i32();
  g.out.act_max = r.i32();
  g.rq.multiplier = r.ints(channels);
  g.rq.shift = r.ints(channels);
  g.rq.bias = r.ints(channels);
  return g;
}

}  // namespace qbridge
