#!/usr/bin/env bash
# run.sh SERVICE... -- COMMAND...
# Installs the Debian packages the services need (only those missing), starts each service
# (scripts/services/SERVICE.sh) in a folder of its own under one temporary folder, runs
# COMMAND with the environment they provide, then stops them in reverse order and removes the
# folder, whether COMMAND passed, failed or was interrupted. Exits with COMMAND's status.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/services/lib.sh
source "$here/lib.sh"

services=()
while (($#)) && [[ $1 != -- ]]; do
  services+=("$1")
  shift
done
(($#)) && shift
if ((${#services[@]} == 0 || $# == 0)); then
  echo "usage: $0 SERVICE... -- COMMAND..." >&2
  exit 2
fi
if ((EUID != 0)); then
  log "needs root: it installs Debian packages and starts daemons as postgres, munge and root"
  exit 1
fi

install_missing() {
  local missing=() package
  for package in $(for s in "${services[@]}"; do "$here/$s.sh" packages; done); do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" ||
      missing+=("$package")
  done
  if ((${#missing[@]} == 0)); then
    log "Debian packages already installed"
    return
  fi
  log "installing ${missing[*]}"
  # Daemons are started here, not by the packages (a container has no init to start them).
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "${missing[@]}" >&2
}

state=$(mktemp -d /tmp/armstance-services.XXXXXX)
# The daemons' users (postgres, munge) must reach their folders inside.
chmod 755 "$state"
started=()

stop_all() {
  local status=$? i
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    "$here/${started[i]}.sh" stop "$state/${started[i]}" || log "could not stop ${started[i]}"
  done
  if ((status != 0)); then
    # The logs go with the folder: show their ends first.
    find "$state" -name '*.log' -exec tail -n 15 -v {} + >&2 2>/dev/null || true
  fi
  rm -rf "$state"
  log "services stopped"
  exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

install_missing
for s in "${services[@]}"; do
  mkdir "$state/$s"
  # Listed before it starts: a service that fails half-way is stopped as well.
  started+=("$s")
  "$here/$s.sh" start "$state/$s" >"$state/$s/env"
  set -a
  # shellcheck disable=SC1090 # written just above by the service's start
  source "$state/$s/env"
  set +a
done
# The command leads a process group of its own: an interruption ends it together with what
# it started (jobs, workers), then the services go.
setsid "$@" &
command=$!
trap 'kill -TERM -- "-$command" 2>/dev/null; wait "$command"; exit 130' INT TERM
wait "$command"
