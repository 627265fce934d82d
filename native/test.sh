#!/usr/bin/env bash
# Runs the native micro-kernel tests (CTest, see CMakeLists.txt) of every platform that
# native/build.sh built into OUT: the host's directly, the Arm ones under user-mode QEMU (the
# emulator and CPUs come from cross-toolchains/*.cmake), and the host's once more built with
# AddressSanitizer and UndefinedBehaviorSanitizer. A platform not built, or whose QEMU is not
# installed, is skipped with a message; a failing test fails the script (and Maven's build).
#   native/test.sh [OUT] [platform ...]     platforms: linux-x86_64 linux-arm64 linux-armhf
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/build}
shift || true
platforms=("$@")
[ ${#platforms[@]} -eq 0 ] && platforms=(linux-x86_64 linux-arm64 linux-armhf)

failed=()
for p in "${platforms[@]}"; do
  dir="$out/$p"
  if [ ! -f "$dir/CTestTestfile.cmake" ]; then
    echo "qbridge native tests: skipped $p (not built in $dir)"
    continue
  fi
  emulator=$(grep -o '"qemu-[a-z0-9_]*"' "$dir/CTestTestfile.cmake" | head -n 1 | tr -d '"' || true)
  if [ -n "$emulator" ] && ! command -v "$emulator" > /dev/null; then
    echo "qbridge native tests: skipped $p ($emulator not found; run cross-toolchains/setup.sh)"
    continue
  fi
  echo "qbridge native tests: $p${emulator:+ (under $emulator)}"
  (cd "$dir" && ctest --output-on-failure) || failed+=("$p")
done
# The host's library and its tester once more, built with AddressSanitizer and
# UndefinedBehaviorSanitizer: an out-of-bounds access, use after free, leak, overflow or misaligned
# load fails the tests (the optimized build only checks results). QBRIDGE_NATIVE_SANITIZERS=0 skips it.
sanitized="$out/linux-x86_64-sanitized"
if [ "$(uname -m)" != x86_64 ] || [ "${QBRIDGE_NATIVE_SANITIZERS:-1}" = 0 ]; then
  echo "qbridge native tests: skipped the sanitized build (x86_64 hosts only; QBRIDGE_NATIVE_SANITIZERS=${QBRIDGE_NATIVE_SANITIZERS:-1})"
elif [ ! -f "$out/linux-x86_64/CTestTestfile.cmake" ]; then
  echo "qbridge native tests: skipped the sanitized build (linux-x86_64 not built in $out)"
else
  flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
  mkdir -p "$sanitized"
  if cmake -S "$here" -B "$sanitized" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=g++ \
        -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
        > "$sanitized/configure.log" 2>&1 \
      && cmake --build "$sanitized" --target qbridge_kernel_test -j "${QBRIDGE_BUILD_JOBS:-2}" \
        > "$sanitized/build.log" 2>&1; then
    echo "qbridge native tests: linux-x86_64 with AddressSanitizer and UndefinedBehaviorSanitizer"
    (cd "$sanitized" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --output-on-failure) || failed+=("linux-x86_64 (sanitized)")
  else
    cat "$sanitized/configure.log" "$sanitized/build.log" 2>/dev/null | tail -n 30
    failed+=("linux-x86_64 (sanitized build)")
  fi
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "qbridge native tests: FAILED on ${failed[*]}" >&2
  exit 1
fi
