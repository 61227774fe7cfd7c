#!/usr/bin/env bash
# Build the "app zoo" base images for the end-to-end tests: real web apps from Debian packages
# instead of the busybox httpd of deploy/testing/apps/example.
#
# Usage: build-images.sh
#   stdout: exactly two lines, the tags (the base tag is the LAST line, tests read it):
#     podlift-zoo-postgres:<hash>
#     podlift-zoo-base:<hash>
#   stderr: progress and timings.
# Env:   WORK=/var/tmp/podlift-test-servers    working dir (shared with deploy/testing/test-servers:
#                                              rootfs tarball, .deb cache, debootstrap log)
#        MIRROR=http://deb.debian.org/debian
#        EXTRA_PACKAGES=curl,less              extra comma-separated packages (changes the hash)
#        FORCE=1                               rebuild the images even if the tags are up to date
#                                              (the rootfs tarball is kept; delete it to re-debootstrap)
#
# Images (both single-rootfs-layer, so a server that has one has most of the other):
#   podlift-zoo-base:<h>      Debian bookworm minbase + python3, python3-aiohttp, python3-asyncpg,
#                             postgresql-15, nginx. FROM of webapp/ and static-site/ (their
#                             Dockerfiles say `FROM podlift-zoo-base:RECIPE`; replace RECIPE by <h>).
#   podlift-zoo-postgres:<h2> FROM the base: postgres/ (an entrypoint like the official image's:
#                             POSTGRES_PASSWORD, POSTGRES_USER, POSTGRES_DB, PGDATA volume).
#
# Stages, as deploy/testing/test-servers/build-image.sh:
#  1. (slow, 3-4 min on 2 busy cores) debootstrap -> $WORK/zoo-rootfs-<hash>.tar.zst, keyed on
#     the package list and the cleanup recipe below. Skipped if the tarball exists.
#  2. (~11 s) docker import of the tarball (podlift-zoo-rootfs:<hash>) + two small
#     `docker build`s. Each image carries the label podlift.recipe=<its tag's hash>; if both tags
#     exist with their labels, nothing is done (~0.2 s).
# Concurrent runs are serialized by a lock file ($WORK/zoo-build.lock).
set -euo pipefail
t0=$EPOCHREALTIME
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-/var/tmp/podlift-test-servers}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm                        # the package list is bookworm's (postgresql-15)
log() { echo "[zoo] $*" >&2; }
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f s", b - a }'; }

# nginx: nginx-light is a transitional package in bookworm (it depends on nginx), so "nginx" it is.
# postgresql-15 pulls postgresql-client-15 (psql) and postgresql-common (perl, ssl-cert, ...).
PKGS="python3,python3-aiohttp,python3-asyncpg,postgresql-15,nginx${EXTRA_PACKAGES:+,$EXTRA_PACKAGES}"

