// Runs a program written by PlanEncoder (dumped with io.qbridge.backend.neon.DumpProgram) on a
// random arena, for instruction counts under qemu-icount without a JVM:
//   qbridge_plan_bench PROGRAM ARENA_BYTES REPEAT [FIRST_OP LAST_OP | per-op]
// Prints the kernel family and the op count; runs REPEAT inferences (or ops [FIRST, LAST)).
// With "per-op", every op runs REPEAT times inside its own qemu-icount window (lseek markers, as
// bench.jar's IcountMarker makes them), then the whole plan REPEAT times in one more window:
// the plugin's output then holds one line per op and a last line for the inference.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

#include "../include/qbridge_native.h"

namespace {
// qbridge_icount.c's window markers.
constexpr off_t kWindowBegin = 0x51420B01;
constexpr off_t kWindowEnd = 0x51420E0D;
}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s PROGRAM ARENA_BYTES REPEAT [FIRST_OP LAST_OP | per-op]\n", argv[0]);
    return 2;
  }
  FILE* f = std::fopen(argv[1], "rb");
  if (!f) return 2;
  std::vector<signed char> prog;
  int ch;
  while ((ch = std::fgetc(f)) != EOF) prog.push_back((signed char)ch);
  std::fclose(f);
  long long arena_bytes = std::atoll(argv[2]);
  int repeat = std::atoi(argv[3]);
  void* mem = nullptr;
  if (posix_memalign(&mem, 64, arena_bytes + 192) != 0) return 3;
  unsigned seed = 1;
  for (long long i = 0; i < arena_bytes + 192; i++) {
    seed = seed * 1103515245u + 12345u;
    static_cast<unsigned char*>(mem)[i] = (unsigned char)(seed >> 16);
  }
  signed char err[512];
  long long h = qb_compile(prog.data(), (long long)prog.size(), static_cast<signed char*>(mem), arena_bytes, 1, err,
                           sizeof err);
  if (h == 0) {
    std::fprintf(stderr, "compile failed: %s\n", (const char*)err);
    return 1;
  }
  int ops = qb_op_count(h);
  bool per_op = argc > 4 && std::strcmp(argv[4], "per-op") == 0;
  if (per_op) {
    int fd = open("/dev/null", O_RDONLY);
    if (fd < 0) return 4;
    std::printf("kernels %s, %d ops, each op %d times in its own window, then the plan\n", qb_isa(), ops, repeat);
    for (int op = 0; op <= ops; op++) {
      int first = op < ops ? op : 0, last = op < ops ? op + 1 : ops;
      qb_run_ops(h, first, last);  // warm: first-touch page faults stay out of the window
      lseek(fd, kWindowBegin, SEEK_SET);
      for (int r = 0; r < repeat; r++) qb_run_ops(h, first, last);
      lseek(fd, kWindowEnd, SEEK_SET);
    }
    close(fd);
  } else {
    int first = argc > 5 ? std::atoi(argv[4]) : 0, last = argc > 5 ? std::atoi(argv[5]) : ops;
    std::printf("kernels %s, %d ops, running ops [%d, %d) %d times\n", qb_isa(), ops, first, last, repeat);
    for (int r = 0; r < repeat; r++) qb_run_ops(h, first, last);
  }
  qb_release(h);
  std::free(mem);
  return 0;
}
