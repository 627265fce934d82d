# CMake toolchain file: cross-compile for 64-bit Arm Linux (Raspberry Pi 3/4/5 on a 64-bit OS)
# with Debian's g++-aarch64-linux-gnu (installed by cross-toolchains/setup.sh). native/build.sh
# uses it for linux-arm64:
#   cmake -S native -B build/linux-arm64 -DCMAKE_TOOLCHAIN_FILE=cross-toolchains/aarch64-linux-gnu.cmake
# The compiler's defaults (armv8-a: NEON is mandatory on aarch64); native/CMakeLists.txt raises the
# ISA only for the SDOT kernels, chosen at run time from getauxval(AT_HWCAP).
# Never -ffast-math: the kernels must be bit-exact with TFLite's integer reference.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CROSS_TRIPLET aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${CROSS_TRIPLET}-g++)

# The target's libc and libstdc++ live in the cross compiler's sysroot; search there for
# libraries and headers, on the host for programs.
set(CMAKE_FIND_ROOT_PATH /usr/${CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# CTest runs the test programs under user-mode QEMU with the same sysroot, once per CPU:
# cortex-a72 has no dot product (the Pi 4 path), max has SDOT/UDOT.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/${CROSS_TRIPLET})
set(QB_TEST_QEMU_CPUS cortex-a72 max)
