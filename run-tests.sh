#!/usr/bin/env bash
# Runs every qbridge test: the install script's decisions (scripts/test/, against stub apt tools),
# the JUnit suites on this machine's JVM (every backend that loads here), the native kernel tests
# (CTest), then the same bridge suites on Debian's arm64 JDK under qemu-aarch64 (-cpu cortex-a72
# and max) and its armhf JDK under qemu-arm (qemu-tests/, armnn-backend).
# Installs what is missing first: JDK, Maven, compilers, Arm NN (scripts/install-deps.sh), the
# cross compilers, QEMU, the Arm JDKs and the QEMU instruction-count plugin
# (cross-toolchains/setup.sh); apt as root, else sudo.
#   ./run-tests.sh [--host-only] [MAVEN ARGS...]
#     --host-only   neither set up nor use the Arm toolchains: the host suites only
# Tests that need the shared models and images look for ../shared or $QBRIDGE_SHARED and are
# skipped with a message where it is absent.
set -euo pipefail
cd "$(dirname "$0")"
maven_args=()
host_only=no
if [ "${1:-}" = --host-only ]; then
    host_only=yes
    shift
    maven_args=(-Dqemu.skip.arm64=true -Dqemu.skip.armhf=true -Darmnn.qemu.skip.arm64=true -Darmnn.qemu.skip.armhf=true)
fi
scripts/test/install-deps-test.sh
scripts/install-deps.sh
[ $host_only = yes ] || cross-toolchains/setup.sh
mvn -B -ntp install "${maven_args[@]}" "$@"
