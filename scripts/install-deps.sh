#!/usr/bin/env bash
# Installs what building and testing qbridge needs on Debian/Ubuntu, when it is missing:
# a JDK 17+, Maven, a C++ compiler and CMake (native libraries), and Debian's Arm NN 20.08
# development packages for the armnn backend (skipped where the distribution has none: the
# backend then reports itself unavailable). apt-get as root, else through sudo. Idempotent and
# quiet when everything is there.
set -euo pipefail

# No `cmd | grep -q` here: under pipefail, grep -q exits at its first match, the writer dies of
# SIGPIPE (status 141) and the whole test reads as false. Capture the output, then match it.
installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == *'install ok installed'* ]]; }
has_candidate() { [[ "$(apt-cache policy "$1" 2>/dev/null)" =~ Candidate:\ [0-9] ]]; }
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }

missing=()
if ! command -v javac >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
    missing+=(openjdk-17-jdk-headless)
fi
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v make >/dev/null 2>&1 || missing+=(make)
armnn_missing=()
for p in libarmnn-dev libarmnntfliteparser-dev libarmnn-cpuref-backend22; do
    installed "$p" || armnn_missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ] && [ ${#armnn_missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "qbridge: need root or sudo to install: ${missing[*]} ${armnn_missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt_get() { "${SUDO[@]}" apt-get -qq -o DPkg::Lock::Timeout=600 "$@"; }
apt_get update || echo "qbridge: apt-get update reported errors; trying to install anyway" >&2
for p in "${armnn_missing[@]}"; do
    if has_candidate "$p"; then
        missing+=("$p")
    else
        echo "qbridge: $p is not available here: the armnn backend will be unavailable" >&2
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "qbridge: installing ${missing[*]}" >&2
    apt_get install -y --no-install-recommends "${missing[@]}" >/dev/null
fi
