#!/usr/bin/env bash
# Sets up cross-building and emulated testing for aarch64 and armv7 on a Debian x86_64 host:
#   1. host packages: the cross compilers, qemu-user, cmake (apt-get install as root, else sudo);
#   2. Debian's arm64 and armhf OpenJDK 17, with the few libraries they load that the cross
#      compilers' sysroots lack, unpacked (not installed) into <repo>/.toolchains/{arm64,armhf}/
#      so that qemu-aarch64 / qemu-arm run them (qemu-tests/jvm/*/bin/java);
#   3. the armhf readdir fix (readdir32/), built with the cross compiler;
#   4. Debian's Arm NN 20.08 for arm64 (CpuAcc, CpuRef) and armhf (CpuRef), unpacked by
#      armnn-sysroot.sh into .toolchains/armnn-{arm64,armhf}: armnn-backend cross-compiles its
#      linux-arm64 and linux-armhf JNI libraries against them and the emulated JVMs load them;
#   5. qbridge's QEMU instruction-count plugin (qemu-icount/build.sh), which bench.jar loads to
#      report guest instructions per inference under emulation.
# Idempotent: when everything is there it only checks, and returns in well under a second.
#
# The Arm packages are fetched with apt's own client but from package lists kept in
# .toolchains/.apt (apt-get -o Dir::State::Lists=...), not by `dpkg --add-architecture` on the
# host: the host's apt configuration stays untouched, so an Arm index that a mirror serves
# inconsistently (seen here: bookworm-security armhf, "File has unexpected size") cannot make
# every later `apt-get update` on the machine fail.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
toolchains=$repo/.toolchains
host_packages=(g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user cmake)
# The JDKs, plus what their libraries need beyond the cross sysroots' libc/libstdc++/libgcc
# (readelf over every ELF file of the JDK, see verify_libraries): libzip.so needs libz;
# ImageIO's JPEG reader (libjavajpeg.so) needs libjpeg, colour conversion (liblcms.so) lcms2.
target_packages=(openjdk-17-jre-headless openjdk-17-jdk-headless zlib1g libjpeg62-turbo liblcms2-2)
architectures=(arm64 armhf)
# Where the cross compilers keep each target's libc: qemu's -L prefix.
declare -A sysroot=([arm64]=/usr/aarch64-linux-gnu [armhf]=/usr/arm-linux-gnueabihf)
declare -A triplet=([arm64]=aarch64-linux-gnu [armhf]=arm-linux-gnueabihf)

say() { echo "cross-toolchains: $*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# ---- 1. host packages -------------------------------------------------------------------------

missing_host_packages() {
    local p
    for p in "${host_packages[@]}"; do
        # Captured, not piped into grep -q (under pipefail a SIGPIPE'd writer makes the test false).
        [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == *'install ok installed'* ]] || echo "$p"
    done
}

install_host_packages() {
    local missing
    missing=$(missing_host_packages)
    if [ -z "$missing" ]; then
        say "host packages present: ${host_packages[*]}"
        return
    fi
    say "installing host packages:" $missing
    # Other sessions may be running apt at the same time: wait for the lock instead of failing.
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=600)
    as_root "${apt[@]}" update || say "apt-get update reported errors; trying the install anyway"
    # shellcheck disable=SC2086
    as_root "${apt[@]}" install -y --no-install-recommends $missing >/dev/null
}

# ---- 2. Arm JDKs ------------------------------------------------------------------------------

apt_state=$toolchains/.apt
# apt-get with the host's sources but private lists and cache, for the Arm architectures only.
# As root, apt would drop to its _apt user, which cannot write here: stay the invoking user.
arm_apt() {
    apt-get -qq \
        -o Dir::State::Lists="$apt_state/lists" -o Dir::Cache="$apt_state/cache" \
        -o Dir::State::status="$apt_state/status" -o Debug::NoLocking=1 \
        -o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o APT::Architectures::=armhf \
        -o Acquire::Languages=none -o APT::Sandbox::User="$(id -un)" "$@"
}

arm_lists_fresh=no
update_arm_lists() {
    [ $arm_lists_fresh = no ] || return 0
    mkdir -p "$apt_state/lists/partial" "$apt_state/cache/archives/partial"
    touch "$apt_state/status"
    # A mirror can serve one index inconsistently (seen here: bookworm-security armhf):
    # go on with the indexes that did arrive; the download below fails if they lack a package.
    arm_apt update || say "apt-get update (arm64, armhf) reported errors; going on"
    arm_lists_fresh=yes
}

# Downloads into the current directory; with stale lists (a security update removed the version
# they name) refresh them and try once more.
download_debs() {
    [ -d "$apt_state/lists" ] || update_arm_lists
    arm_apt download "$@" 2>/dev/null && return 0
    update_arm_lists
    arm_apt download "$@"
}

jdk_home() { echo "$toolchains/$1/usr/lib/jvm/java-17-openjdk-$1"; }

