#!/usr/bin/env bash
# Builds qbridge's QEMU instruction-count plugin (qbridge_icount.c) into OUT_DIR (default:
# <repo>/.toolchains/qemu-icount) and prints the path of the .so. Debian ships qemu-user with
# plugin support but without qemu-plugin.h, so the header is taken from Debian's qemu source
# package, fetched through a private apt configuration (deb-src twins of this machine's own
# sources); the system's apt configuration is not touched. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../.toolchains/qemu-icount}
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ ! -f "$out/qemu-plugin.h" ]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    mkdir -p "$work/lists/partial" "$work/src"
    {
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -f "$f" ] && sed 's/^Types: deb$/Types: deb-src/' "$f" && echo
        done
    } > "$work/deb-src.sources"
    if [ -f /etc/apt/sources.list ]; then
        sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > "$work/deb-src.list"
    else
        : > "$work/deb-src.list"
    fi
    mkdir -p "$work/parts"
    cp "$work/deb-src.sources" "$work/parts/qbridge.sources"
    [ -s "$work/deb-src.list" ] && cp "$work/deb-src.list" "$work/parts/qbridge.list"
    chmod -R a+rX "$work"
    apt_opts=(-o APT::Sandbox::User=root -o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts="$work/parts"
              -o Dir::State::Lists="$work/lists")
    apt-get "${apt_opts[@]}" update -qq >/dev/null
    (cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only -qq qemu >/dev/null)
    tar -xJf "$work"/src/qemu_*.orig.tar.xz -C "$work/src" --wildcards '*/include/qemu/qemu-plugin.h'
    cp "$(find "$work/src" -name qemu-plugin.h | head -1)" "$out/qemu-plugin.h"
fi
if [ ! -f "$out/libqbridge_icount.so" ] || [ "$here/qbridge_icount.c" -nt "$out/libqbridge_icount.so" ]; then
    cc -O2 -fPIC -shared -Wall -I"$out" $(pkg-config --cflags glib-2.0 2>/dev/null || true) \
        "$here/qbridge_icount.c" -o "$out/libqbridge_icount.so"
fi
echo "$out/libqbridge_icount.so"
