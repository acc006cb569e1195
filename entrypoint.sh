#!/bin/sh
# Container entrypoint, run by tini (PID 1). It only sets what must be set before node
# starts, then replaces itself with node (`exec`: same PID, so tini's SIGTERM reaches node
# directly). Which command runs and every SLUICE_* variable are sluice's own business: see
# src/cli/environment.ts. The image's CMD is `run`; container arguments replace it.
set -eu

# V8 fixes its heap sizes when node starts, so they cannot live in TypeScript. Measured on the
# shipped Node 26 through this entrypoint (docs/BENCHMARKS.md, "Heap and GC settings in the
# image"): with V8's own sizes, short-lived garbage grows the heap with the data streamed
# (310-330 MiB RSS for a 100 MB object, 360-380 MiB for 1 GB); a 128 MB old space and 8 MB
# semi-spaces keep both under 200 MiB, for 1.6-1.9 times the CPU. The semi-space is set too
# because V8 otherwise picks it itself (32 MB on the machine measured: 205-220 MiB for 1 GB).
# A flag given later in NODE_OPTIONS wins, so the caller's own setting is kept.
export NODE_OPTIONS="--max-old-space-size=${SLUICE_MAX_OLD_SPACE_MB:-128} --max-semi-space-size=${SLUICE_MAX_SEMI_SPACE_MB:-8}${NODE_OPTIONS:+ $NODE_OPTIONS}"

exec node "$(dirname "$0")/bin/sluice.js" "$@"
