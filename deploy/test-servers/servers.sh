#!/usr/bin/env bash
# Bring up / tear down N fake "servers" (Debian + systemd + sshd + docker + nginx), each a
# systemd-as-PID-1 container with its own nested dockerd, on one user-defined docker network.
# Needs the image from build-image.sh, root (for the cgroup cleanup), ssh client, curl.
#
#   servers.sh up [N]     (re)start N servers (default 3), wait until ssh + docker + nginx answer
#   servers.sh down       remove this PREFIX's servers, their docker volumes and the network
#   servers.sh ssh I CMD  run CMD on server I as root
#   servers.sh ls         show name / state
#   servers.sh env        print the path of servers.env
#
# Env (defaults):  PREFIX=pl  IMAGE=podlift-server:bookworm (or :trixie)  SUBNET=10.123.0
#                  HTTP_PORT_BASE=18080  WORK=/var/tmp/podlift-test-servers  BOOT_TIMEOUT=90
#                  PUBLISH_SSH=0   1 => also publish ssh on 127.0.0.1:(SSH_PORT_BASE+I), base 2200
#                  SYSCTL_RW=0     1 => whole /proc/sys writable (default: only /proc/sys/net)
#                  PRIVILEGED=0    1 => --privileged instead of the capability emulation
#                                  (NOT usable on this host, untested here; for hosts whose
#                                  dockerd has the full capability bounding set)
# Two suites side by side need different PREFIX, SUBNET and HTTP_PORT_BASE, e.g.
#   PREFIX=plx SUBNET=10.124.0 HTTP_PORT_BASE=18180 IMAGE=podlift-server:trixie servers.sh up 2
# Server I: IP $SUBNET.(10+I), hostname/ssh alias $PREFIX-s<I>, its port 80 (nginx) published on
# 127.0.0.1:(HTTP_PORT_BASE+I). Host keys are read through `docker exec` (trusted channel) into
# known_hosts; the ssh config has StrictHostKeyChecking yes.
# Output in $WORK/$PREFIX/: ssh/config, ssh/known_hosts, ssh/id_ed25519[.pub], and servers.env
# (written when all servers are ready; removed by down):
#   PREFIX IMAGE NETWORK SUBNET SERVER_COUNT SSH_CONFIG SSH_KEY SSH_KNOWN_HOSTS
#   SERVER_<I>_NAME SERVER_<I>_IP SERVER_<I>_HTTP=127.0.0.1:<port> SERVER_<I>_HOSTKEY_SHA256
set -euo pipefail
PREFIX=${PREFIX:-pl}
IMAGE=${IMAGE:-podlift-server:bookworm}
PROFILE=${PROFILE:-full}   # bare: sshd + systemd only (no Docker, no nginx to wait for)
SUBNET=${SUBNET:-10.123.0}
HTTP_PORT_BASE=${HTTP_PORT_BASE:-18080}
HTTPS_PORT_BASE=${HTTPS_PORT_BASE:-$((HTTP_PORT_BASE + 50))}   # nginx 443 of server I on 127.0.0.1:(HTTPS_PORT_BASE+I)
SSH_PORT_BASE=${SSH_PORT_BASE:-2200}
WORK=${WORK:-/var/tmp/podlift-test-servers}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-90}
NET=$PREFIX-net
STATE=$WORK/$PREFIX
SSHDIR=$STATE/ssh
ENVFILE=$STATE/servers.env
LABEL=podlift-e2e.prefix=$PREFIX

ip_of() { echo "$SUBNET.$((10 + $1))"; }
name_of() { echo "$PREFIX-s$1"; }
SSH_OPTS=(-F "$SSHDIR/config")

now() { date +%s%N; }
secs() { local d=$(( ${2:-$(now)} - $1 )); printf '%d.%01d' $((d / 1000000000)) $((d % 1000000000 / 100000000)); }
die() { echo "servers.sh: $*" >&2; exit 1; }

