#!/usr/bin/env bash
# PostgreSQL 15 (Debian's) for a test MLflow server: a throwaway cluster run by the `postgres`
# user in DIR, listening on a free port of 127.0.0.1, with a database and role `mlflow`.
#   postgres.sh packages | start DIR | stop DIR
# `start` prints the environment it provides: ARMSTANCE_TEST_POSTGRES_URI.
set -euo pipefail
# shellcheck source=scripts/services/lib.sh
source "$(dirname "$0")/lib.sh"
bin=/usr/lib/postgresql/15/bin
as_postgres() { runuser -u postgres -- "$@"; }

start() {
  local dir=$1 port password
  port=$(free_port)
  password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  chown postgres: "$dir"
  # Connections over TCP need the password, as on a team's server.
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --auth-local=trust \
    --auth-host=scram-sha-256 >"$dir/initdb.log"
  # The socket sits in the cluster's own folder: no clash with a system cluster.
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir" start >&2
  as_postgres "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE mlflow LOGIN PASSWORD '$password'" -c "CREATE DATABASE mlflow OWNER mlflow"
  log "postgres on 127.0.0.1:$port ($dir)"
  echo "ARMSTANCE_TEST_POSTGRES_URI=postgresql://mlflow:$password@127.0.0.1:$port/mlflow"
}

stop() {
  [[ -f $1/data/postmaster.pid ]] || return 0
  as_postgres "$bin/pg_ctl" -D "$1/data" -m fast -w stop >&2
}

case $1 in
  packages) echo postgresql-15 ;;
  start | stop) "$1" "$2" ;;
  *) echo "usage: $0 packages | start DIR | stop DIR" >&2; exit 2 ;;
esac
