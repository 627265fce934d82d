#!/usr/bin/env bash
# The main job: trains qbridge's default model (a small CNN on procedurally drawn digits, made
# here, nothing downloaded), quantizes it to int8 and uint8, evaluates float vs quantized, and
# benchmarks every model on this host and on aarch64 and armv7 (under QEMU on a non-Arm host)
# for each backend; ends with one table, also in qbridge-demo/demo.json.
# Installs what is missing first: JDK, Maven, compilers (scripts/install-deps.sh), then the
# cross compilers, QEMU, Debian's Arm JDKs and the QEMU instruction-count plugin
# (cross-toolchains/setup.sh), as root or via sudo.
# Extra arguments go to `qbridge demo` (e.g. --model M --images DIR --ground-truth CSV).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
cross-toolchains/setup.sh
mvn -B -q -ntp install -DskipTests
exec java -jar tools/target/qbridge.jar demo "$@"
