// Micro-kernel interfaces and the tables that pick one per CPU. Naming follows XNNPACK:
// kernels/<datatype>-<operator>/<tile>-minmax-<isa>.cc, e.g. kernels/qu8-gemm/4x4c16-minmax-neon-mull-padal.cc
// (4 rows x 4 columns, 16 k per column block, UMULL + UADALP accumulation).
#ifndef QBRIDGE_KERNELS_H
#define QBRIDGE_KERNELS_H

#include <cstddef>
#include <cstdint>

namespace qbridge {

enum class Isa { kPortable, kArmv7Neon, kAarch64Neon, kAarch64NeonDot };

const char* isa_name(Isa isa);
// The best family this CPU runs (dot product only where HWCAP says so), lowered by
// QBRIDGE_NEON_ISA=portable|neon.
Isa detect_isa();

// Output stage shared by the kernels: output zero point and the fused-activation clamp.
struct OutParams {
  int32_t zero_point;
  int32_t act_min;
  int32_t act_max;
  int32_t input_zero_point = 0;   // read by kernels that subtract it before multiplying (w16 GEMM)
  int32_t flags = 0;              // kOut* facts about every channel's requantization
};
// No channel has a left shift: the kernels skip SSHL.
constexpr int32_t kOutAnyLeftShift = 1;
// Every channel shifts right by at least one and has a multiplier >= 0: gemmlowp's fix-up for
// ties reduces to adding the sign bit (SSRA), which cannot overflow because SQRDMULH by a
// non-negative multiplier below 2^31 never returns INT32_MIN.
constexpr int32_t kOutAllRightShifts = 2;
// Every channel has the same multiplier and shifts (per-tensor quantization): kernels may load
// them once per call from the first block's header.
constexpr int32_t kOutUniform = 4;

// GEMM: c[m][n] = requant(sum_k a[m][k] * w[n][k] + bias'[n] + rowcorr[m]) for an mr x nc block.
// Weights are packed in groups of NR columns: a header of 4 x NR int32 (bias with the zero-point
// terms folded in, multiplier, left shift >= 0, right shift as a negative number), then kc x NR
// weight bytes in blocks of KR k per column (the last block of a 16-KR layout may be 8 wide).
// kc is K rounded up to 8; a rows may be read up to kc bytes (weights past K are zero).
// Rows past mr repeat the last row (reads and identical writes), as XNNPACK does.
typedef void (*GemmUkernel)(size_t mr, size_t nc, size_t kc, const void* a, size_t a_stride,
                            const void* w, void* c, size_t cm_stride, const int32_t* rowcorr,
                            const OutParams* p);

struct GemmKernel {
  const char* name;
  int mr, nr, kr;
  GemmUkernel fn;       // up to mr rows
  GemmUkernel fn_row;   // one row (fully-connected with batch 1), same packing
  // Weights packed as int16 (w - w_zero_point), k-major [kc][nr] after the header; the bias is
  // not folded and no row sums are taken: the kernel subtracts the input zero point itself.
  bool w16 = false;
};

// Depthwise convolution over `pixels` output pixels: for each, `taps` input pointers (the
// indirection buffer; padding points at a zero-point row) and all channels. Weights packed in
// blocks of CB channels: header of 4 x CB int32 as for GEMM, then taps x CB weights (int16
// w - w_zero_point for uint8, int8 for int8). The NEON kernels take depth multiplier 1 only; the
// portable one any (output channel c reads input channel c / depth_multiplier).
typedef void (*DwUkernel)(size_t channels, size_t pixels, const void* const* indirection, size_t taps,
                          size_t depth_multiplier, const void* w, void* out, const OutParams* p);

struct DwKernel {
  const char* name;
  int cb;              // channel block
  int weight_bytes;    // 2: int16 (w - zp), 1: int8
  DwUkernel fn;        // any tap count
  DwUkernel fn_3x3;    // taps == 9, may be null
};

// Sum of k bytes (uint8 or int8) of one row, for the weight zero-point correction.
typedef int32_t (*RowSumFn)(const void* a, size_t k);

// Quantized ADD of same-shape tensors: shifts as stored by the kernels (left >= 0, right <= 0).
struct VaddParams {
  int32_t input1_offset, input2_offset, left_shift;
  int32_t input1_multiplier, input1_shift, input2_multiplier, input2_shift;
  int32_t output_multiplier, output_shift, output_offset, act_min, act_max;
};
typedef void (*VaddFn)(bool u8, size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const VaddParams* p);

// Kernel tables. weights_min_int8 is true when an int8 weight is -128 (outside the spec's
// [-127, 127]), which rules out the kernels that add two int8 products in 16 bits.
const GemmKernel* select_gemm(Isa isa, bool u8, bool weights_min_int8, int n);
const DwKernel* select_dwconv(Isa isa, bool u8, bool weights_min_int8, int channels);
RowSumFn select_rowsum(Isa isa, bool u8);
VaddFn select_vadd(Isa isa);   // null: use the portable table path

}  // namespace qbridge
#endif
