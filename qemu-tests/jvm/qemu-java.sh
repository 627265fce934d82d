#!/usr/bin/env bash
# Runs Debian's arm64 or armhf JDK (unpacked by cross-toolchains/setup.sh into <repo>/.toolchains)
# under user-mode QEMU with a given CPU model: qemu-java.sh arm64|armhf <qemu cpu> <java args...>
# The bin/java wrappers beside this file call it: Surefire's <jvm> and README's commands use them.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
arch=$1 cpu=$2
shift 2
case "$arch" in
    arm64) qemu=qemu-aarch64 triplet=aarch64-linux-gnu ;;
    armhf) qemu=qemu-arm triplet=arm-linux-gnueabihf ;;
    *) echo "qemu-java.sh: unknown architecture $arch (arm64|armhf)" >&2; exit 2 ;;
esac
target=$repo/.toolchains/$arch
java=$target/usr/lib/jvm/java-17-openjdk-$arch/bin/java
if [ ! -x "$java" ] || ! command -v "$qemu" >/dev/null; then
    echo "qemu-java.sh: $java or $qemu missing: run cross-toolchains/setup.sh" >&2
    exit 1
fi
library_path=$target/lib/$triplet:$target/usr/lib/$triplet
# Debian's Arm NN for the armnn backend, where cross-toolchains/armnn-sysroot.sh has unpacked it
# (the backend finds its dynamic backends beside libarmnn.so.22)
armnn=$repo/.toolchains/armnn-$arch/usr/lib/$triplet
[ ! -d "$armnn" ] || library_path=$armnn:$library_path
guest_env=(-E "LD_LIBRARY_PATH=$library_path")
java_options=()
if [ "$arch" = armhf ]; then
    # A 32-bit guest gets EOVERFLOW listing directories on this host's ext4 (64-bit directory
    # offsets): preload the readdir fix (cross-toolchains/readdir32), and keep the JVM's temporary
    # files on a tmpfs unless the caller chose a folder.
    fix=$target/qbridge/libreaddir32.so
    [ -f "$fix" ] || { echo "qemu-java.sh: $fix missing: run cross-toolchains/setup.sh" >&2; exit 1; }
    guest_env+=(-E "LD_PRELOAD=$fix")
    case " $* " in *" -Djava.io.tmpdir="*) ;; *) java_options+=("-Djava.io.tmpdir=${QBRIDGE_QEMU_TMPDIR:-/dev/shm}") ;; esac
fi
# -L: the cross compiler's sysroot provides ld.so, libc, libstdc++; LD_LIBRARY_PATH adds the
# libraries unpacked beside the JDK (libz, libjpeg, lcms2). QBRIDGE_SHARED and the rest of the
# environment pass through to the guest unchanged.
exec "$qemu" -cpu "$cpu" -L "/usr/$triplet" "${guest_env[@]}" \
    "$java" ${java_options[@]+"${java_options[@]}"} "$@"
