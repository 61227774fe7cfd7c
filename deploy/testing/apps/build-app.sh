#!/usr/bin/env bash
# Build one zoo app image (webapp or static-site) the way the tests do: copy the app's directory,
# replace `FROM podlift-zoo-base:RECIPE` by the real base tag, write the version, docker build
# (classic builder). Builds the base first if needed (build-images.sh; ~0.1 s when cached).
#
# Usage: build-app.sh APP TAG [VERSION] [FILE...]
#   APP      webapp | static-site
#   VERSION  written to webapp/VERSION or static-site/www/version (default: the checked-in one)
#   FILE     marker files created empty in the context (webapp: REQUIRES_COLUMN, MIGRATION_FAILS)
#   stdout: TAG.  Env: as build-images.sh (WORK, MIRROR).
# e.g. build-app.sh webapp zoo-webapp:v2 v2 REQUIRES_COLUMN
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
app=${1:?usage: build-app.sh webapp|static-site TAG [VERSION] [FILE...]}
tag=${2:?usage: build-app.sh webapp|static-site TAG [VERSION] [FILE...]}
version=${3:-}
shift $(( $# < 3 ? $# : 3 ))
[[ -f $HERE/$app/Dockerfile ]] || { echo "[zoo] no app $app in $HERE" >&2; exit 2; }
base=$("$HERE/build-images.sh" | tail -1)
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp -a "$HERE/$app/." "$ctx/"
sed -i "s/^FROM podlift-zoo-base:RECIPE\$/FROM $base/" "$ctx/Dockerfile"
grep -q "^FROM $base\$" "$ctx/Dockerfile" || { echo "[zoo] $app/Dockerfile: no 'FROM podlift-zoo-base:RECIPE' line" >&2; exit 1; }
if [[ -n $version ]]; then
  if [[ $app == static-site ]]; then echo "$version" > "$ctx/www/version"; else echo "$version" > "$ctx/VERSION"; fi
fi
for f in "$@"; do : > "$ctx/$f"; done
if ! out=$(DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$ctx" 2>&1); then
  echo "$out" >&2; echo "[zoo] docker build of $tag failed" >&2; exit 1
fi
echo "$tag"
