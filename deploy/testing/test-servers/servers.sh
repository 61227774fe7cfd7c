#!/usr/bin/env bash
# Bring up / tear down N fake "servers" (Debian + systemd + sshd + docker + nginx), each a
# systemd-as-PID-1 container with its own nested dockerd, on one user-defined docker network.
# Needs the image from build-image.sh, root (for the cgroup cleanup), ssh client, curl.
#
#   servers.sh up [N]     (re)start N servers (default 3), wait until ssh + docker + nginx answer
#   servers.sh down       remove this PREFIX's servers, their docker volumes and the network
#   servers.sh ssh I CMD  run CMD on server I as root (hardened: as deploy, through sudo)
#   servers.sh ls         show name / state
#   servers.sh env        print the path of servers.env
#
# Env (defaults):  PREFIX=pl  IMAGE=podlift-server:bookworm (or :trixie)  SUBNET=10.123.0
#                  HTTP_PORT_BASE=18080  WORK=/var/tmp/podlift-test-servers  BOOT_TIMEOUT=90
#                  PUBLISH_SSH=0   1 => also publish ssh on 127.0.0.1:(SSH_PORT_BASE+I), base 2200
#                                  (hardened: port 2222; server N drops it, it comes from the gateway)
#                  SYSCTL_RW=0     1 => whole /proc/sys writable (default: only /proc/sys/net)
#                  PRIVILEGED=0    1 => --privileged instead of the capability emulation
#                                  (NOT usable on this host, untested here; for hosts whose
#                                  dockerd has the full capability bounding set)
#                  PROFILE=full    bare: sshd + systemd only (image podlift-server:$SUITE-bare)
#                                  hardened: full, then at `up` (through docker exec) sshd on
#                                  port 2222 only, PermitRootLogin no, PasswordAuthentication no,
#                                  user deploy (key + passwordless sudo); server N (N >= 2) takes
#                                  ssh only from server 1 (iptables), so it needs ProxyJump
# Two suites side by side need different PREFIX, SUBNET and HTTP_PORT_BASE, e.g.
#   PREFIX=plx SUBNET=10.124.0 HTTP_PORT_BASE=18180 IMAGE=podlift-server:trixie servers.sh up 2
# Server I: IP $SUBNET.(10+I), hostname/ssh alias $PREFIX-s<I>, its port 80 (nginx) published on
# 127.0.0.1:(HTTP_PORT_BASE+I). Host keys are read through `docker exec` (trusted channel) into
# known_hosts; the ssh config has StrictHostKeyChecking yes.
# Output in $WORK/$PREFIX/: ssh/config, ssh/known_hosts, ssh/id_ed25519[.pub], and servers.env
# (written when all servers are ready; removed by down):
#   PREFIX IMAGE NETWORK SUBNET SERVER_COUNT SSH_CONFIG SSH_KEY SSH_KNOWN_HOSTS
#   SERVER_<I>_NAME SERVER_<I>_IP SERVER_<I>_HTTP=127.0.0.1:<port> SERVER_<I>_HOSTKEY_SHA256
# hardened: the ssh config names servers only by aliases that resolve nowhere, $PREFIX-a,
# $PREFIX-b, ... (server I = I-th letter; HostName <ip>, Port 2222, User deploy, the last one
# ProxyJump $PREFIX-a), known_hosts has "[ip]:2222" lines, and servers.env also has
#   PROFILE=hardened SSH_USER=deploy SSH_PORT=2222 SERVER_<I>_ALIAS
set -euo pipefail
PREFIX=${PREFIX:-pl}
IMAGE=${IMAGE:-podlift-server:bookworm}
PROFILE=${PROFILE:-full}   # bare: sshd + systemd only (no Docker, no nginx to wait for); hardened: see above
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

# the lines every Host entry of the ssh config shares: this run's key, its verified host keys, no prompts
ssh_key_options() {
  cat <<EOF
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
}

