#!/usr/bin/env bash
# Prepare a Debian 12 host (root, systemd NOT required as PID 1) for `make test` / `make demo`
# and CI: the packages the test servers and the example app need, and a running dockerd.
# Idempotent: does nothing but checks when all is in place. Prints what it did.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PKGS=(docker.io openssh-client debootstrap zstd busybox-static git make curl docker-registry apache2-utils hey
      qemu-user libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross zsh fish)
DOCKER_WAIT=${DOCKER_WAIT:-60}
log() { echo "[setup-host] $*"; }
[[ $(id -u) == 0 ]] || { log "must run as root" >&2; exit 1; }

# ------------------------------------------------------------------ packages
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing: ${missing[*]}"
  # no recommends: they pull in needrestart, apparmor, ... which a CI host does not want
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 \
         "${missing[@]}"; } >/var/log/podlift-setup-apt.log 2>&1; then
    tail -20 /var/log/podlift-setup-apt.log >&2; log "apt-get failed (/var/log/podlift-setup-apt.log)" >&2; exit 1
  fi
else
  log "packages present: ${PKGS[*]}"
fi
# docker-registry is here for its binary: the registry tests start their own (TLS, htpasswd) and stop it.
# On a host run by systemd the package also enables a registry on :5000; nothing needs that one.
if [[ -d /run/systemd/system ]] && systemctl is-enabled --quiet docker-registry 2>/dev/null; then
  log "disabling the docker-registry service the package enabled (the tests run their own)"
  systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi

# ------------------------------------------------------------------ dockerd
docker_ok() { timeout 10 docker info >/dev/null 2>&1; }
if docker_ok; then
  log "dockerd answers on /var/run/docker.sock"
else
  if pgrep -x dockerd >/dev/null; then
    log "dockerd is running but not answering yet: waiting"
  else
    # without systemd nothing mounts the cgroup hierarchies; docker cannot run containers then
    if [[ -z $(ls -A /sys/fs/cgroup 2>/dev/null) ]]; then
      log "mounting cgroup2 on /sys/fs/cgroup"
      mount -t cgroup2 cgroup2 /sys/fs/cgroup || log "WARNING: could not mount cgroups"
    fi
    log "starting dockerd (log: /var/log/dockerd.log)"
    # own session: it survives the end of this script and of the CI step's process group
    nohup setsid dockerd >/var/log/dockerd.log 2>&1 </dev/null &
  fi
  for ((i = 0; i < DOCKER_WAIT * 2; i++)); do docker_ok && break; sleep 0.5; done
  docker_ok || { log "dockerd did not answer within ${DOCKER_WAIT}s; last log lines:" >&2
                 tail -20 /var/log/dockerd.log >&2 2>/dev/null || true; exit 1; }
  log "dockerd is up"
fi
log "docker $(docker version -f '{{.Server.Version}}') storage=$(docker info -f '{{.Driver}}') cgroup=$(docker info -f '{{.CgroupVersion}}')"
