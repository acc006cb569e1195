#!/bin/sh
# Container entrypoint, run by tini (PID 1). It only sets what must be set before node
# starts, then replaces itself with node (`exec`: same PID, so tini's SIGTERM reaches node
# directly). Which command runs and every SLUICE_* variable are sluice's own business: see
# src/cli/environment.ts. The image's CMD is `run`; container arguments replace it.
set -eu

# V8 fixes its heap sizes when node starts, so they cannot live in TypeScript. Without limits
# V8 lets short-lived garbage grow the heap with the data streamed; the old-space and
# semi-space limits keep RSS flat with the object's size (measured on the shipped Node through
# this entrypoint: docs/BENCHMARKS.md, "Heap and GC settings in the image"). The semi-space is
# set too because V8 otherwise sizes the young generation from the host's memory: the same
# image would behave differently on every host.
# A flag given later in NODE_OPTIONS wins, so the caller's own setting is kept.
export NODE_OPTIONS="--max-old-space-size=${SLUICE_MAX_OLD_SPACE_MB:-128} --max-semi-space-size=${SLUICE_MAX_SEMI_SPACE_MB:-8}${NODE_OPTIONS:+ $NODE_OPTIONS}"

exec node "$(dirname "$0")/bin/sluice.js" "$@"
