// Kernel tables per instruction set, CPU detection and row sums.
#include "kernels.h"

#include <cstdlib>
#include <cstring>

#if defined(__aarch64__) || defined(__arm__)
#include <sys/auxv.h>
#endif

namespace qbridge {

#define GEMM_DECL(name)                                                                                  \
  void name(size_t mr, size_t nc, size_t kc, const void* a, size_t a_stride, const void* w, void* c, \
            size_t cm_stride, const int32_t* rowcorr, const OutParams* p);
#define DW_DECL(name)                                                                                      \
  void name(size_t channels, size_t pixels, const void* const* ind, size_t taps, size_t dm, const void* w, \
            void* out, const OutParams* p);

GEMM_DECL(qs8_gemm_minmax_ukernel_4x4c16__scalar)
GEMM_DECL(qs8_gemm_minmax_ukernel_1x4c16__scalar)
GEMM_DECL(qu8_gemm_minmax_ukernel_4x4c16__scalar)
GEMM_DECL(qu8_gemm_minmax_ukernel_1x4c16__scalar)
DW_DECL(qs8_dwconv_minmax_ukernel_up8xT__scalar)
DW_DECL(qu8_dwconv_minmax_ukernel_up8xT__scalar)

static const GemmKernel kQs8Scalar = {"qs8-gemm 4x4c16 scalar", 4, 4, 16, qs8_gemm_minmax_ukernel_4x4c16__scalar,
                                      qs8_gemm_minmax_ukernel_1x4c16__scalar};
static const GemmKernel kQu8Scalar = {"qu8-gemm 4x4c16 scalar", 4, 4, 16, qu8_gemm_minmax_ukernel_4x4c16__scalar,
                                      qu8_gemm_minmax_ukernel_1x4c16__scalar};
static const DwKernel kQs8DwScalar = {"qs8-dwconv up8xT scalar", 8, 2, qs8_dwconv_minmax_ukernel_up8xT__scalar, nullptr};
static const DwKernel kQu8DwScalar = {"qu8-dwconv up8xT scalar", 8, 2, qu8_dwconv_minmax_ukernel_up8xT__scalar, nullptr};

#if defined(__aarch64__)
DW_DECL(qu8_dwconv_minmax_ukernel_up16x9__neon_mul16)
DW_DECL(qu8_dwconv_minmax_ukernel_up16xT__neon_mul16)
DW_DECL(qs8_dwconv_minmax_ukernel_up16x9__neon_mul8)
DW_DECL(qs8_dwconv_minmax_ukernel_up16xT__neon_mul8)
GEMM_DECL(qs8_gemm_minmax_ukernel_4x16__neon_mlal_lane)
GEMM_DECL(qs8_gemm_minmax_ukernel_1x16__neon_mlal_lane)
GEMM_DECL(qu8_gemm_minmax_ukernel_4x16__neon_mlal_lane)
GEMM_DECL(qu8_gemm_minmax_ukernel_1x16__neon_mlal_lane)
static const GemmKernel kQs8Lane = {"qs8-gemm 4x16 neon-mlal-lane", 4, 16, 1,
                                    qs8_gemm_minmax_ukernel_4x16__neon_mlal_lane,
                                    qs8_gemm_minmax_ukernel_1x16__neon_mlal_lane, true};
static const GemmKernel kQu8Lane = {"qu8-gemm 4x16 neon-mlal-lane", 4, 16, 1,
                                    qu8_gemm_minmax_ukernel_4x16__neon_mlal_lane,
                                    qu8_gemm_minmax_ukernel_1x16__neon_mlal_lane, true};
GEMM_DECL(qs8_gemm_minmax_ukernel_4x16c4__neondot)
GEMM_DECL(qs8_gemm_minmax_ukernel_1x16c4__neondot)
GEMM_DECL(qu8_gemm_minmax_ukernel_4x16c4__neondot)
GEMM_DECL(qu8_gemm_minmax_ukernel_1x16c4__neondot)
static const GemmKernel kQs8Dot16 = {"qs8-gemm 4x16c4 neondot", 4, 16, 4, qs8_gemm_minmax_ukernel_4x16c4__neondot,
                                     qs8_gemm_minmax_ukernel_1x16c4__neondot};
static const GemmKernel kQu8Dot16 = {"qu8-gemm 4x16c4 neondot", 4, 16, 4, qu8_gemm_minmax_ukernel_4x16c4__neondot,
                                     qu8_gemm_minmax_ukernel_1x16c4__neondot};
static const DwKernel kQu8DwNeon = {"qu8-dwconv up16x9 neon-mul16", 16, 2, qu8_dwconv_minmax_ukernel_up16xT__neon_mul16,
                                    qu8_dwconv_minmax_ukernel_up16x9__neon_mul16};
static const DwKernel kQs8DwNeon = {"qs8-dwconv up16x9 neon-mul8", 16, 1, qs8_dwconv_minmax_ukernel_up16xT__neon_mul8,
                                    qs8_dwconv_minmax_ukernel_up16x9__neon_mul8};
#endif
#if defined(__aarch64__) || defined(__arm__)
// 8-channel blocks: armv7's kernels, and aarch64's when a 16-channel block would be half empty.
DW_DECL(qu8_dwconv_minmax_ukernel_up8x9__neon_mul16)
DW_DECL(qu8_dwconv_minmax_ukernel_up8xT__neon_mul16)
DW_DECL(qs8_dwconv_minmax_ukernel_up8x9__neon_mul8)
DW_DECL(qs8_dwconv_minmax_ukernel_up8xT__neon_mul8)
static const DwKernel kQu8DwNeon8 = {"qu8-dwconv up8x9 neon-mul16", 8, 2, qu8_dwconv_minmax_ukernel_up8xT__neon_mul16,
                                     qu8_dwconv_minmax_ukernel_up8x9__neon_mul16};
static const DwKernel kQs8DwNeon8 = {"qs8-dwconv up8x9 neon-mul8", 8, 1, qs8_dwconv_minmax_ukernel_up8xT__neon_mul8,
                                     qs8_dwconv_minmax_ukernel_up8x9__neon_mul8};
#endif
#if defined(__arm__)
GEMM_DECL(qs8_gemm_minmax_ukernel_2x4c16__neon_mlal_padal)
GEMM_DECL(qs8_gemm_minmax_ukernel_1x4c16__neon_mlal_padal)
GEMM_DECL(qu8_gemm_minmax_ukernel_2x4c16__neon_mull_padal)
GEMM_DECL(qu8_gemm_minmax_ukernel_1x4c16__neon_mull_padal)
static const GemmKernel kQs8Neon = {"qs8-gemm 2x4c16 neon-mlal-padal", 2, 4, 16,
                                    qs8_gemm_minmax_ukernel_2x4c16__neon_mlal_padal,
                                    qs8_gemm_minmax_ukernel_1x4c16__neon_mlal_padal};
static const GemmKernel kQu8Neon = {"qu8-gemm 2x4c16 neon-mull-padal", 2, 4, 16,
                                    qu8_gemm_minmax_ukernel_2x4c16__neon_mull_padal,
                                    qu8_gemm_minmax_ukernel_1x4c16__neon_mull_padal};
#endif

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kAarch64NeonDot: return "aarch64-neondot";
    case Isa::kAarch64Neon: return "aarch64-neon";
    case Isa::kArmv7Neon: return "armv7-neon";
    default: return "portable";
  }
}

