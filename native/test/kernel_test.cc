// Native self-test, run on every platform (under QEMU for Arm): random CONV_2D,
// DEPTHWISE_CONV_2D and FULLY_CONNECTED programs run through qb_compile/qb_run with this CPU's
// kernels, with the lesser kernel families (QBRIDGE_NEON_ISA) and with 1 and 3 threads; every
// output must equal a direct transcription of TFLite's reference loops. Exits non-zero on the
// first mismatch. Every record built here must also read, field by field (qb_describe), as
// program.def lists it. Usage: qbridge_kernel_test [cases] [seed]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../include/qbridge_native.h"
#include "program.h"
#include "requant.h"

using namespace qbridge;

namespace {

struct RecordSpec {
  const char* name;
  const char* fields;
};
const RecordSpec kRecords[] = {
#define QB_RECORD(code, name, fields) {#name, fields},
#include "program.def"
#undef QB_RECORD
};

// The record's name and field names as the C++ reader reads them (qb_describe) against its
// program.def line (the records built here have no repeated or optional parts).
bool follows_table(const std::vector<int32_t>& prog, uint8_t* arena, int arena_bytes) {
  std::vector<signed char> text(1 << 20);
  long long n = qb_describe(reinterpret_cast<const signed char*>(prog.data()), (long long)prog.size() * 4,
                            reinterpret_cast<signed char*>(arena), arena_bytes, text.data(), (long long)text.size());
  if (n < 0 || n >= (long long)text.size()) {
    std::printf("qb_describe failed: %s\n", n < 0 ? (const char*)text.data() : "too long");
    return false;
  }
  std::string trace(reinterpret_cast<const char*>(text.data()), (size_t)n), name, read, listed;
  for (size_t at = 0, end; at < trace.size(); at = end + 1) {
    end = trace.find('\n', at);
    std::string line = trace.substr(at, end - at);
    if (name.empty()) name = line; else read += line.substr(0, line.find('=')) + " ";
  }
  for (const RecordSpec& r : kRecords) {
    if (name != r.name) continue;
    std::string f = std::string(r.fields) + " ";
    for (size_t at = 0, end; at < f.size(); at = end + 1) {
      end = f.find(' ', at);
      std::string token = f.substr(at, end - at);
      if (!token.empty()) listed += token.substr(0, token.find_first_of("[:")) + " ";
    }
  }
  if (read != listed) std::printf("%s: read [%s], program.def lists [%s]\n", name.c_str(), read.c_str(), listed.c_str());
  return read == listed;
}

struct Case {
  int kind;   // 0 conv, 1 depthwise, 2 fully connected
  bool u8;
  int batches, inH, inW, inC, outH, outW, outC, fH, fW, dm, sH, sW, dH, dW, padT, padL;
  int zpa, zpw, zpo, actMin, actMax;
  std::vector<int32_t> mult, shift, bias;
  std::vector<uint8_t> filter, input;
};

int outSize(bool same, int in, int f, int s, int d) {
  int eff = (f - 1) * d + 1;
  return same ? (in + s - 1) / s : (in - eff + s) / s;
}

Case random_case(std::mt19937& rng, int kind) {
  auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Case c{};
  c.kind = kind;
  c.u8 = uni(0, 1) == 0;
  c.batches = uni(1, 2);
  c.inC = uni(1, 40);
  c.dm = kind == 1 ? (uni(0, 3) == 0 ? 2 : 1) : 1;
  c.fH = kind == 2 ? 1 : uni(1, 3) ;
  c.fW = kind == 2 ? 1 : uni(1, 3);
  if (kind == 1 && uni(0, 1)) c.fH = c.fW = 3;
  c.sH = kind == 2 ? 1 : uni(1, 2);
  c.sW = kind == 2 ? 1 : uni(1, 2);
  c.dH = kind == 2 ? 1 : (uni(0, 3) == 0 ? 2 : 1);
  c.dW = kind == 2 ? 1 : (uni(0, 3) == 0 ? 2 : 1);
  bool same = uni(0, 1) == 1;
  c.inH = kind == 2 ? 1 : uni((c.fH - 1) * c.dH + 1, 12);
  c.inW = kind == 2 ? 1 : uni((c.fW - 1) * c.dW + 1, 12);
  c.outH = kind == 2 ? 1 : outSize(same, c.inH, c.fH, c.sH, c.dH);
  c.outW = kind == 2 ? 1 : outSize(same, c.inW, c.fW, c.sW, c.dW);
  if (same && kind != 2) {
    int th = (c.outH - 1) * c.sH + (c.fH - 1) * c.dH + 1 - c.inH;
    int tw = (c.outW - 1) * c.sW + (c.fW - 1) * c.dW + 1 - c.inW;
    c.padT = th > 0 ? th / 2 : 0;
    c.padL = tw > 0 ? tw / 2 : 0;
  }
  if (kind == 2) c.inC = uni(1, 300);
  c.outC = kind == 1 ? c.inC * c.dm : uni(1, 40);
  int lo = c.u8 ? 0 : -128, hi = c.u8 ? 255 : 127;
  c.zpa = uni(0, 4) == 0 ? (uni(0, 1) ? lo : hi) : uni(lo, hi);
  c.zpw = c.u8 ? uni(0, 255) : (kind == 2 && uni(0, 3) == 0 ? uni(-20, 20) : 0);
  c.zpo = uni(lo, hi);
  c.actMin = uni(0, 2) == 0 ? uni(lo, c.zpo) : lo;
  c.actMax = uni(0, 2) == 0 ? uni(c.zpo, hi) : hi;
  if (c.actMax < c.actMin) std::swap(c.actMin, c.actMax);
  size_t fsize = kind == 0 ? (size_t)c.outC * c.fH * c.fW * c.inC
                 : kind == 1 ? (size_t)c.fH * c.fW * c.outC : (size_t)c.outC * c.inC;
  c.filter.resize(fsize);
  bool allow128 = uni(0, 5) == 0;
  for (auto& v : c.filter) {
    int x = c.u8 ? uni(0, 255) : uni(allow128 ? -128 : -127, 127);
    v = (uint8_t)x;
  }
  c.input.resize((size_t)c.batches * c.inH * c.inW * c.inC);
  for (auto& v : c.input) v = (uint8_t)uni(lo, hi);
  for (int o = 0; o < c.outC; o++) {
    c.mult.push_back(uni(1 << 30, INT32_MAX));
    c.shift.push_back(uni(0, 6) == 0 ? uni(1, 4) : -uni(0, 16));
    c.bias.push_back(uni(-100000, 100000));
  }
  if (uni(0, 2) == 0) {   // per-tensor: one multiplier and shift (the kernels' kOutUniform paths)
    for (int o = 0; o < c.outC; o++) {
      c.mult[o] = c.mult[0];
      c.shift[o] = c.shift[0];
    }
  }
  return c;
}

int32_t elem(const Case& c, uint8_t v) { return c.u8 ? (int32_t)v : (int32_t)(int8_t)v; }

std::vector<uint8_t> reference(const Case& c) {
  int M = c.batches * c.outH * c.outW;
  std::vector<uint8_t> out((size_t)M * c.outC);
  for (int b = 0; b < c.batches; b++)
    for (int oy = 0; oy < c.outH; oy++)
      for (int ox = 0; ox < c.outW; ox++)
        for (int oc = 0; oc < c.outC; oc++) {
          int32_t acc = 0;
          if (c.kind == 2) {
            for (int i = 0; i < c.inC; i++)
              acc = wrap_add(acc, (elem(c, c.filter[(size_t)oc * c.inC + i]) - c.zpw) *
                                      (elem(c, c.input[(size_t)b * c.inC + i]) - c.zpa));
          } else {
            for (int ky = 0; ky < c.fH; ky++)
              for (int kx = 0; kx < c.fW; kx++) {
                int iy = oy * c.sH - c.padT + ky * c.dH, ix = ox * c.sW - c.padL + kx * c.dW;
                if (iy < 0 || iy >= c.inH || ix < 0 || ix >= c.inW) continue;
                size_t px = ((size_t)(b * c.inH + iy) * c.inW + ix) * c.inC;
                if (c.kind == 1) {
                  acc = wrap_add(acc, (elem(c, c.filter[(size_t)(ky * c.fW + kx) * c.outC + oc]) - c.zpw) *
                                          (elem(c, c.input[px + oc / c.dm]) - c.zpa));
                } else {
                  for (int ic = 0; ic < c.inC; ic++)
                    acc = wrap_add(acc, (elem(c, c.filter[(((size_t)oc * c.fH + ky) * c.fW + kx) * c.inC + ic]) - c.zpw) *
                                            (elem(c, c.input[px + ic]) - c.zpa));
                }
              }
          }
          acc = wrap_add(acc, c.bias[oc]);
          int sh = c.shift[oc];
          acc = wrap_add(mbqm(acc, c.mult[oc], sh > 0 ? sh : 0, sh > 0 ? 0 : sh), c.zpo);
          out[(size_t)((b * c.outH + oy) * c.outW + ox) * c.outC + oc] = (uint8_t)clamp(acc, c.actMin, c.actMax);
        }
  return out;
}

// One CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED record, fields in program.def's order.
std::vector<int32_t> program(const Case& c, int in_off, int out_off) {
  std::vector<int32_t> p = {kProgramMagic, kProgramVersion, 1};
  size_t start = p.size();
  int type = c.u8 ? kUint8 : kInt8;
  if (c.kind == 2) {
    p.insert(p.end(), {opcode::FULLY_CONNECTED, 0, type, c.batches, c.inC, c.outC});
  } else {
    p.insert(p.end(), {c.kind == 1 ? opcode::DEPTHWISE_CONV_2D : opcode::CONV_2D, 0, type, c.batches, c.inH, c.inW,
                       c.inC, c.outH, c.outW, c.outC, c.fH, c.fW});
    if (c.kind == 1) p.push_back(c.dm);
    p.insert(p.end(), {c.sH, c.sW, c.dH, c.dW, c.padT, c.padL});
  }
  p.insert(p.end(), {in_off, out_off, c.zpa, c.zpw});
  p.insert(p.end(), c.bias.begin(), c.bias.end());
  p.push_back((int32_t)c.filter.size());
  std::vector<int32_t> words((c.filter.size() + 3) / 4);
  std::memcpy(words.data(), c.filter.data(), c.filter.size());
  p.insert(p.end(), words.begin(), words.end());
  p.insert(p.end(), c.mult.begin(), c.mult.end());
  p.insert(p.end(), c.shift.begin(), c.shift.end());
  p.insert(p.end(), {c.zpo, c.actMin, c.actMax});
  p[start + 1] = (int32_t)(p.size() - start);
  return p;
}

bool run(const Case& c, const char* isa, int threads, const std::vector<uint8_t>& expected, int index) {
  if (isa) setenv("QBRIDGE_NEON_ISA", isa, 1); else unsetenv("QBRIDGE_NEON_ISA");
  int in_bytes = (int)((c.input.size() + 63) & ~size_t(63));
  int arena_bytes = in_bytes + (int)expected.size();
  std::vector<int32_t> prog = program(c, 0, in_bytes);
  void* mem = nullptr;
  if (posix_memalign(&mem, 64, arena_bytes + 128) != 0) return false;
  uint8_t* arena = static_cast<uint8_t*>(mem);
  std::memset(arena, 0xA5, arena_bytes + 128);
  std::memcpy(arena, c.input.data(), c.input.size());
  if (isa == nullptr && threads == 1 && !follows_table(prog, arena, arena_bytes)) {
    std::free(mem);
    return false;
  }
  signed char err[256] = {0};
  long long h = qb_compile(reinterpret_cast<const signed char*>(prog.data()), (long long)prog.size() * 4,
                           reinterpret_cast<signed char*>(arena), arena_bytes, threads, err, sizeof err);
  bool ok = h != 0;
  if (!ok) {
    std::printf("case %d: compile failed: %s\n", index, (const char*)err);
  } else {
    qb_run(h);
    qb_run(h);   // twice: no state may leak between runs
    qb_release(h);
    ok = std::memcmp(arena + in_bytes, expected.data(), expected.size()) == 0;
    for (int i = 0; i < 128 && ok; i++) ok = arena[arena_bytes + i] == 0xA5;   // no write past the output
    if (!ok) {
      std::printf("case %d (%s, isa %s, %d threads): kind %d %s b%d in %dx%dx%d out %dx%dx%d f %dx%d dm %d s %d,%d d %d,%d pad %d,%d zp %d/%d/%d\n",
                  index, qb_isa(), isa ? isa : "best", threads, c.kind, c.u8 ? "u8" : "s8", c.batches, c.inH, c.inW,
                  c.inC, c.outH, c.outW, c.outC, c.fH, c.fW, c.dm, c.sH, c.sW, c.dH, c.dW, c.padT, c.padL, c.zpa,
                  c.zpw, c.zpo);
      for (size_t i = 0; i < expected.size(); i++) {
        if (arena[in_bytes + i] != expected[i]) {
          std::printf("  first difference at %zu: got %d expected %d\n", i, arena[in_bytes + i], expected[i]);
          break;
        }
      }
    }
  }
  std::free(mem);
  return ok;
}

// ADD of two same-shape tensors through the program (vector path on NEON, tables elsewhere).
bool run_add(std::mt19937& rng, int index) {
  auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  bool u8 = uni(0, 1) == 0;
  int n = uni(1, 300);
  int lo = u8 ? 0 : -128, hi = u8 ? 255 : 127;
  int off1 = -uni(lo, hi), off2 = -uni(lo, hi), left = 20;
  int m1 = uni(1 << 30, INT32_MAX), m2 = uni(1 << 30, INT32_MAX), s1 = -uni(0, 12), s2 = -uni(0, 12);
  int mo = uni(1 << 30, INT32_MAX), so = -uni(10, 24), zo = uni(lo, hi);
  int amin = uni(0, 3) == 0 ? uni(lo, zo) : lo, amax = uni(0, 3) == 0 ? uni(zo, hi) : hi;
  std::vector<uint8_t> a(n), b(n), expected(n);
  for (auto& v : a) v = (uint8_t)uni(0, 255);
  for (auto& v : b) v = (uint8_t)uni(0, 255);
  int32_t t1[256], t2[256];
  for (int u = 0; u < 256; u++) {
    int q = u8 ? u : (int8_t)u;
    t1[u] = rounding_divide_by_pot(srdhm((q + off1) * (1 << left), m1), -s1);
    t2[u] = rounding_divide_by_pot(srdhm((q + off2) * (1 << left), m2), -s2);
  }
  for (int i = 0; i < n; i++) {
    int32_t v = rounding_divide_by_pot(srdhm(t1[a[i]] + t2[b[i]], mo), -so) + zo;
    expected[i] = (uint8_t)clamp(v, amin, amax);
  }
  int oa = 0, ob = 320, oo = 640;
  std::vector<int32_t> p = {kProgramMagic, kProgramVersion, 1, opcode::ADD, 0, u8 ? kUint8 : kInt8, 1, n, 1, 1, 0, oa, 0, ob, oo};
  p.insert(p.end(), t1, t1 + 256);
  p.insert(p.end(), t2, t2 + 256);
  p.insert(p.end(), {-off1, -off2, left, m1, s1, m2, s2, mo, so, zo, amin, amax});
  p[4] = (int32_t)(p.size() - 3);
  std::vector<uint8_t> scratch(1024 + 128);
  bool ok = follows_table(p, scratch.data(), 1024);
  for (const char* isa : {(const char*)nullptr, "portable"}) {
    if (isa) setenv("QBRIDGE_NEON_ISA", isa, 1); else unsetenv("QBRIDGE_NEON_ISA");
    std::vector<uint8_t> arena(1024 + 128, 0xA5);
    std::memcpy(arena.data() + oa, a.data(), n);
    std::memcpy(arena.data() + ob, b.data(), n);
    signed char err[256] = {0};
    long long h = qb_compile(reinterpret_cast<const signed char*>(p.data()), (long long)p.size() * 4,
                             reinterpret_cast<signed char*>(arena.data()), 1024, 1, err, sizeof err);
    if (h == 0) {
      std::printf("add case %d: compile failed: %s\n", index, (const char*)err);
      return false;
    }
    qb_run(h);
    qb_release(h);
    if (std::memcmp(arena.data() + oo, expected.data(), n) != 0 || arena[oo + n] != 0xA5) {
      std::printf("add case %d (%s, isa %s, n %d) differs\n", index, u8 ? "u8" : "s8", isa ? isa : "best", n);
      ok = false;
    }
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  int cases = argc > 1 ? std::atoi(argv[1]) : 300;
  unsigned seed = argc > 2 ? (unsigned)std::atoi(argv[2]) : 12345u;
  std::mt19937 rng(seed);
  std::printf("qbridge_kernel_test: best kernels here: %s\n", qb_isa());
  int failed = 0;
  for (int i = 0; i < cases; i++) {
    Case c = random_case(rng, i % 3);
    std::vector<uint8_t> expected = reference(c);
    for (const char* isa : {(const char*)nullptr, "neon", "portable"}) {
      if (!run(c, isa, 1, expected, i)) failed++;
    }
    if (!run(c, nullptr, 3, expected, i)) failed++;
    if (!run_add(rng, i)) failed++;
    if (failed > 5) break;
  }
  std::printf("%d passed, %d failed\n", failed ? 0 : cases, failed);
  return failed ? 1 : 0;
}
