#!/usr/bin/env bash
# A base image with one big layer of random bytes, for transfer tests and `make bench`: FROM scratch +
# Debian's static busybox + MB megabytes of /dev/urandom in its own layer (incompressible, so compression
# cannot hide what a transfer sends). Built once per tag; prints the tag.
#   deploy/testing/bench/base-image.sh TAG [MB]      (MB default 50)
set -euo pipefail
tag=${1:?usage: base-image.sh TAG [MB]}
mb=${2:-50}
testing=$(cd "$(dirname "$0")/.." && pwd)
if docker image inspect "$tag" >/dev/null 2>&1; then echo "$tag"; exit 0; fi
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cp "$("$testing/apps/example/prepare.sh")" "$context/busybox"
head -c $((mb * 1024 * 1024)) /dev/urandom > "$context/random.bin"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY random.bin /opt/random.bin\n' > "$context/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$context" >/dev/null
echo "$tag"
