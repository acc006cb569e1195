#!/bin/sh
# Container entrypoint, run by tini (PID 1). It only sets what must be set before node
# starts, then replaces itself with node (`exec`: same PID, so tini's SIGTERM reaches node
# directly). Which command runs and every SLUICE_* variable are sluice's own business: see
# src/cli/environment.ts. The image's CMD is `run`; container arguments replace it.
set -eu

# V8 fixes its heap limit when node starts, so this cannot live in TypeScript. Without a limit
# V8 lets short-lived garbage grow the heap with the data streamed (236 MB RSS for a 1 GB
# object, 187 MB for 100 MB); with it RSS stays ~140 MB whatever the object's size.
# A flag given later in NODE_OPTIONS wins, so the caller's own setting is kept.
export NODE_OPTIONS="--max-old-space-size=${SLUICE_MAX_OLD_SPACE_MB:-128}${NODE_OPTIONS:+ $NODE_OPTIONS}"

exec node "$(dirname "$0")/bin/sluice.js" "$@"
