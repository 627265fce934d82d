// Runs a program written by PlanEncoder (dumped with io.qbridge.backend.neon.DumpProgram) on a
// random arena, for instruction counts under qemu-icount without a JVM:
//   qbridge_plan_bench PROGRAM ARENA_BYTES REPEAT [FIRST_OP LAST_OP]
// Prints the kernel family and the op count; runs REPEAT inferences (or ops [FIRST, LAST)).
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "../include/qbridge_native.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s PROGRAM ARENA_BYTES REPEAT [FIRST_OP LAST_OP]\n", argv[0]);
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
  int first = argc > 5 ? std::atoi(argv[4]) : 0, last = argc > 5 ? std::atoi(argv[5]) : ops;
  std::printf("kernels %s, %d ops, running ops [%d, %d) %d times\n", qb_isa(), ops, first, last, repeat);
  for (int r = 0; r < repeat; r++) qb_run_ops(h, first, last);
  qb_release(h);
  std::free(mem);
  return 0;
}