# Wait until the server's sshd unit has generated its host keys (ssh-keygen -A at first boot),
# then print "name,ip <type> <key>" known_hosts lines for every host key type. docker exec is the
# trusted channel: nothing here comes from the network.
host_keys() {
  local name=$1 ip=$2 deadline keys ktype kdata n=0
  deadline=$(( $(date +%s) + BOOT_TIMEOUT ))
  # ssh-keygen -A writes rsa, ecdsa, then ed25519 (each via a temp file + rename): once the
  # ed25519 key is there, all are. One exec per poll: each exec costs ~70 ms of CPU during boot.
  until keys=$(docker exec "$name" sh -c \
      'test -s /etc/ssh/ssh_host_ed25519_key.pub && cat /etc/ssh/ssh_host_*_key.pub' 2>/dev/null); do
    (( $(date +%s) < deadline )) || die "$name: no ssh host key after ${BOOT_TIMEOUT}s"
    sleep 0.2
  done
  while read -r ktype kdata _; do
    [[ $ktype =~ ^(ssh-ed25519|ecdsa-sha2-nistp[0-9]+|ssh-rsa)$ && $kdata =~ ^AAAA[A-Za-z0-9+/]+=*$ ]] || continue
    echo "$name,$ip $ktype $kdata"; n=$((n + 1))
  done <<<"$keys"
  (( n > 0 )) || die "$name: unreadable ssh host keys"
}

