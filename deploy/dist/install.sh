#!/bin/sh
# Installs podlift: the self-contained CLI and the agents it installs on servers (linux-x64, linux-arm64).
#
#   ./install.sh                                 from an unpacked podlift-<os>-<arch>.tar.gz
#   curl -fsSL <release url>/install.sh | sh     downloads the tarball for this machine first
#
# PREFIX: where to (default /usr/local as root, else ~/.local): the files go to $PREFIX/lib/podlift-cli,
# the command to $PREFIX/bin/podlift. PODLIFT_RELEASE_URL: where the tarballs are (`make pack` writes the
# release's own). A second run replaces the installed version.
set -eu

release_url=${PODLIFT_RELEASE_URL:-@RELEASE_URL@}
if [ -z "${PREFIX:-}" ]; then
  if [ "$(id -u)" = 0 ]; then PREFIX=/usr/local; else PREFIX=$HOME/.local; fi
fi

fail() { echo "install.sh: $*" >&2; exit 1; }

platform() {
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=osx ;;
    *) fail "podlift runs on Linux and macOS, not on $(uname -s)" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) fail "podlift is built for x86_64 and arm64 machines, not for $(uname -m)" ;;
  esac
  echo "$os-$arch"
}

here=$(cd "$(dirname "$0")" 2>/dev/null && pwd) || here=
if [ -n "$here" ] && [ -f "$here/podlift" ] && [ -d "$here/agent" ]; then
  source=$here
else
  [ -n "$release_url" ] || fail "not beside an unpacked podlift tarball, and no PODLIFT_RELEASE_URL to download one from"
  command -v curl >/dev/null || fail "curl is needed to download podlift"
  rid=$(platform)
  download=$(mktemp -d)
  trap 'rm -rf "$download"' EXIT
  echo "downloading $release_url/podlift-$rid.tar.gz"
  curl -fsSL "$release_url/podlift-$rid.tar.gz" | tar -xz -C "$download"
  source=$download/podlift-$rid
fi

lib=$PREFIX/lib/podlift-cli
mkdir -p "$PREFIX/lib" "$PREFIX/bin"
rm -rf "$lib.new"
cp -R "$source" "$lib.new"
rm -f "$lib.new/install.sh"
chmod 0755 "$lib.new/podlift"
rm -rf "$lib"
mv "$lib.new" "$lib"
ln -sf "$lib/podlift" "$PREFIX/bin/podlift"
echo "installed: $PREFIX/bin/podlift $("$PREFIX/bin/podlift" --version 2>/dev/null || echo '(it does not start on this machine: is this the right tarball?)')"
case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) echo "add $PREFIX/bin to your PATH" ;;
esac
