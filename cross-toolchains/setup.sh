#!/usr/bin/env bash
# Sets up cross-building and emulated testing for aarch64 and armv7 on a Debian/Ubuntu x86_64 host:
#   1. host packages: the cross compilers, qemu-user, cmake (apt-get install as root, else sudo);
#   2. Debian's arm64 and armhf OpenJDK 17 (and the few libraries they load that the cross
#      compilers' sysroots lack) unpacked without installing into <repo>/.toolchains/{arm64,armhf}/,
#      so qemu-aarch64 / qemu-arm can run them: qemu-tests/ and qemu-tests/README.md use them.
# Idempotent: a second run checks, prints "already set up" and returns in well under a second.
# Environment: QBRIDGE_TOOLCHAINS overrides the target folder (default <repo>/.toolchains).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
toolchains=${QBRIDGE_TOOLCHAINS:-$repo/.toolchains}
host_packages=(g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user cmake)
# The JDKs, plus what their libraries need beyond the cross sysroots' libc/libstdc++/libgcc
# (readelf over every ELF file of the JDK, see verify_libraries): libzip.so needs libz;
# ImageIO's JPEG reader (libjavajpeg.so) needs libjpeg, colour conversion (liblcms.so) lcms2.
target_packages=(openjdk-17-jre-headless openjdk-17-jdk-headless zlib1g libjpeg62-turbo liblcms2-2)
architectures=(arm64 armhf)
# Where the cross compilers keep each target's libc: qemu's -L prefix.
declare -A sysroot=([arm64]=/usr/aarch64-linux-gnu [armhf]=/usr/arm-linux-gnueabihf)

say() { echo "cross-toolchains: $*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
# Other sessions may be running apt at the same time: wait for dpkg's lock instead of failing.
apt_quiet() { as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=600 "$@"; }
updated=no
# A mirror being synced can serve an index of the wrong size for a moment: try again before failing.
apt_update_once() {
    [ $updated = no ] || return 0
    local try
    for try in 1 2 3; do
        if apt_quiet update; then updated=yes; return 0; fi
        say "apt-get update failed (try $try of 3)"; sleep $((try * 10))
    done
    return 1
}

missing_host_packages() {
    local p
    for p in "${host_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
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
    apt_update_once
    # shellcheck disable=SC2086
    apt_quiet install -y --no-install-recommends $missing >/dev/null
}

ensure_architectures() {
    local arch added=no
    for arch in "${architectures[@]}"; do
        if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
            as_root dpkg --add-architecture "$arch"
            say "added dpkg architecture $arch"
            added=yes
        fi
    done
    # Package lists for a foreign architecture exist only after an update.
    if [ $added = yes ]; then apt_update_once; fi
}

# apt-get download writes to the current directory. As root, apt would warn that its _apt user
# cannot write there: download as the invoking user instead. Lists may be stale (a security
# update removed the version they name): then update them and try once more.
download_debs() {
    local dir=$1; shift
    (cd "$dir" && apt-get download -qq -o APT::Sandbox::User="$(id -un)" "$@" 2>/dev/null) && return 0
    apt_update_once
    (cd "$dir" && apt-get download -qq -o APT::Sandbox::User="$(id -un)" "$@")
}

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
    local arch=$1 root=$2 missing=() lib f
    local search=("${sysroot[$arch]}/lib" "$root/lib" "$root/usr/lib" "$root/lib/$3" "$root/usr/lib/$3")
    while IFS= read -r f; do
        case "$f" in */libfontmanager.so|*/libjsound.so|*/libj2pcsc.so) continue ;; esac
        for lib in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
            local found=no d
            for d in "${search[@]}" "$(dirname "$f")" "$(dirname "$f")/server" "$(dirname "$f")/../lib"; do
                if [ -e "$d/$lib" ]; then found=yes; break; fi
            done
            [ $found = yes ] || missing+=("$(basename "$f"): $lib")
        done
    done < <(find "$root/usr/lib/jvm" -type f \( -name '*.so' -o -path '*/bin/*' \))
    if [ ${#missing[@]} -gt 0 ]; then
        say "ERROR: $arch JDK libraries not found in ${sysroot[$arch]} or $root:"
        printf '  %s\n' "${missing[@]}"
        return 1
    fi
}

unpack_target() {
    local arch=$1 root=$toolchains/$arch stamp=$toolchains/$arch/.qbridge-unpacked
    local want="${target_packages[*]}"
    if [ -f "$stamp" ] && [ "$(head -n1 "$stamp")" = "$want" ] && [ -x "$(jdk_home "$arch")/bin/java" ]; then
        say "$arch JDK present: $(jdk_home "$arch")"
        return
    fi
    local debs
    debs=$(mktemp -d)
    say "downloading $arch packages: $want"
    local qualified=() p
    for p in "${target_packages[@]}"; do qualified+=("$p:$arch"); done
    download_debs "$debs" "${qualified[@]}"
    rm -rf "$root"
    mkdir -p "$root"
    for p in "$debs"/*.deb; do dpkg -x "$p" "$root"; done
    resolve_etc_links "$root"
    local triplet=aarch64-linux-gnu
    [ "$arch" = armhf ] && triplet=arm-linux-gnueabihf
    verify_libraries "$arch" "$root" "$triplet"
    { echo "$want"; (cd "$debs" && ls -1 ./*.deb | sed 's|^\./||'); } > "$stamp"
    rm -rf "$debs"
    say "unpacked $arch JDK: $(jdk_home "$arch") ($(du -sh "$root" | cut -f1))"
}

jdk_home() { echo "$toolchains/$1/usr/lib/jvm/java-17-openjdk-$1"; }

start=$(date +%s)
ensure_architectures  # first: one apt-get update then serves the host packages too
install_host_packages
for arch in "${architectures[@]}"; do unpack_target "$arch"; done
for arch in "${architectures[@]}"; do
    [ -d "${sysroot[$arch]}/lib" ] || { say "ERROR: cross sysroot ${sysroot[$arch]} missing"; exit 1; }
done
say "done in $(( $(date +%s) - start ))s; toolchains in $toolchains"
