#!/bin/sh
# Container entrypoint: maps sluice's environment flags to the CLI, validates the
# config first, then replaces itself with node (`exec`) so that SIGTERM from ECS
# (relayed by tini) reaches node directly.
#
#   no arguments                 -> sluice run --config "$SLUICE_CONFIG" [--pipeline ID]...
#   SLUICE_BACKFILL_FROM set      -> sluice backfill --from FROM [--to TO] --config ... [--pipeline ID]...
#   any arguments (validate ...)  -> passed to the CLI unchanged, without the validate step
#
# Environment:
#   SLUICE_CONFIG         YAML file or folder of pipelines (default /etc/sluice/pipelines)
#   SLUICE_PIPELINES      comma-separated pipeline ids to run (default: all)
#   SLUICE_BACKFILL_FROM  start of a one-off backfill (date or timestamp, UTC)
#   SLUICE_BACKFILL_TO    end of the backfill (needs SLUICE_BACKFILL_FROM)
#   SLUICE_NODE           node binary (default node); SLUICE_APP_DIR app folder (default /app)
#   SLUICE_MAX_OLD_SPACE_MB  V8 old-space limit in MB (default 128; a flag in NODE_OPTIONS wins)
# SLUICE_HTTP_PORT, SLUICE_LOG_LEVEL and SLUICE_SHUTDOWN_TIMEOUT_SECONDS are read by node itself.
set -eu

node_bin="${SLUICE_NODE:-node}"
app_dir="${SLUICE_APP_DIR:-/app}"
cli="$app_dir/bin/sluice.js"
config="${SLUICE_CONFIG:-/etc/sluice/pipelines}"
# Without a limit V8 lets short-lived garbage grow the heap with the data streamed (236 MB RSS
# for a 1 GB object, 187 MB for 100 MB); with it RSS stays ~140 MB whatever the object's size.
# A flag given later in NODE_OPTIONS wins, so the caller's own setting is kept.
export NODE_OPTIONS="--max-old-space-size=${SLUICE_MAX_OLD_SPACE_MB:-128}${NODE_OPTIONS:+ $NODE_OPTIONS}"

# JSON string body: escape backslash, quote and tab, drop other control characters,
# and join lines with \n.
json_escape() {
  printf '%s' "$1" |
    tr -d '\000-\010\013-\037' |
    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/	/\\t/g' |
    awk 'NR > 1 { printf "\\n" } { printf "%s", $0 }'
}

# One JSON log line on stderr, shaped like the worker's pino lines.
# Usage: log LEVEL MESSAGE [FIELD_JSON]  (FIELD_JSON: extra `,"key":value` members)
log() {
  printf '{"level":"%s","time":"%s","service":"sluice","component":"entrypoint","msg":"%s"%s}\n' \
    "$1" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(json_escape "$2")" "${3:-}" >&2
}

# The arguments as a JSON array. Only the CLI arguments are logged: never the environment.
json_args() {
  out=''
  for arg in "$@"; do
    out="$out${out:+,}\"$(json_escape "$arg")\""
  done
  printf '[%s]' "$out"
}

start() {
  log info "starting sluice $1" ",\"command\":\"$(json_escape "$1")\",\"argv\":$(json_args "$@")"
  exec "$node_bin" "$cli" "$@"
}

# Arguments given to the container go to the CLI unchanged (`docker run image validate ...`).
if [ "$#" -gt 0 ]; then
  start "$@"
fi

backfill_from="${SLUICE_BACKFILL_FROM:-}"
backfill_to="${SLUICE_BACKFILL_TO:-}"
if [ -z "$backfill_from" ] && [ -n "$backfill_to" ]; then
  log error "SLUICE_BACKFILL_TO is set without SLUICE_BACKFILL_FROM; set both (or only FROM) to backfill, or neither to run" \
    ",\"code\":\"ERR_USAGE\""
  exit 64
fi

# Validate first so that a bad config stops the task with the validator's file:line:col
# messages and exit code 78 instead of a crash loop inside the worker.
status=0
"$node_bin" "$cli" validate --config "$config" >&2 || status=$?
if [ "$status" -ne 0 ]; then
  log error "configuration is invalid; fix the problems listed above and redeploy" \
    ",\"code\":\"ERR_CONFIG_INVALID\",\"config\":\"$(json_escape "$config")\",\"exitCode\":$status"
  exit "$status"
fi

# Build the command in the positional parameters (POSIX sh has no arrays).
if [ -n "$backfill_from" ]; then
  set -- backfill --from "$backfill_from"
  if [ -n "$backfill_to" ]; then set -- "$@" --to "$backfill_to"; fi
else
  set -- run
fi
set -- "$@" --config "$config"

# One --pipeline per id; spaces around ids and empty items ("a, b,,") are ignored.
if [ -n "${SLUICE_PIPELINES:-}" ]; then
  set -f
  old_ifs=$IFS
  IFS=,
  for id in $SLUICE_PIPELINES; do
    id=$(printf '%s' "$id" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')
    if [ -n "$id" ]; then set -- "$@" --pipeline "$id"; fi
  done
  IFS=$old_ifs
  set +f
fi

start "$@"
