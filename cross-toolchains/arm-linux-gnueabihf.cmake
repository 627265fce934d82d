# CMake toolchain file: cross-compile for 32-bit Arm Linux, hard float (Raspberry Pi 2/3/4 on a
# 32-bit OS) with Debian's g++-arm-linux-gnueabihf (installed by cross-toolchains/setup.sh).
# native/build.sh uses it for linux-armhf:
#   cmake -S native -B build/linux-armhf -DCMAKE_TOOLCHAIN_FILE=cross-toolchains/arm-linux-gnueabihf.cmake
# The compiler's defaults (armv7-a, vfpv3-d16): native/CMakeLists.txt adds -mfpu=neon-vfpv4 to
# the NEON kernel files only, which run where HWCAP_NEON is set. Never -ffast-math: NEON float is
# not IEEE (flush to zero) and -ffast-math would let the compiler use it for scalar code too.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)

set(CROSS_TRIPLET arm-linux-gnueabihf)
set(CMAKE_C_COMPILER ${CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${CROSS_TRIPLET}-g++)

set(CMAKE_FIND_ROOT_PATH /usr/${CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# CTest runs the test programs under user-mode QEMU with the same sysroot (a Cortex-A15: NEON).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm -L /usr/${CROSS_TRIPLET})
set(QB_TEST_QEMU_CPUS cortex-a15)
