# shellcheck shell=bash
# Shared by the service scripts: sourced, not run.

log() { echo "[services $(date +%T)] $*" >&2; }

# A TCP port nobody listens on at the moment, on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_until [--alive PID] SECONDS WHAT COMMAND...: retry COMMAND every half second until it
# succeeds; give up after SECONDS, or as soon as process PID has died.
wait_until() {
  local pid=
  if [[ $1 == --alive ]]; then
    pid=$2
    shift 2
  fi
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      log "$what: the process exited"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "gave up waiting for $what"
      return 1
    fi
    sleep 0.5
  done
}

gone() { ! kill -0 -- "$1" 2>/dev/null; }

# stop_pid PIDFILE [group]: end the process a pid file names (with "group": the process group
# it leads, workers included) and wait until it is gone; SIGKILL after 30 s.
stop_pid() {
  local target
  [[ -s $1 ]] || return 0
  target=$(<"$1")
  [[ ${2:-} == group ]] && target=-$target
  kill -- "$target" 2>/dev/null || return 0
  wait_until 30 "$1 to exit" gone "$target" || kill -KILL -- "$target" 2>/dev/null || true
}
