#!/usr/bin/env bash
# Runs the native micro-kernel tests (CTest, see CMakeLists.txt) of every platform that
# native/build.sh built into OUT: the host's directly, the Arm ones under user-mode QEMU (the
# emulator and CPUs come from cross-toolchains/*.cmake). A platform not built, or whose QEMU is not
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
if [ ${#failed[@]} -gt 0 ]; then
  echo "qbridge native tests: FAILED on ${failed[*]}" >&2
  exit 1
fi