# The JDK packages point into /etc (conf files, jvm.cfg) with absolute symlinks that would resolve
# to the host's files (or nothing) under qemu: replace each with a copy of the unpacked target.
# Links to files that come from other packages (e.g. /etc/ssl/certs/java/cacerts) are left alone.
resolve_etc_links() {
    local root=$1 link target
    while IFS= read -r link; do
        target=$(readlink "$link")
        case "$target" in
            /etc/*)
                if [ -e "$root$target" ]; then
                    rm "$link"
                    cp -a "$root$target" "$link"
                fi
                ;;
        esac
    done < <(find "$root/usr/lib/jvm" -type l)
}

# Every NEEDED library of every ELF file in the unpacked JDK must be found in the cross sysroot or
# in the unpacked tree, except those of fonts, sound and smart cards, which qbridge never loads.
verify_libraries() {
    local arch=$1 root=$2 missing=() lib f d found
    local t=${triplet[$arch]}
    local search=("${sysroot[$arch]}/lib" "$root/lib/$t" "$root/usr/lib/$t" "$(jdk_home "$arch")/lib"
        "$(jdk_home "$arch")/lib/server")
    while IFS= read -r f; do
        case "$f" in */libfontmanager.so|*/libjsound.so|*/libj2pcsc.so) continue ;; esac
        for lib in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
            found=no
            for d in "${search[@]}"; do
                if [ -e "$d/$lib" ]; then found=yes; break; fi
            done
            [ $found = yes ] || missing+=("$(basename "$f"): $lib")
        done
    done < <(find "$root/usr/lib/jvm" -type f \( -name '*.so' -o -path '*/bin/*' \))
    if [ ${#missing[@]} -gt 0 ]; then
        say "ERROR: $arch JDK libraries found neither in ${sysroot[$arch]} nor in $root:"
        printf '  %s\n' "${missing[@]}"
        return 1
    fi
}

unpack_target() {
    local arch=$1 root=$toolchains/$1
    local stamp=$root/.qbridge-unpacked want="${target_packages[*]}"
    if [ -f "$stamp" ] && [ "$(head -n1 "$stamp")" = "$want" ] && [ -x "$(jdk_home "$arch")/bin/java" ]; then
        say "$arch JDK present: $(jdk_home "$arch")"
        return
    fi
    say "downloading $arch packages: $want"
    local debs p qualified=()
    debs=$(mktemp -d)
    for p in "${target_packages[@]}"; do qualified+=("$p:$arch"); done
    (cd "$debs" && download_debs "${qualified[@]}")
    rm -rf "$root"
    mkdir -p "$root"
    for p in "$debs"/*.deb; do dpkg -x "$p" "$root"; done
    resolve_etc_links "$root"
    verify_libraries "$arch" "$root"
    { echo "$want"; (cd "$debs" && ls -1 -- *.deb); } > "$stamp"
    rm -rf "$debs"
    say "unpacked $arch JDK: $(jdk_home "$arch") ($(du -sh "$root" | cut -f1))"
    # Fail here, not in the first test run, if qemu cannot start it.
    local qemu=qemu-aarch64
    [ "$arch" = armhf ] && qemu=qemu-arm
    local version
    version=$("$qemu" -L "${sysroot[$arch]}" -E "LD_LIBRARY_PATH=$root/lib/${triplet[$arch]}:$root/usr/lib/${triplet[$arch]}" \
        "$(jdk_home "$arch")/bin/java" -version 2>&1 | head -n1) \
        || { say "ERROR: $qemu cannot run $(jdk_home "$arch")/bin/java: $version"; exit 1; }
    say "$qemu runs it: $version"
}

# ---- 3. armhf readdir fix ---------------------------------------------------------------------

# The armhf JDK cannot list directories on ext4 under qemu-arm (see readdir32/readdir32.c): build
# the LD_PRELOAD fix with the cross compiler; qemu-tests/jvm/qemu-java.sh preloads it.
build_readdir_fix() {
    local source=$repo/cross-toolchains/readdir32/readdir32.c out=$toolchains/armhf/qbridge/libreaddir32.so
    if [ -f "$out" ] && [ "$out" -nt "$source" ]; then
        say "armhf readdir fix present: $out"
        return
    fi
    mkdir -p "$(dirname "$out")"
    arm-linux-gnueabihf-gcc -O2 -Wall -Wextra -Werror -shared -fPIC -o "$out" "$source"
    say "built armhf readdir fix: $out"
}

start=$(date +%s)
install_host_packages
for arch in "${architectures[@]}"; do
    [ -d "${sysroot[$arch]}/lib" ] || { say "ERROR: cross sysroot ${sysroot[$arch]} missing"; exit 1; }
done
for arch in "${architectures[@]}"; do unpack_target "$arch"; done
build_readdir_fix
"$repo/cross-toolchains/armnn-sysroot.sh" arm64 armhf
say "QEMU instruction-count plugin: $("$repo/cross-toolchains/qemu-icount/build.sh")"
say "done in $(( $(date +%s) - start ))s; toolchains in $toolchains"