Isa detect_isa() {
  Isa isa = Isa::kPortable;
#if defined(__aarch64__)
  const unsigned long kHwcapAsimdDp = 1ul << 20;   // HWCAP_ASIMDDP
  isa = (getauxval(AT_HWCAP) & kHwcapAsimdDp) ? Isa::kAarch64NeonDot : Isa::kAarch64Neon;
#elif defined(__arm__)
  const unsigned long kHwcapNeon = 1ul << 12;      // HWCAP_NEON
  isa = (getauxval(AT_HWCAP) & kHwcapNeon) ? Isa::kArmv7Neon : Isa::kPortable;
#endif
  const char* force = std::getenv("QBRIDGE_NEON_ISA");
  if (force != nullptr) {
    if (std::strcmp(force, "portable") == 0) {
      isa = Isa::kPortable;
    } else if (std::strcmp(force, "neon") == 0 && isa == Isa::kAarch64NeonDot) {
      isa = Isa::kAarch64Neon;   // only ever lowers: never picks dot product the CPU lacks
    }
  }
  return isa;
}

const GemmKernel* select_gemm(Isa isa, bool u8, bool weights_min_int8, int) {
#if defined(__aarch64__)
  if (isa == Isa::kAarch64NeonDot) return u8 ? &kQu8Dot16 : &kQs8Dot16;
  // Fewer instructions per MAC than 4x4c16 at every K (no lane sums, no row sums, 16-byte
  // stores), most of all at the small K of MobileNet v2's bottlenecks.
  if (isa == Isa::kAarch64Neon) return u8 ? &kQu8Lane : &kQs8Lane;
#endif
#if defined(__arm__)
  if (isa == Isa::kArmv7Neon) {
    if (u8) return &kQu8Neon;
    if (!weights_min_int8) return &kQs8Neon;
  }
#endif
  (void)isa;
  (void)weights_min_int8;
  return u8 ? &kQu8Scalar : &kQs8Scalar;
}

