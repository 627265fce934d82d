#!/usr/bin/env bash
# Runs every qbridge test: the JUnit suites on this machine's JVM (every backend that loads here)
# and the native kernel tests (CTest: on this host, and under QEMU for aarch64 and armv7), then
# the same bridge suites on Debian's arm64 JDK under qemu-aarch64 (-cpu cortex-a72 and max)
# and its armhf JDK under qemu-arm (qemu-tests/).
# Installs what is missing first: JDK, Maven, compilers (scripts/install-deps.sh), the cross
# compilers, QEMU and the Arm JDKs (cross-toolchains/setup.sh); apt as root, else sudo.
# Tests that need the shared models and images look for ../shared or $QBRIDGE_SHARED and are
# skipped with a message where it is absent.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
cross-toolchains/setup.sh
mvn -B -ntp install "$@"