# Run in the debootstrapped tree ($1) before it is packed; part of the hash.
CLEANUP=$(cat <<'EOF'
set -eu
cd "$1"
# postgresql-common's postinst created a cluster "15 main" (and its config); the image's entrypoint
# runs initdb itself, into the PGDATA volume.
rm -rf etc/postgresql/15 var/lib/postgresql/15
# Size (418 MB -> ~200 MB): postgres' LLVM JIT (libllvm14 + libz3 + bitcode, 160 MB; without
# llvmjit.so postgres just runs without JIT), the locale sources (C.UTF-8 is built into libc-bin)
# and perl (only Debian's wrappers use it: pg_ctlcluster, /usr/bin/psql -> pg_wrapper; the images
# put /usr/lib/postgresql/15/bin first on PATH instead). Purged with --force-depends, so dpkg knows.
chroot . dpkg --purge --force-depends libllvm14 libz3-4 locales libc-l10n \
  perl libperl5.36 perl-modules-5.36 >/dev/null 2>&1
rm -rf usr/lib/postgresql/15/lib/llvmjit.so usr/lib/postgresql/15/lib/llvmjit_types.bc \
       usr/lib/postgresql/15/lib/bitcode
# the Debian default site listens on :80; the zoo images bring their own config
rm -f etc/nginx/sites-enabled/default
# a private key every container would share; nothing uses it
rm -f etc/ssl/private/ssl-cert-snakeoil.key etc/ssl/certs/ssl-cert-snakeoil.pem
rm -rf var/cache/apt/archives/*.deb var/cache/apt/*.bin var/lib/apt/lists/* \
       usr/share/doc/* usr/share/man/* usr/share/locale/* usr/share/info/* usr/share/lintian \
       usr/share/postgresql/15/man var/cache/debconf/*-old var/lib/dpkg/*-old \
       var/log/*.log var/log/apt/* tmp/* debootstrap
: > etc/machine-id
EOF
)
HASH=$(printf '%s|%s|%s|%s' "$SUITE" "$PKGS" "$CLEANUP" "zoo-v1" | sha256sum | cut -c1-12)
TARBALL=$WORK/zoo-rootfs-$HASH.tar.zst
ROOTFS=podlift-zoo-rootfs:$HASH

BASE_DOCKERFILE=$(cat <<EOF
FROM $ROOTFS
ENV LANG=C.UTF-8 PYTHONUNBUFFERED=1 \\
    PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["/bin/bash"]
EOF
)
BASE_HASH=$(printf '%s\n%s\n' "$HASH" "$BASE_DOCKERFILE" | sha256sum | cut -c1-12)
BASE=podlift-zoo-base:$BASE_HASH
# postgres/ is a context like webapp/: its Dockerfile says FROM podlift-zoo-base:RECIPE
PG_HASH=$( { echo "$BASE"; cd "$HERE/postgres" && for f in $(ls -A | LC_ALL=C sort); do
             echo "== $f"; cat "$f"; done; } | sha256sum | cut -c1-12)   # contents only, not modes
PG=podlift-zoo-postgres:$PG_HASH

up_to_date() { [[ $(docker image inspect -f '{{index .Config.Labels "podlift.recipe"}}' "$1" 2>/dev/null) == "$2" ]]; }
done_() { log "done in $(elapsed "$t0")"; echo "$PG"; echo "$BASE"; exit 0; }

mkdir -p "$WORK/debcache"
exec 9>"$WORK/zoo-build.lock"
flock 9
if [[ ${FORCE:-0} != 1 ]] && up_to_date "$BASE" "$BASE_HASH" && up_to_date "$PG" "$PG_HASH"; then
  log "$BASE and $PG up to date"
  done_
fi

# ---------------------------------------------------------------- stage 1: rootfs
if [[ ! -f $TARBALL ]]; then
  t1=$EPOCHREALTIME
  missing=()
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v zstd >/dev/null || missing+=(zstd)
  ((${#missing[@]} == 0)) || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  ROOT=$(mktemp -d "$WORK/zoo-rootfs.XXXX")
  LOG=$WORK/debootstrap-zoo-$HASH.log
  log "debootstrap $SUITE ($PKGS), log: $LOG"
  if ! debootstrap --variant=minbase --cache-dir="$WORK/debcache" --include="$PKGS" \
      "$SUITE" "$ROOT" "$MIRROR" >"$LOG" 2>&1; then
    tail -20 "$LOG" >&2; rm -rf "$ROOT"; log "debootstrap failed, see $LOG"; exit 1
  fi
  bash -c "$CLEANUP" cleanup "$ROOT"
  log "packing $TARBALL ($(du -sh "$ROOT" | cut -f1) unpacked)"
  tar --numeric-owner --xattrs -C "$ROOT" -c . | zstd -T0 -q -o "$TARBALL.tmp"
  mv "$TARBALL.tmp" "$TARBALL"
  rm -rf "$ROOT"
  log "rootfs in $(elapsed "$t1")"
fi

# ------------------------------------------------------- stage 2: docker images
if ! docker image inspect "$ROOTFS" >/dev/null 2>&1; then
  log "docker import -> $ROOTFS"
  zstd -dc "$TARBALL" | docker import - "$ROOTFS" >/dev/null
fi

CTX=$(mktemp -d "$WORK/zoo-context.XXXX")
trap 'rm -rf "$CTX"' EXIT
# build TAG RECIPE CONTEXT: the classic builder (as the tests use), quiet unless it fails
build() {
  local out
  log "docker build -> $1"
  if ! out=$(DOCKER_BUILDKIT=0 docker build -q --label "podlift.recipe=$2" -t "$1" "$3" 2>&1); then
    echo "$out" >&2; log "docker build of $1 failed"; exit 1
  fi
}
mkdir "$CTX/base"
printf '%s\n' "$BASE_DOCKERFILE" > "$CTX/base/Dockerfile"
build "$BASE" "$BASE_HASH" "$CTX/base"
cp -a "$HERE/postgres" "$CTX/postgres"
chmod 755 "$CTX/postgres/docker-entrypoint.sh"
sed -i "s/^FROM podlift-zoo-base:RECIPE\$/FROM $BASE/" "$CTX/postgres/Dockerfile"
grep -q "^FROM $BASE\$" "$CTX/postgres/Dockerfile" || { log "postgres/Dockerfile: no 'FROM podlift-zoo-base:RECIPE' line"; exit 1; }
build "$PG" "$PG_HASH" "$CTX/postgres"
docker image ls --format '[zoo] {{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}' \
  --filter "reference=$BASE" --filter "reference=$PG" >&2
done_
