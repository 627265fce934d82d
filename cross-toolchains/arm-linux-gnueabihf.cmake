# CMake toolchain file: cross-compile for 32-bit Arm Linux, hard float (Raspberry Pi 2/3/4 on a
# 32-bit OS) with Debian's g++-arm-linux-gnueabihf (installed by cross-toolchains/setup.sh).
#   cmake -S native -B build/linux-armhf -DCMAKE_TOOLCHAIN_FILE=cross-toolchains/arm-linux-gnueabihf.cmake
# armv7-a with NEON and VFPv4 (Cortex-A7/A53/A72 in 32-bit mode); never -ffast-math: NEON float
# is not IEEE (flush to zero) and -ffast-math would let the compiler use it for scalar code too.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)

set(CROSS_TRIPLET arm-linux-gnueabihf)
set(CMAKE_C_COMPILER ${CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${CROSS_TRIPLET}-g++)
set(CMAKE_ASM_COMPILER ${CROSS_TRIPLET}-gcc)

set(ARMV7_FLAGS "-march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard")
set(CMAKE_C_FLAGS_INIT "${ARMV7_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${ARMV7_FLAGS}")
set(CMAKE_ASM_FLAGS_INIT "${ARMV7_FLAGS}")

set(CMAKE_FIND_ROOT_PATH /usr/${CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm -L /usr/${CROSS_TRIPLET})
