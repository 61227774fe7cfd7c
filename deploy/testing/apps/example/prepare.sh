#!/usr/bin/env bash
# Put Debian's static busybox into this directory (the image's only binary; git ignores it).
# Installs busybox-static with apt-get if missing. Env: BUSYBOX=/path/to/static/busybox
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
src=${BUSYBOX:-/bin/busybox}
if [[ -z ${BUSYBOX:-} ]] && ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed'; then
  echo "[prepare] installing busybox-static" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq busybox-static >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq busybox-static; } >/tmp/podlift-prepare-apt.log 2>&1 ||
    { tail -20 /tmp/podlift-prepare-apt.log >&2; echo "[prepare] apt-get install busybox-static failed" >&2; exit 1; }
fi
# a dynamically linked busybox (package "busybox") would not run in a FROM scratch image
if command -v ldd >/dev/null && ldd "$src" >/dev/null 2>&1; then echo "[prepare] $src is not static" >&2; exit 1; fi
cmp -s "$src" "$dir/busybox" || install -m 755 "$src" "$dir/busybox"
echo "$dir/busybox"
