#!/usr/bin/env bash
# Builds the container image and smoke-tests it, on a machine with no Docker engine and no
# access to Docker Hub (CI here): podman builds the Dockerfile, and the Dockerfile's pinned base
# image is replaced by a local stand-in made the same way (Debian bookworm + the Node release
# of .nvmrc + npm).
#
# Usage: scripts/image.sh base|build|smoke|all      (as root: debootstrap, chroot and mount need it)
#   base   the stand-in base image, cached as a tarball by Node and npm version
#   build  base, then `podman build` of the Dockerfile into $SLUICE_IMAGE (default localhost/sluice:test)
#   smoke  runs test/integration/image/ against $SLUICE_IMAGE (its filesystem under chroot:
#          `podman run` is refused in this sandbox); the tests clean up their own containers
#   all    build, then smoke
# Each step prints how long it took. Caches live outside the clone, in
# ${SLUICE_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice-ci}/image/ (the base tarball) and in
# podman's own storage (images, and the Dockerfile's npm cache mounts).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${SLUICE_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice-ci}"
NODE_VERSION="${SLUICE_NODE_VERSION:-$(tr -d ' \nv' <"$ROOT/.nvmrc")}"
IMAGE="${SLUICE_IMAGE:-localhost/sluice:test}"
SUITE=bookworm

log() { echo "image: $*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# step NAME COMMAND...: runs it and prints its duration, also when it fails. The subshell
# keeps `set -e` working inside the step (bash ignores it in a function called from `||`).
step() {
  local name=$1 started=$SECONDS status
  shift
  log "$name ..."
  set +e
  (
    set -e
    "$@"
  )
  status=$?
  set -e
  log "$name: $((SECONDS - started)) s$([ $status -eq 0 ] || echo ", FAILED (exit $status)")"
  return $status
}

need_tools() {
  [ "$(id -u)" -eq 0 ] || die "run as root (debootstrap, chroot and mount need it)"
  # Each command and the Debian package that provides it; only the missing ones are installed.
  # podman's own helpers (newuidmap, fuse-overlayfs, slirp4netns) are checked one by one too:
  # a machine can have podman without them (apt --no-install-recommends).
  local missing=() pair
  for pair in podman:podman debootstrap:debootstrap newuidmap:uidmap fuse-overlayfs:fuse-overlayfs \
    slirp4netns:slirp4netns unshare:util-linux chroot:coreutils; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing apt packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

npm_version() { npm --version; }
standin_name() { echo "localhost/sluice-node-standin:$NODE_VERSION-$SUITE-slim"; }

# The stand-in for node:<version>-bookworm-slim: what the Dockerfile's stages use from it is a
# Debian bookworm userland with apt, and node + npm in /usr/local/bin.
make_base_tarball() {
  local tarball=$1 node_bin npm_dir tmp
  node_bin="$("$ROOT/scripts/with-node.sh" --bin-dir)/node"
  # The npm package of the npm on PATH (not `npm root -g`: that follows the node first on
  # PATH, which under .ci/run is the bare node of scripts/with-node.sh, without npm).
  npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  [ -f "$npm_dir/bin/npm-cli.js" ] && [ -d "$npm_dir/node_modules" ] || die "no self-contained npm at $npm_dir"
  tmp="$(mktemp -d "$CACHE/image/.rootfs-XXXXXX")"
  # libatomic1: node 26 links it (the official image installs it too).
  debootstrap --variant=minbase --include=libatomic1 "$SUITE" "$tmp/rootfs" >"$tmp/debootstrap.log" 2>&1 ||
    {
      tail -n 30 "$tmp/debootstrap.log" >&2
      rm -rf "$tmp"
      die "debootstrap failed"
    }
  rm -rf "$tmp/rootfs/var/cache/apt/archives/"*.deb "$tmp/rootfs/var/lib/apt/lists/"*
  install -m 0755 "$node_bin" "$tmp/rootfs/usr/local/bin/node"
  mkdir -p "$tmp/rootfs/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$tmp/rootfs/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$tmp/rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$tmp/rootfs/usr/local/bin/npx"
  chroot "$tmp/rootfs" /usr/local/bin/node --version >/dev/null
  tar -C "$tmp/rootfs" -cf "$tmp/base.tar" .
  mv "$tmp/base.tar" "$tarball"
  rm -rf "$tmp"
}

base() {
  local name tarball
  name="$(standin_name)"
  if podman image exists "$name"; then
    log "stand-in base $name is there"
    return 0
  fi
  mkdir -p "$CACHE/image"
  tarball="$CACHE/image/base-node-$NODE_VERSION-npm-$(npm_version)-$SUITE.tar"
  [ -f "$tarball" ] || step "stand-in base rootfs (debootstrap $SUITE + node $NODE_VERSION)" make_base_tarball "$tarball"
  podman import --quiet "$tarball" "$name" >/dev/null
}

build() {
  local mounts=()
  # This machine trusts the registry's TLS chain only through the host's CA bundle and npmrc.
  [ -d /etc/ssl/certs ] && mounts+=(-v /etc/ssl/certs:/etc/ssl/certs:ro)
  [ -f /etc/npmrc ] && mounts+=(-v /etc/npmrc:/usr/local/etc/npmrc:ro)
  # --isolation chroot: the sandbox has no usable cgroups for runc/crun. --format docker keeps
  # the HEALTHCHECK (OCI images have none). NODE_IMAGE: the stand-in, not the pinned digest.
  podman build --quiet --isolation chroot --network host --format docker "${mounts[@]}" \
    --build-arg "NODE_IMAGE=$(standin_name)" -t "$IMAGE" "$ROOT" >/dev/null
  log "$IMAGE: built, node $(image_node_version)"
}

image_node_version() {
  local cid mnt version
  cid="$(podman create --no-healthcheck "$IMAGE")"
  mnt="$(podman mount "$cid")"
  version="$(chroot "$mnt" /usr/local/bin/node --version)" || version="?"
  podman umount "$cid" >/dev/null
  podman rm "$cid" >/dev/null
  echo "$version"
}

smoke() {
  podman image exists "$IMAGE" || die "no image $IMAGE: run $0 build first"
  # The smoke tests compare the image's output with this checkout's CLI (bin/ + dist/).
  [ -f "$ROOT/dist/cli/main.js" ] || (cd "$ROOT" && npm run build >/dev/null)
  (cd "$ROOT" && SLUICE_IMAGE="$IMAGE" npx vitest run --config vitest.image.config.ts)
}

case "${1:-}" in
base)
  need_tools
  step "base" base
  ;;
build)
  need_tools
  step "base" base
  step "podman build" build
  ;;
smoke)
  need_tools
  step "smoke" smoke
  ;;
all)
  need_tools
  step "base" base
  step "podman build" build
  step "smoke" smoke
  ;;
*)
  echo "usage: $0 base|build|smoke|all" >&2
  exit 64
  ;;
esac
