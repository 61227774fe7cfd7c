#!/usr/bin/env bash
# Build the "fake server" image: Debian (bookworm|trixie) + systemd + sshd + docker.io + nginx.
#
# Usage: build-image.sh [image-tag]            (default tag: podlift-server:$SUITE)
# Env:   WORK=/var/tmp/podlift-test-servers    working dir (caches, tarball, debootstrap log)
#        EXTRA_PACKAGES=sudo,less              extra comma-separated packages
#        MIRROR=http://deb.debian.org/debian
#        SUITE=bookworm | trixie
#        FORCE=1                               rebuild even if the tag is up to date
#
# Two stages:
#  1. (slow, ~45-60 s) debootstrap -> $WORK/rootfs-<hash>.tar.zst, keyed only on the
#     package list + suite. Skipped if the tarball exists => cache this file in CI
#     (and $WORK/debcache, the .deb cache, if you want faster rebuilds).
#  2. (fast, ~3 s) docker import of the tarball + a small `docker build` that
#     applies the container-specific tweaks (entrypoint, masked units, ...).
# The image carries the label podlift.recipe=<hash of rootfs hash + build context>; if the tag
# already exists with the same label, nothing is done (~0.1 s).
set -euo pipefail
WORK=${WORK:-/var/tmp/podlift-test-servers}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SUITE=${SUITE:-bookworm}              # bookworm: docker 20.10 (API 1.41); trixie: docker 26.1 (API 1.45)
# minimum for the job: systemd(+sysv for /sbin/init), sshd, docker.io, nginx (nginx-light is a
# transitional package in bookworm), iproute2, curl, ca-certificates. dbus: without it
# `systemd-run --wait`, hostnamectl, busctl... fail ("Failed to connect to bus"); real servers have
# it. sudo: for tests that log in as a non-root deploy user. (+3 MB for both)
# PROFILE=bare: a fresh server as a provider hands it over (sshd and systemd, no Docker, no nginx),
# for `podlift setup`; the image is tagged podlift-server:$SUITE-bare.
PROFILE=${PROFILE:-full}
if [[ $PROFILE == bare ]]; then
  PKGS="systemd,systemd-sysv,openssh-server,iproute2,curl,ca-certificates,dbus,sudo${EXTRA_PACKAGES:+,$EXTRA_PACKAGES}"
else
  PKGS="systemd,systemd-sysv,openssh-server,docker.io,nginx-light,iproute2,curl,ca-certificates,dbus,sudo${EXTRA_PACKAGES:+,$EXTRA_PACKAGES}"
  [[ $SUITE == bookworm ]] || PKGS+=",docker-cli"   # trixie split the docker CLI out of docker.io
fi
HASH=$(printf '%s|%s|%s' "$SUITE" "$PKGS" "slim-v1" | sha256sum | cut -c1-12)
TARBALL=$WORK/rootfs-$HASH.tar.zst
SUFFIX=""; [[ $PROFILE == bare ]] && SUFFIX=-bare
TAG=${1:-podlift-server:$SUITE$SUFFIX}
BASE=podlift-server-rootfs:$HASH

