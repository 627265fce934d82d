#!/usr/bin/env bash
# Runs every qbridge test: the JUnit suites on this machine's JVM (every backend that loads here).
# Installs what is missing first (scripts/install-deps.sh: apt as root, else sudo).
# Tests that need the shared models and images look for ../shared or $QBRIDGE_SHARED and are
# skipped with a message where it is absent.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
mvn -B -ntp install "$@"
