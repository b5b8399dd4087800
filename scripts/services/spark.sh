#!/usr/bin/env bash
# Spark in local mode needs no daemon, only a Java runtime for the JVM that pyspark starts
# (Debian's default-jre-headless, installed by run.sh when missing). `start` checks that java
# runs and keeps Spark's scratch space in DIR.
#   spark.sh packages | start DIR | stop DIR
# `start` prints SPARK_LOCAL_DIRS and SPARK_LOCAL_IP (Spark binds to the loopback interface).
set -euo pipefail
# shellcheck source=scripts/services/lib.sh
source "$(dirname "$0")/lib.sh"

start() {
  local dir=$1
  mkdir -p "$dir/local"
  java -version >/dev/null 2>&1 || { log "java does not run"; return 1; }
  log "java for Spark: $(java -version 2>&1 | head -n 1)"
  echo "SPARK_LOCAL_DIRS=$dir/local"
  echo "SPARK_LOCAL_IP=127.0.0.1"
}

case $1 in
  packages) echo default-jre-headless ;;
  start) start "$2" ;;
  stop) ;; # nothing runs between tests: each Spark session stops with its test
  *) echo "usage: $0 packages | start DIR | stop DIR" >&2; exit 2 ;;
esac