name_of() { echo "$PREFIX-s$1"; }
SSH_OPTS=(-F "$SSHDIR/config")
HARD_PORT=2222 HARD_USER=deploy
# hardened ssh alias of server I: $PREFIX-a ... -z, -aa, -ab ... (bijective base 26), letters so
# that it cannot be mistaken for a container / host name ($PREFIX-s<I>)
alias_of() {
  local i=$1 s="" letters=abcdefghijklmnopqrstuvwxyz
  while ((i > 0)); do i=$((i - 1)); s=${letters:i % 26:1}$s; i=$((i / 26)); done
  echo "$PREFIX-$s"
}

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
  [[ $PROFILE =~ ^(full|bare|hardened)$ ]] || die "unknown PROFILE '$PROFILE' (full, bare, hardened)"
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
    [[ ${PUBLISH_SSH:-0} == 1 ]] && pub+=(-p "127.0.0.1:$((SSH_PORT_BASE + i)):$([[ $PROFILE == hardened ]] && echo $HARD_PORT || echo 22)")
    # a named volume on /var/lib/docker, else the nested docker falls back to vfs
    docker volume create --label "$LABEL" "$name-docker" >/dev/null
    docker run "${run_flags[@]}" "${pub[@]}" \
      --name "$name" --hostname "$name" --network "$NET" --ip "$ip" \
      -v "$name-docker:/var/lib/docker" \
      -v "$SSHDIR/id_ed25519.pub:/root/.ssh/authorized_keys:ro" \
      "$IMAGE" >/dev/null
    { cat <<EOF
Host $name $ip
  HostName $ip
  User root
EOF
      ssh_key_options; } >> "$SSHDIR/config"
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
    echo "SSH_KNOWN_HOSTS=$SSHDIR/known_hosts"
    [[ $PROFILE == hardened ]] && echo "PROFILE=hardened" && echo "SSH_USER=$HARD_USER" && echo "SSH_PORT=$HARD_PORT"; } > "$env"
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
    if [[ $PROFILE == hardened ]]; then
      # while the later servers still boot; the boot wait above used root on port 22
      harden "$i" "$n"; echo "SERVER_${i}_ALIAS=$(alias_of "$i")" >> "$env"
    fi
  done
  [[ $PROFILE == hardened ]] && hardened_ssh "$n" "$t0"
  mv "$env" "$ENVFILE"
  echo "servers.env: $ENVFILE  ssh: ssh -F $SSHDIR/config $([[ $PROFILE == hardened ]] && alias_of 1 || name_of 1)  (total $(secs "$t0")s)"
}

# PROFILE=hardened, server I of N, after it booted like a full server: configure it the way people
# harden a server, through docker exec (the trusted channel; the key comes in on stdin). sshd gets
# a drop-in (Debian's sshd_config Includes sshd_config.d/*.conf first, and for sshd the first
# value wins); `sshd -T` proves the effective settings. Root keeps its authorized key, so the
# refusal checked later comes from PermitRootLogin, not from a missing key. Server N (N >= 2)
# drops ssh from everyone but server 1 (loopback stays open), as a bastion setup does.
harden() {
  local i=$1 n=$2 name allow="" t; t=$(now)
  name=$(name_of "$i")
  (( i == n && n >= 2 )) && allow=$(ip_of 1)
  docker exec -i "$name" sh -euc '
    port=$1 user=$2 allow=$3
    id "$user" >/dev/null 2>&1 || useradd --create-home --home-dir /home/$user --shell /bin/bash "$user"
    install -d -m 700 -o "$user" -g "$user" /home/$user/.ssh
    cat > /home/$user/.ssh/authorized_keys
    chown "$user:$user" /home/$user/.ssh/authorized_keys; chmod 600 /home/$user/.ssh/authorized_keys
    # sudo ignores sudoers.d names with a dot: the check runs on the file before it counts
    printf "%s ALL=(ALL) NOPASSWD:ALL\n" "$user" > /etc/sudoers.d/$user.new
    chmod 0440 /etc/sudoers.d/$user.new
    visudo -cqf /etc/sudoers.d/$user.new
    mv /etc/sudoers.d/$user.new /etc/sudoers.d/$user
    printf "Port %s\nPermitRootLogin no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n" "$port" \
      > /etc/ssh/sshd_config.d/10-hardened.conf
    eff=$(sshd -T | grep -E "^(port|permitrootlogin|passwordauthentication) " | sort | paste -sd" ")
    [ "$eff" = "passwordauthentication no permitrootlogin no port $port" ] || { echo "sshd -T: $eff" >&2; exit 1; }
    if [ -n "$allow" ]; then
      iptables -I INPUT -p tcp --dport "$port" ! -i lo ! -s "$allow" -j DROP
    fi
    systemctl restart ssh
  ' sh "$HARD_PORT" "$HARD_USER" "$allow" < "$SSHDIR/id_ed25519.pub" || die "$name: hardening failed"
  printf '%s hardened in %ss: sshd port %s, user %s%s\n' "$name" "$(secs "$t")" "$HARD_PORT" "$HARD_USER" \
    "${allow:+, ssh only from $allow}"
}

