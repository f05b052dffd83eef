#!/usr/bin/env bash
# Test helper: a Debian `nodejs` for a foreign architecture (arm64, armhf), unpacked into DEST as a root for
# `qemu-ARCH-static -L DEST DEST/usr/bin/node`. Fetched with apt-get download (no install, no root needed for
# the files; the architecture must be known to apt: dpkg --add-architecture ARCH && apt-get update).
# Usage: foreign-node.sh ARCH DEST. Exit 0 with DEST/usr/bin/node in place, 2 when apt has no such package.
set -euo pipefail
arch=$1
dest=$2
# The .debs unpack the C library into lib/TRIPLET, Debian's merged layout has it in usr/lib/TRIPLET too. Under
# qemu-user 7.2 the armhf loader searched usr/lib/TRIPLET but not lib/TRIPLET (libc.so.6 not found), so usr/lib
# gets the lib/ files as well (copies that exist are kept).
usrmerge() { cp -an "$1/lib/." "$1/usr/lib/"; }
if [ -x "$dest/usr/bin/node" ]; then usrmerge "$dest"; exit 0; fi
policy=$(apt-cache policy "nodejs:$arch" 2>/dev/null)
[[ $policy == *"Candidate: "[0-9]* ]] || exit 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# nodejs, its libraries and the JavaScript packages Debian's node loads its externalised builtins from.
pkgs="nodejs libnode108 libc6 libgcc-s1 libstdc++6 libicu72 libbrotli1 libc-ares2 libnghttp2-14 libssl3 libuv1 zlib1g"
list=""
for p in $pkgs; do list="$list $p:$arch"; done
apt-get download -qq $list node-acorn node-cjs-module-lexer node-undici 2>/dev/null
mkdir -p "$dest.tmp"
for d in ./*.deb; do dpkg -x "$d" "$dest.tmp"; done
usrmerge "$dest.tmp"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
