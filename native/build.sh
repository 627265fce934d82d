#!/usr/bin/env bash
# Builds libqbridge_native.a for the host and for each Arm platform whose cross compiler is
# installed (cross-toolchains/setup.sh installs them; cross builds use its CMake toolchain files),
# into OUT/<platform>/ (OUT defaults to native/build). Platforms without a compiler are skipped
# with a message, never an error. native/test.sh then runs their tests.
#   native/build.sh [OUT] [platform ...]     platforms: linux-x86_64 linux-arm64 linux-armhf
# (Debian names its native compilers like the cross ones, so the same names work on Arm hosts.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${1:-$here/build}
shift || true
platforms=("$@")
[ ${#platforms[@]} -eq 0 ] && platforms=(linux-x86_64 linux-arm64 linux-armhf)
host_arch=$(uname -m)
jobs=${QBRIDGE_BUILD_JOBS:-2}

build() {   # platform compiler processor
  local platform=$1 cxx=$2 proc=$3 dir="$out/$1"
  local args=(-DCMAKE_BUILD_TYPE=Release) toolchain="$root/cross-toolchains/${cxx%-g++}.cmake"
  if [ "$proc" = "$host_arch" ]; then
    args+=(-DCMAKE_CXX_COMPILER="$cxx")
  elif [ -f "$toolchain" ]; then
    # compiler, sysroot, and the QEMU that CTest runs the tests under (native/test.sh)
    args+=(-DCMAKE_TOOLCHAIN_FILE="$toolchain")
  else
    args+=(-DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR="$proc")
  fi
  mkdir -p "$dir"
  # CMake keeps a build folder's first compiler and toolchain: start afresh when they change
  if [ "$(cat "$dir/configure.args" 2>/dev/null)" != "${args[*]}" ]; then
    rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
  fi
  cmake -S "$here" -B "$dir" "${args[@]}" > "$dir/configure.log" 2>&1 || { cat "$dir/configure.log"; exit 1; }
  echo "${args[*]}" > "$dir/configure.args"
  cmake --build "$dir" -j "$jobs" > "$dir/build.log" 2>&1 || { cat "$dir/build.log"; exit 1; }
  echo "qbridge native: built $platform ($cxx) -> $dir/libqbridge_native.a"
}

for p in "${platforms[@]}"; do
  case "$p" in
    linux-x86_64)
      if [ "$host_arch" = x86_64 ]; then build linux-x86_64 g++ x86_64
      elif command -v x86_64-linux-gnu-g++ > /dev/null; then build linux-x86_64 x86_64-linux-gnu-g++ x86_64
      else echo "qbridge native: skipped linux-x86_64 (no x86_64-linux-gnu-g++)"; fi ;;
    linux-arm64)
      if command -v aarch64-linux-gnu-g++ > /dev/null; then build linux-arm64 aarch64-linux-gnu-g++ aarch64
      else echo "qbridge native: skipped linux-arm64 (aarch64-linux-gnu-g++ not found; run cross-toolchains/setup.sh)"; fi ;;
    linux-armhf)
      if command -v arm-linux-gnueabihf-g++ > /dev/null; then build linux-armhf arm-linux-gnueabihf-g++ arm
      else echo "qbridge native: skipped linux-armhf (arm-linux-gnueabihf-g++ not found; run cross-toolchains/setup.sh)"; fi ;;
    *) echo "unknown platform $p" >&2; exit 2 ;;
  esac
done