const DwKernel* select_dwconv(Isa isa, bool u8, bool weights_min_int8, int channels) {
#if defined(__aarch64__)
  if (isa != Isa::kPortable) {
    bool half_empty = channels % 16 != 0 && channels % 16 <= 8;   // e.g. 8 or 24 channels
    if (u8) return half_empty ? &kQu8DwNeon8 : &kQu8DwNeon;
    if (!weights_min_int8) return half_empty ? &kQs8DwNeon8 : &kQs8DwNeon;
  }
#elif defined(__arm__)
  if (isa != Isa::kPortable) {
    if (u8) return &kQu8DwNeon8;
    if (!weights_min_int8) return &kQs8DwNeon8;
  }
#endif
  (void)channels;
  (void)isa;
  (void)weights_min_int8;
  return u8 ? &kQu8DwScalar : &kQs8DwScalar;
}

void q8_vadd_minmax_neon(bool u8, size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const VaddParams* p);

VaddFn select_vadd(Isa isa) {
#if defined(__aarch64__) || defined(__arm__)
  if (isa != Isa::kPortable) return q8_vadd_minmax_neon;
#endif
  (void)isa;
  return nullptr;
}

int32_t rowsum_u8_neon(const void* a, size_t k);
int32_t rowsum_s8_neon(const void* a, size_t k);

static int32_t rowsum_u8_scalar(const void* a, size_t k) {
  const uint8_t* p = static_cast<const uint8_t*>(a);
  uint32_t s = 0;
  for (size_t i = 0; i < k; i++) s += p[i];
  return (int32_t)s;
}

static int32_t rowsum_s8_scalar(const void* a, size_t k) {
  const int8_t* p = static_cast<const int8_t*>(a);
  uint32_t s = 0;
  for (size_t i = 0; i < k; i++) s += (uint32_t)(int32_t)p[i];
  return (int32_t)s;
}

RowSumFn select_rowsum(Isa isa, bool u8) {
#if defined(__aarch64__) || defined(__arm__)
  if (isa != Isa::kPortable) return u8 ? rowsum_u8_neon : rowsum_s8_neon;
#endif
  (void)isa;
  return u8 ? rowsum_u8_scalar : rowsum_s8_scalar;
}

}  // namespace qbridge
