#!/usr/bin/env bash
# Unpacks Debian's Arm NN 20.08 and Arm Compute Library 20.08 for Arm targets, without installing
# them, into <repo>/.toolchains/armnn-<arch>/ (gitignored): the headers and libraries that
# armnn-backend cross-compiles its JNI library against (Maven profile armnn-linux-<arch>), and the
# runtime libraries and dynamic backends (CpuAcc on arm64, CpuRef) that emulated test runs load
# (qemu-<arch> -L <this folder>:<cross libc>, or LD_LIBRARY_PATH into it).
#
#   cross-toolchains/armnn-sysroot.sh            # arm64
#   cross-toolchains/armnn-sysroot.sh arm64 armhf
#
# Uses a private apt state under the target folder (APT::Architecture=<arch>), so it needs neither
# root nor `dpkg --add-architecture`, and never changes the host's package setup.
# Idempotent: a second run checks the stamp and returns at once ("already set up").
# Environment: QBRIDGE_TOOLCHAINS overrides the parent folder (default <repo>/.toolchains).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
toolchains=${QBRIDGE_TOOLCHAINS:-$repo/.toolchains}
# Arm NN with its TfLite parser, the CpuAcc (NEON, Compute Library) and CpuRef backends, the
# headers (Arm NN's, the Compute Library's for its scheduler), and what they load beyond the cross
# compilers' libc/libstdc++/libgcc (flatbuffers). Checked with apt-cache depends.
common_packages=(libarmnn22 libarmnntfliteparser22 libarmnn-cpuref-backend22
    libarmnnaclcommon22 libarm-compute20 libflatbuffers2
    libarmnn-dev libarmnntfliteparser-dev libarm-compute-dev)
# Debian builds CpuAcc for arm64 only: armhf has CpuRef.
declare -A extra_packages=([arm64]=libarmnn-cpuacc-backend22 [armhf]=)
declare -A triplet=([arm64]=aarch64-linux-gnu [armhf]=arm-linux-gnueabihf)

say() { echo "armnn-sysroot: $*"; }

setup() {
    local arch=$1 root=$toolchains/armnn-$1 apt=$toolchains/.apt-$1
    [ -n "${triplet[$arch]:-}" ] || { say "unknown architecture '$arch' (arm64 or armhf)"; return 1; }
    # shellcheck disable=SC2206
    local packages=("${common_packages[@]}" ${extra_packages[$arch]})
    local stamp=$root/.qbridge-armnn-unpacked want="${packages[*]}"
    if [ -f "$stamp" ] && [ "$(head -n1 "$stamp")" = "$want" ] \
            && [ -f "$root/usr/include/armnnTfLiteParser/ITfLiteParser.hpp" ]; then
        say "$arch already set up: $root"
        return
    fi
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
    touch "$apt/status"
    local opts=(-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o Dir::State::status="$apt/status"
        -o Debug::NoLocking=1 -o APT::Architecture="$arch" -o APT::Architectures::="$arch"
        -o Acquire::Languages=none -o APT::Sandbox::User="$(id -un)")
    local try
    for try in 1 2 3; do
        # A mirror being synced can serve an index of the wrong size for a moment: try again. A
        # failed secondary index (e.g. security updates) does not matter while the main one has
        # every package needed.
        if apt-get -qq "${opts[@]}" update; then break; fi
        if [ $try -eq 3 ]; then
            apt-cache "${opts[@]}" show "${packages[0]}:$arch" >/dev/null 2>&1 \
                || { say "apt-get update for $arch failed"; return 1; }
            say "apt-get update for $arch reported errors; the package lists it has suffice"
            break
        fi
        sleep $((try * 10))
    done
    local debs qualified=() p
    debs=$(mktemp -d)
    for p in "${packages[@]}"; do qualified+=("$p:$arch"); done
    say "downloading $arch packages: $want"
    (cd "$debs" && apt-get -qq "${opts[@]}" download "${qualified[@]}")
    rm -rf "$root"
    mkdir -p "$root"
    for p in "$debs"/*.deb; do dpkg -x "$p" "$root"; done
    # The -dev packages' unversioned symlinks are absolute where Debian makes them so: make every
    # absolute link relative to the sysroot, so that the linker and qemu's -L find the target's files.
    local link target
    while IFS= read -r link; do
        target=$(readlink "$link")
        case "$target" in
            /*) ln -sfn "$root$target" "$link" ;;
        esac
    done < <(find "$root" -type l)
    { echo "$want"; (cd "$debs" && ls -1 ./*.deb | sed 's|^\./||'); } > "$stamp"
    rm -rf "$debs"
    local libdir=$root/usr/lib/${triplet[$arch]}
    local expected=(libarmnn.so.22 libarmnnTfLiteParser.so.22 armnn22/Arm_CpuRef_backend.so)
    [ "$arch" != arm64 ] || expected+=(armnn22/Arm_CpuAcc_backend.so)
    for p in "${expected[@]}"; do
        [ -e "$libdir/$p" ] || { say "ERROR: $libdir/$p missing after unpacking"; return 1; }
    done
    say "unpacked Arm NN for $arch: $root ($(du -sh "$root" | cut -f1))"
}

start=$(date +%s)
[ $# -gt 0 ] || set -- arm64
for arch in "$@"; do setup "$arch"; done
say "done in $(( $(date +%s) - start ))s"