cmd_up() {
  local n=${1:-3} i t0
  [[ $n =~ ^[0-9]+$ ]] && (( n >= 1 && n <= 200 )) || die "up: bad server count '$n'"
  docker image inspect "$IMAGE" >/dev/null 2>&1 || die "image $IMAGE missing: run build-image.sh"
  remove_all                                        # a fresh set: no leftovers of an earlier up
  mkdir -p "$SSHDIR"
  [[ -f $SSHDIR/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -f "$SSHDIR/id_ed25519" -C podlift-e2e
  chmod 644 "$SSHDIR/id_ed25519.pub"
  docker network create --label "$LABEL" --subnet "$SUBNET.0/24" --gateway "$SUBNET.1" "$NET" >/dev/null

  local run_flags=(
    --detach --tty                                 # tty: systemd boot log in `docker logs`
    --cgroupns=private                             # systemd + nested docker stay inside own cgroup
    --security-opt seccomp=unconfined
    --security-opt apparmor=unconfined
    --device-cgroup-rule 'a *:* rwm'               # nested runc may create/use any device node
    --label podlift-e2e=1 --label "$LABEL"
  )
  # SYSCTL_RW=1: writable /proc/sys (what --privileged gives). Careful: non-namespaced
  # sysctls (fs.*, kernel.*, vm.*) written inside a server then change the HOST.
  [[ ${SYSCTL_RW:-0} == 1 ]] && run_flags+=(--security-opt systempaths=unconfined)
  if [[ ${PRIVILEGED:-0} == 1 ]]; then
    run_flags+=(--privileged)
  else
    # all capabilities docker knows except CAP_SYS_RESOURCE, which this host's bounding set
    # lacks (that is why --privileged fails here with "unable to apply caps")
    run_flags+=(--cap-add ALL --cap-drop SYS_RESOURCE)
  fi

  : > "$SSHDIR/config"
  t0=$(now)
  for ((i = 1; i <= n; i++)); do
    local name ip pub=()
    name=$(name_of $i); ip=$(ip_of $i)
    pub=(-p "127.0.0.1:$((HTTP_PORT_BASE + i)):80" -p "127.0.0.1:$((HTTPS_PORT_BASE + i)):443")
    [[ ${PUBLISH_SSH:-0} == 1 ]] && pub+=(-p "127.0.0.1:$((SSH_PORT_BASE + i)):22")
    # a named volume on /var/lib/docker, else the nested docker falls back to vfs
    docker volume create --label "$LABEL" "$name-docker" >/dev/null
    docker run "${run_flags[@]}" "${pub[@]}" \
      --name "$name" --hostname "$name" --network "$NET" --ip "$ip" \
      -v "$name-docker:/var/lib/docker" \
      -v "$SSHDIR/id_ed25519.pub:/root/.ssh/authorized_keys:ro" \
      "$IMAGE" >/dev/null
    cat >> "$SSHDIR/config" <<EOF
Host $name $ip
  HostName $ip
  User root
  IdentityFile $SSHDIR/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $SSHDIR/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  UpdateHostKeys no
  BatchMode yes
  ConnectTimeout 3
  LogLevel ERROR
EOF
  done

  # verified host keys (read through docker exec), before the first ssh connection
  local kh=$SSHDIR/known_hosts.tmp
  : > "$kh"
  for ((i = 1; i <= n; i++)); do host_keys "$(name_of $i)" "$(ip_of $i)" >> "$kh"; done
  mv "$kh" "$SSHDIR/known_hosts"

  # wait: ssh login works, then systemd finished booting, the nested docker and nginx answer
  local env=$ENVFILE.tmp
  { echo "PREFIX=$PREFIX"; echo "IMAGE=$IMAGE"; echo "NETWORK=$NET"; echo "SUBNET=$SUBNET"
    echo "SERVER_COUNT=$n"; echo "SSH_CONFIG=$SSHDIR/config"; echo "SSH_KEY=$SSHDIR/id_ed25519"
    echo "SSH_KNOWN_HOSTS=$SSHDIR/known_hosts"; } > "$env"
  for ((i = 1; i <= n; i++)); do
    local name ip port deadline out login_ns ssh_s ready_s state code fp
    name=$(name_of $i); ip=$(ip_of $i); port=$((HTTP_PORT_BASE + i))
    deadline=$(( $(date +%s) + BOOT_TIMEOUT ))
    # one connection per attempt (each handshake costs ~0.3 s here): log in, wait until systemd
    # finished booting and the nested docker answers. The server shares the host's clock: its
    # `date` at login gives ssh-ready.
    until out=$(ssh "${SSH_OPTS[@]}" "$name" "timeout $BOOT_TIMEOUT sh -c '
          t=\$(date +%s%N); systemctl is-system-running --wait >/dev/null 2>&1; s=\$(systemctl is-system-running)
          if [ $PROFILE = bare ]; then echo \$t \$s overlay2; exit; fi
          until docker info >/dev/null 2>&1; do sleep 0.2; done; echo \$t \$s \$(docker info -f {{.Driver}})'" 2>/dev/null); do
      (( $(date +%s) < deadline )) || { docker logs "$name" 2>&1 | tail -20 >&2
        ssh "${SSH_OPTS[@]}" -o LogLevel=INFO "$name" true || true; die "$name: not ready after ${BOOT_TIMEOUT}s"; }
      sleep 0.2
    done
    ready_s=$(secs "$t0")
    login_ns=${out%% *}; state=${out#* }
    [[ $login_ns =~ ^[0-9]+$ && $state == "running overlay2" ]] || { ssh "${SSH_OPTS[@]}" "$name" systemctl --failed >&2 || true
      die "$name: state='$out' (want: <ns> running overlay2)"; }
    ssh_s=$(secs "$t0" "$login_ns")
    code=000
    [[ $PROFILE == bare ]] && code=200   # no nginx yet: `podlift setup` installs it
    until [[ $code == 200 ]] || code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$port/"); [[ $code == 200 ]]; do
      (( $(date +%s) < deadline )) || die "$name: http://127.0.0.1:$port/ answers $code"
      sleep 0.2
    done
    fp=$(grep "^$name,$ip ssh-ed25519 " "$SSHDIR/known_hosts" | ssh-keygen -lf - | awk '{print $2}')
    printf '%s %s ssh-ready=%ss state=%s docker-ready=%ss http=127.0.0.1:%s (since first docker run)\n' \
      "$name" "$ip" "$ssh_s" "$state" "$ready_s" "$port"
    { echo "SERVER_${i}_NAME=$name"; echo "SERVER_${i}_IP=$ip"; echo "SERVER_${i}_HTTP=127.0.0.1:$port"; echo "SERVER_${i}_HTTPS=127.0.0.1:$((HTTPS_PORT_BASE + i))"
      echo "SERVER_${i}_HOSTKEY_SHA256=$fp"; } >> "$env"
  done
  mv "$env" "$ENVFILE"
  echo "servers.env: $ENVFILE  ssh: ssh -F $SSHDIR/config $(name_of 1)  (total $(secs "$t0")s)"
}

# this PREFIX's containers (label; name match for servers started by older versions)
containers() {
  { docker ps -aq --filter "label=$LABEL"
    docker ps -aq --filter label=podlift-e2e=1 --filter "name=^/?$PREFIX-s[0-9]+$"; } | sort -u
}

remove_all() {
  local c name
  for c in $(containers); do
    name=$(docker inspect -f '{{.Name}}' "$c"); name=${name#/}
    docker rm -f -v "$c" >/dev/null
    docker volume rm "$name-docker" >/dev/null 2>&1 || true
  done
  for c in $(docker volume ls -q --filter "label=$LABEL"); do docker volume rm "$c" >/dev/null || true; done
  docker network rm "$NET" >/dev/null 2>&1 || true
  rm -f "$SSHDIR/known_hosts" "$ENVFILE"
  cleanup_cgroup_leftovers
}

cmd_down() {
  local t0; t0=$(now)
  remove_all
  echo "down $PREFIX: done in $(secs "$t0")s"
}

# cgroup v1 hosts without systemd (like this one) do not mount the hugetlb, perf_event and
# net_cls,net_prio hierarchies. systemd inside a server mounts them; the server container then
# sits in their ROOT cgroup, so the nested dockerd creates /docker/<id> there, and those empty
# dirs survive `docker rm -f`. Remove empty leftovers (busy cgroups of other servers are skipped).
cleanup_cgroup_leftovers() {
  [[ -d /sys/fs/cgroup/systemd && -r /proc/cgroups ]] || return 0   # cgroup v2 host: nothing to do
  [[ $(id -u) == 0 ]] || return 0
  local id ctls tmp mounted
  mounted=",$(awk '$3 == "cgroup" {printf "%s,", $4}' /proc/self/mounts)"
  for id in $(awk 'NR > 1 && $2 != 0 {print $2}' /proc/cgroups | sort -u); do
    ctls=$(awk -v h="$id" 'NR > 1 && $2 == h {print $1}' /proc/cgroups | paste -sd,)
    # skip hierarchies the host has mounted (docker cleans those itself)
    [[ $mounted == *",${ctls%%,*},"* ]] && continue
    tmp=$(mktemp -d)
    if mount -t cgroup -o "$ctls" cgroup "$tmp" 2>/dev/null; then
      [[ -d $tmp/docker ]] && { find "$tmp/docker" -depth -type d -exec rmdir {} + 2>/dev/null || true; }
      umount "$tmp"
    fi
    rmdir "$tmp"
  done
}

cmd_ssh() { (($# >= 1)) || die "usage: servers.sh ssh I [CMD...]"; local i=$1; shift; ssh "${SSH_OPTS[@]}" "$(name_of "$i")" "$@"; }

cmd_ls() {
  local c
  for c in $(containers); do
    docker inspect -f '{{.Name}}	{{.State.Status}}	{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{$v.IPAddress}}{{end}}' "$c"
  done | sed 's|^/||' | sort -V
}

case ${1:-} in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  ssh) shift; cmd_ssh "$@" ;;
  ls) cmd_ls ;;
  env) echo "$ENVFILE" ;;
  *) sed -n '2,28p' "$0"; exit 2 ;;
esac
