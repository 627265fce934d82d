#include "packing.h"

#include <cstring>
#include <vector>

namespace qbridge {
namespace {

// Fills one packed header: bias with the zero-point terms folded in, multiplier, left shift,
// negative right shift.
void write_header(int32_t* hdr, int block, int count, int first, const OutputStage& out, const int32_t* folded_bias) {
  for (int i = 0; i < block; i++) {
    int c = first + i;
    bool real = i < count;
    int32_t shift = real ? out.shift[c] : 0;
    hdr[i] = real ? folded_bias[i] : 0;
    hdr[block + i] = real ? out.multiplier[c] : 0;
    hdr[2 * block + i] = shift > 0 ? shift : 0;
    hdr[3 * block + i] = shift > 0 ? 0 : shift;
  }
}

int32_t read_weight(const uint8_t* w, size_t i, bool u8) { return u8 ? (int32_t)w[i] : (int32_t)(int8_t)w[i]; }

}  // namespace

OutParams kernel_out_params(const OutputStage& out, int channels, int input_zero_point) {
  bool any_left = false, all_right = true, uniform = true;
  for (int c = 0; c < channels; c++) {
    any_left = any_left || out.shift[c] > 0;
    all_right = all_right && out.shift[c] < 0 && out.multiplier[c] >= 0;
    uniform = uniform && out.shift[c] == out.shift[0] && out.multiplier[c] == out.multiplier[0];
  }
  OutParams q;
  q.zero_point = out.zero_point;
  q.act_min = out.min;
  q.act_max = out.max;
  q.input_zero_point = input_zero_point;
  q.flags = (any_left ? kOutAnyLeftShift : 0) | (all_right ? kOutAllRightShifts : 0) | (uniform ? kOutUniform : 0);
  return q;
}

bool has_minus128(const uint8_t* w, size_t n, bool u8) {
  if (u8) return false;
  for (size_t i = 0; i < n; i++)
    if (w[i] == 0x80) return true;
  return false;
}

size_t pack_gemm(const GemmKernel& kernel, bool u8, int N, int K, int Kpad, const uint8_t* filter,
                 const int32_t* bias, const OutputStage& out, int zpa, int zpw, Buffer& packed) {
  const int nr = kernel.nr, kr = kernel.kr;
  const bool w16 = kernel.w16;
  const size_t group_bytes = 16 * (size_t)nr + (size_t)nr * Kpad * (w16 ? 2 : 1);
  size_t groups = ((size_t)N + nr - 1) / nr;
  packed.resize(groups * group_bytes);
  std::vector<int32_t> folded(nr);
  for (size_t gi = 0; gi < groups; gi++) {
    uint8_t* dst = packed.data() + gi * group_bytes;
    int first = (int)gi * nr;
    int count = N - first < nr ? N - first : nr;
    for (int i = 0; i < count; i++) {
      const uint8_t* row = filter + (size_t)(first + i) * K;
      uint32_t sum = 0;
      for (int k = 0; k < K; k++) sum += (uint32_t)read_weight(row, k, u8);
      // sum (a - zpa)(w - zpw) = sum a*w - zpa*sum w - zpw*sum a + K*zpa*zpw; the last
      // two row terms: -zpw*sum a at run time (rowcorr), the rest here.
      uint32_t b = (uint32_t)bias[first + i] - (uint32_t)zpa * sum + (uint32_t)K * (uint32_t)zpa * (uint32_t)zpw;
      folded[i] = (int32_t)b;
    }
    if (w16) {   // the kernel subtracts both zero points: plain bias, int16 (w - zpw), k-major
      for (int i = 0; i < count; i++) folded[i] = bias[first + i];
      write_header(reinterpret_cast<int32_t*>(dst), nr, count, first, out, folded.data());
      int16_t* wp16 = reinterpret_cast<int16_t*>(dst + 16 * nr);
      const int width = count <= nr / 2 ? nr / 2 : nr;   // a last group of <= nr/2 columns: half width
      for (int k = 0; k < Kpad; k++) {
        for (int n = 0; n < width; n++) {
          *wp16++ = (int16_t)((n < count && k < K) ? read_weight(filter, (size_t)(first + n) * K + k, u8) - zpw : 0);
        }
      }
      continue;
    }
    write_header(reinterpret_cast<int32_t*>(dst), nr, count, first, out, folded.data());
    uint8_t* wp = dst + 16 * nr;
    // 16-wide kernels read a last group of <= 8 columns packed 8 wide.
    const int width = nr == 16 && count <= nr / 2 ? nr / 2 : nr;
    for (int k0 = 0; k0 < Kpad;) {
      int blk = kr == 16 ? (Kpad - k0 >= 16 ? 16 : 8) : kr;
      for (int n = 0; n < width; n++) {
        for (int k = 0; k < blk; k++) {
          int kk = k0 + k;
          *wp++ = (n < count && kk < K) ? filter[(size_t)(first + n) * K + kk] : 0;
        }
      }
      k0 += blk;
    }
  }
  return group_bytes;
}

void pack_dwconv(const DwKernel& kernel, bool u8, int channels, int taps, const uint8_t* filter,
                 const int32_t* bias, const OutputStage& out, int zpa, int zpw, Buffer& packed) {
  const int cb = kernel.cb, wb = kernel.weight_bytes;
  const size_t block_bytes = 16 * (size_t)cb + (size_t)taps * cb * wb;
  size_t blocks = ((size_t)channels + cb - 1) / cb;
  packed.resize(blocks * block_bytes);
  std::vector<int32_t> folded(cb);
  for (size_t bi = 0; bi < blocks; bi++) {
    uint8_t* dst = packed.data() + bi * block_bytes;
    int first = (int)bi * cb;
    int count = channels - first < cb ? channels - first : cb;
    for (int i = 0; i < count; i++) {
      uint32_t sum = 0;
      for (int t = 0; t < taps; t++) sum += (uint32_t)(read_weight(filter, (size_t)t * channels + first + i, u8) - zpw);
      folded[i] = (int32_t)((uint32_t)bias[first + i] - (uint32_t)zpa * sum);
    }
    write_header(reinterpret_cast<int32_t*>(dst), cb, count, first, out, folded.data());
    for (int t = 0; t < taps; t++) {
      for (int i = 0; i < cb; i++) {
        int32_t v = i < count ? read_weight(filter, (size_t)t * channels + first + i, u8) - zpw : 0;
        if (wb == 2) {
          int16_t s = (int16_t)v;
          std::memcpy(dst + 16 * cb + ((size_t)t * cb + i) * 2, &s, 2);
        } else {
          dst[16 * cb + (size_t)t * cb + i] = (uint8_t)(int8_t)v;
        }
      }
    }
  }
}

}  // namespace qbridge
