#!/usr/bin/env bash
# An `mlflow server` on the PostgreSQL database of postgres.sh (ARMSTANCE_TEST_POSTGRES_URI),
# proxying artifacts to DIR/artifacts, on a free port of 127.0.0.1. `mlflow` (and psycopg2)
# come from the project's environment, first on PATH.
#   mlflow.sh packages | start DIR | stop DIR
# `start` prints ARMSTANCE_TEST_MLFLOW_URI and ARMSTANCE_TEST_MLFLOW_ARTIFACTS.
set -euo pipefail
# shellcheck source=scripts/services/lib.sh
source "$(dirname "$0")/lib.sh"

start() {
  local dir=$1 port
  port=$(free_port)
  mkdir -p "$dir/artifacts"
  # Its own process group (setsid), so that stop ends the workers with it. No job runner: the
  # project queues no server-side jobs, and its worker processes would crowd two cores.
  MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false setsid mlflow server --backend-store-uri "$ARMSTANCE_TEST_POSTGRES_URI" \
    --artifacts-destination "$dir/artifacts" --serve-artifacts \
    --host 127.0.0.1 --port "$port" --workers 2 >"$dir/mlflow.log" 2>&1 &
  echo $! >"$dir/mlflow.pid"
  # The first start creates the schema in PostgreSQL: allow for it.
  wait_until --alive $! 120 "mlflow server on port $port" \
    curl -sf "http://127.0.0.1:$port/health"
  log "mlflow server on http://127.0.0.1:$port, artifacts in $dir/artifacts"
  echo "ARMSTANCE_TEST_MLFLOW_URI=http://127.0.0.1:$port"
  echo "ARMSTANCE_TEST_MLFLOW_ARTIFACTS=$dir/artifacts"
}

case $1 in
  packages) ;; # nothing from Debian
  start) start "$2" ;;
  stop) stop_pid "$2/mlflow.pid" group ;;
  *) echo "usage: $0 packages | start DIR | stop DIR" >&2; exit 2 ;;
esac
