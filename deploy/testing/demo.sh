#!/usr/bin/env bash
# `make demo`: one local test server (systemd + sshd + Docker + nginx in a system container),
# podlift-agent installed on it, the example app deployed, redeployed as a new version, rolled back,
# and what nginx served printed at each step. The server stays up to play with; `make demo-down` removes it.
set -euo pipefail
testing=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$testing/../.." && pwd)
# a place no end-to-end fixture takes, so the demo can run beside the tests (ServerPlacesTests checks)
export PREFIX=${PREFIX:-demo} SUBNET=${SUBNET:-10.122.0} HTTP_PORT_BASE=${HTTP_PORT_BASE:-17980}
podlift=${PODLIFT:-$root/artifacts/cli/podlift}
app=${DEMO_APP_DIR:-/tmp/podlift-demo-app}
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Starting a local test server"
"$testing/test-servers/build-image.sh"
"$testing/test-servers/servers.sh" up 1
# shellcheck disable=SC1090
source "$("$testing/test-servers/servers.sh" env)"
export PODLIFT_SSH_CONFIG=$SSH_CONFIG
http=http://$SERVER_1_HTTP

say "Example app in $app (a git repository: podlift versions deploys by commit)"
rm -rf "$app" && mkdir -p "$app"
"$testing/apps/example/prepare.sh" >/dev/null
cp -r "$testing/apps/example/." "$app/"
rm -f "$app/.gitignore" "$app/prepare.sh"
cat > "$app/podlift.yml" <<YAML
service: example
image: example
servers:
  - host: $SERVER_1_IP
services:
  web:
    port: 8000
    healthcheck: { path: /health, expect: [200], timeout: 20s, interval: 1s, retries: 3 }
drain: 5s
YAML
cd "$app"
git init -q -b main && git config user.name "podlift demo" && git config user.email demo@podlift.invalid
echo "v1" > www/version && git add -A && git commit -qm "First version"

say "podlift agent install"
"$podlift" agent install
say "podlift deploy (v1)"
"$podlift" deploy
echo "served: $(curl -fsS "$http/version")"

say "podlift deploy (v2)"
echo "v2" > www/version && git commit -qam "Second version"
"$podlift" deploy
echo "served: $(curl -fsS "$http/version")"

say "podlift rollback"
"$podlift" rollback
echo "served: $(curl -fsS "$http/version")"

say "podlift status"
"$podlift" status

say "podlift ps --all"
"$podlift" ps --all

cat <<EOT

The server is still up: try it yourself
  cd $app && PODLIFT_SSH_CONFIG=$SSH_CONFIG $podlift ps
  curl $http/version
Remove it with: make demo-down
EOT