# ------------------------------------------------------- build context (text only)
CONTAINER_INIT=$(cat <<'EOF'
#!/bin/sh
# Entry point (PID 1 until exec). Docker mounts the cgroup v1 hierarchies read-only
# in non-privileged containers; systemd and the nested dockerd need them writable.
# (--privileged would do this, but it is unusable when the host's capability
# bounding set is reduced, see docs/testing.md.) Only the per-mount flag is changed,
# hence "remount,bind".
set -e
for m in $(awk '$3=="cgroup"||$3=="cgroup2"{print $2}' /proc/self/mounts); do
  mount -o remount,bind,rw "$m"
done
# /proc/sys is read-only in non-privileged containers. Its net/ subtree is per network
# namespace, so make only that writable: dockerd sets net.ipv4.ip_forward, docker >= 26
# writes net.ipv6.conf.<if>.disable_ipv6 for each container. Global sysctls (fs.*,
# kernel.*, vm.*) stay read-only so nothing inside a server can change the host.
mount --bind /proc/sys/net /proc/sys/net
mount -o remount,bind,rw /proc/sys/net
exec /sbin/init "$@"
EOF
)
DOCKERFILE=$(cat <<EOF
FROM $BASE
COPY container-init /usr/local/sbin/container-init
RUN set -e; chmod 755 /usr/local/sbin/container-init; \\
    : > /etc/machine-id; \\
    rm -f /etc/ssh/ssh_host_*; \\
    mkdir -p /etc/systemd/system/ssh.service.d /etc/systemd/journald.conf.d /root/.ssh /etc/docker; \\
    chmod 700 /root/.ssh; \\
    printf '[Service]\nExecStartPre=\nExecStartPre=/usr/bin/ssh-keygen -A\nExecStartPre=/usr/sbin/sshd -t\n' \\
      > /etc/systemd/system/ssh.service.d/10-hostkeys.conf; \\
    printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=16M\n' > /etc/systemd/journald.conf.d/10-container.conf; \\
    echo '{ "log-driver": "json-file", "log-opts": { "max-size": "10m" } }' > /etc/docker/daemon.json; \\
    for u in getty@tty1.service console-getty.service systemd-pstore.service \\
             apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \\
             fstrim.timer dpkg-db-backup.timer systemd-logind.service \\
             sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount \\
             systemd-remount-fs.service systemd-modules-load.service systemd-sysctl.service; do ln -sf /dev/null /etc/systemd/system/\$u; done; \\
    rm -f /etc/systemd/system/getty.target.wants/getty@tty1.service
ENV container=docker
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT ["/usr/local/sbin/container-init"]
CMD []
EOF
)
RECIPE=$(printf '%s\n%s\n%s\n' "$HASH" "$DOCKERFILE" "$CONTAINER_INIT" | sha256sum | cut -c1-16)

if [[ ${FORCE:-0} != 1 ]] &&
   [[ $(docker image inspect -f '{{index .Config.Labels "podlift.recipe"}}' "$TAG" 2>/dev/null) == "$RECIPE" ]]; then
  echo "[build] $TAG up to date (recipe $RECIPE)"
  exit 0
fi

# ---------------------------------------------------------------- stage 1: rootfs
mkdir -p "$WORK/debcache"
if [[ ! -f $TARBALL ]]; then
  missing=()
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v zstd >/dev/null || missing+=(zstd)
  ((${#missing[@]} == 0)) || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  ROOT=$(mktemp -d "$WORK/rootfs.XXXX")
  LOG=$WORK/debootstrap-$SUITE-$HASH.log
  echo "[build] debootstrap $SUITE ($PKGS), log: $LOG"
  if ! debootstrap --variant=minbase --cache-dir="$WORK/debcache" --include="$PKGS" \
      "$SUITE" "$ROOT" "$MIRROR" >"$LOG" 2>&1; then
    tail -20 "$LOG" >&2; rm -rf "$ROOT"; echo "[build] debootstrap failed, see $LOG" >&2; exit 1
  fi
  rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* \
         "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/locale/* \
         "$ROOT"/usr/share/info/* "$ROOT"/var/log/*.log "$ROOT"/tmp/*
  echo "[build] packing $TARBALL"
  tar --numeric-owner --xattrs -C "$ROOT" -c . | zstd -T0 -q -o "$TARBALL.tmp"
  mv "$TARBALL.tmp" "$TARBALL"
  rm -rf "$ROOT"
fi

# ------------------------------------------------------- stage 2: docker image
if ! docker image inspect "$BASE" >/dev/null 2>&1; then
  echo "[build] docker import -> $BASE"
  zstd -dc "$TARBALL" | docker import - "$BASE" >/dev/null
fi

CTX=$(mktemp -d "$WORK/image-context.XXXX")   # per run: two suites may build at once
trap 'rm -rf "$CTX"' EXIT
printf '%s\n' "$CONTAINER_INIT" > "$CTX/container-init"
printf '%s\n' "$DOCKERFILE" > "$CTX/Dockerfile"
echo "[build] docker build -> $TAG (recipe $RECIPE)"
DOCKER_BUILDKIT=0 docker build -q --label "podlift.recipe=$RECIPE" -t "$TAG" "$CTX" 2>&1 |
  grep -v -i '^sha256:\|deprecat\|buildx\|buildkit\|legacy builder\|^ *$\|environment-variable\|install the' || true
docker image inspect "$TAG" >/dev/null   # fail if the build failed
docker image ls "$TAG" --format '[build] {{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}'