# PROFILE=hardened, all N servers hardened: replace the boot-time root config with aliases only
# (ProxyJump for server N) and port-22 host key lines with what OpenSSH looks up for a non-22
# port, "[ip]:2222" (the HostName, not the alias, unless HostKeyAlias is set; a ProxyJump hop is
# looked up the same way). ProxyJump runs `ssh -W '[%h]:%p' <jump>` with the same -F (but none of
# the -o options of the command line), so each alias carries all its settings itself. Then prove
# it: deploy + `sudo -n` work through every alias; root, port 22, and a direct connection to
# server N fail, for the expected reason. All checks at once: the timeout check waits ~3 s.
hardened_ssh() {
  local n=$1 t0=$2 i name ip a kh=$SSHDIR/known_hosts.tmp cfg=$SSHDIR/config.tmp t; t=$(now)
  : > "$kh"; : > "$cfg"
  for ((i = 1; i <= n; i++)); do
    name=$(name_of "$i"); ip=$(ip_of "$i"); a=$(alias_of "$i")
    ! getent hosts "$a" >/dev/null || die "alias $a resolves on this machine: pick another PREFIX"
    grep "^$name,$ip " "$SSHDIR/known_hosts" | sed "s/^[^ ]* /[$ip]:$HARD_PORT /" >> "$kh"
    { cat <<EOF
Host $a
  HostName $ip
  Port $HARD_PORT
  User $HARD_USER
EOF
      ssh_key_options; } >> "$cfg"
    (( i == n && n >= 2 )) && echo "  ProxyJump $(alias_of 1)" >> "$cfg"
  done
  mv "$kh" "$SSHDIR/known_hosts"; mv "$cfg" "$SSHDIR/config"

  local checks=$STATE/checks pids=() failed=0 f
  rm -rf "$checks"; mkdir -p "$checks"
  (( n >= 2 )) && { expect_refused "$checks/direct" 'port 2222: Connection timed out' -o ProxyJump=none "$(alias_of "$n")" & pids+=($!); }
  for ((i = 1; i <= n; i++)); do
    a=$(alias_of "$i")
    hardened_login "$checks/login-$i" "$a" & pids+=($!)
    # "(publickey)": the only method the server still offers, so no password / keyboard-interactive
    expect_refused "$checks/root-$i" 'Permission denied (publickey)' -o User=root "$a" & pids+=($!)
    # directly (the firewall of server N is for 2222 only): through the jump host, a closed
    # port is only "stdio forwarding failed" (the reason is logged at INFO, by the jump's ssh)
    expect_refused "$checks/port22-$i" 'port 22: Connection refused' -o ProxyJump=none -o Port=22 "$a" & pids+=($!)
  done
  for f in "${pids[@]}"; do wait "$f" || failed=1; done
  for f in "$checks"/*; do [[ -s $f ]] && cat "$f" >&2; done
  rm -rf "$checks"
  (( failed == 0 )) || die "hardened ssh checks failed"
  printf 'hardened ssh checked in %ss: %s as %s (sudo -n), root/port 22%s refused (ready %ss since first docker run)\n' \
    "$(secs "$t")" "$(alias_of 1)..$(alias_of "$n")" "$HARD_USER" "$( ((n >= 2)) && echo ", direct $(alias_of "$n")")" "$(secs "$t0")"
}

# log in through the alias as the deploy user, and sudo without a password works; a few tries
# (sshd was just restarted)
hardened_login() {
  local out=$1 a=$2 deadline r; deadline=$(( $(date +%s) + 15 ))
  until r=$(ssh "${SSH_OPTS[@]}" "$a" 'echo "$(id -un) $(sudo -n id -un)"' 2>"$out"); [[ $r == "$HARD_USER root" ]]; do
    (( $(date +%s) < deadline )) || { echo "$a: login as $HARD_USER + sudo -n: got '$r'" >> "$out"; return 1; }
    sleep 0.2
  done
  : > "$out"
}

# ssh ARGS... must fail, with an error containing PATTERN (not just any error)
expect_refused() {
  local out=$1 pattern=$2 err; shift 2
  if err=$(ssh "${SSH_OPTS[@]}" "$@" true 2>&1); then echo "ssh $*: logged in, want '$pattern'" > "$out"; return 1; fi
  [[ $err == *"$pattern"* ]] || { echo "ssh $*: '$err', want '$pattern'" > "$out"; return 1; }
  : > "$out"
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

cmd_ssh() {
  (($# >= 1)) || die "usage: servers.sh ssh I [CMD...]"; local i=$1; shift
  # the profile of the servers that are up (servers.env), else $PROFILE
  local profile=$PROFILE
  [[ -f $ENVFILE ]] && { grep -qx PROFILE=hardened "$ENVFILE" && profile=hardened || profile=full; }
  [[ $profile == hardened ]] || { ssh "${SSH_OPTS[@]}" "$(name_of "$i")" "$@"; return; }
  # hardened: no root login, so log in as deploy and become root through sudo. The remote shell
  # (deploy's bash) unquotes the %q-quoted command line, exactly as the root shell would get it.
  if (($# == 0)); then ssh "${SSH_OPTS[@]}" -t "$(alias_of "$i")" sudo -i
  else ssh "${SSH_OPTS[@]}" "$(alias_of "$i")" sudo -n sh -c "$(printf '%q' "$*")"; fi
}

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
  *) sed -n '2,37p' "$0"; exit 2 ;;
esac
