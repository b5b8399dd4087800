#!/usr/bin/env bash
# A single-node SLURM cluster on this machine (Debian's slurm-wlm 22.05 and munge): its own
# munged, slurm.conf, ports, state, spool and logs, all in DIR; daemons as root.
#   slurm.sh packages | start DIR | stop DIR
# `start` prints SLURM_CONF (what sbatch, squeue and scontrol read) and
# ARMSTANCE_TEST_SLURM_PARTITION.
set -euo pipefail
# shellcheck source=scripts/services/lib.sh
source "$(dirname "$0")/lib.sh"
partition=armstance
key=/etc/munge/munge.key

munge_answers() { munge -n -S "$1" | unmunge -S "$1"; }
node_idle() { [[ $(sinfo -h -p "$partition" -o %T) == idle ]]; }
no_jobs() { [[ -z $(squeue -h) ]]; }

start_munge() {
  local dir=$1
  if [[ ! -s $key ]]; then
    install -d -o munge -g munge -m 700 "$(dirname "$key")"
    runuser -u munge -- mungekey --create --keyfile="$key"
  fi
  # munged refuses a socket folder that others cannot traverse.
  install -d -o munge -g munge -m 755 "$dir/munge"
  runuser -u munge -- munged --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
    --seed-file="$dir/munge/munged.seed"
  wait_until 10 munged munge_answers "$dir/munge/munge.socket"
}

# The node line is what `slurmd -C` finds on this machine (CPUs, sockets, cores, memory).
write_conf() {
  local dir=$1 host node
  host=$(hostname -s)
  node=$(slurmd -C | head -n 1)
  cat >"$dir/slurm.conf" <<CONF
ClusterName=armstance-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
# No cgroups (22.05 cannot switch its cgroup plugin off): processes are tracked through /proc.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=$partition Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
  local dir=$1
  mkdir -p "$dir/state" "$dir/spool"
  start_munge "$dir"
  write_conf "$dir"
  export SLURM_CONF=$dir/slurm.conf
  slurmctld
  slurmd
  wait_until 60 "an idle node" node_idle
  log "slurm partition $partition ($SLURM_CONF)"
  echo "SLURM_CONF=$SLURM_CONF"
  echo "ARMSTANCE_TEST_SLURM_PARTITION=$partition"
}

stop() {
  local dir=$1
  if [[ -s $dir/slurmctld.pid ]]; then
    # Jobs still queued or running would outlive slurmd (no cgroups to reap them).
    export SLURM_CONF=$dir/slurm.conf
    scancel --partition="$partition" 2>/dev/null || true
    wait_until 30 "jobs to end" no_jobs || true
  fi
  stop_pid "$dir/slurmd.pid"
  stop_pid "$dir/slurmctld.pid"
  stop_pid "$dir/munge/munged.pid"
}

case $1 in
  packages) echo slurm-wlm munge ;;
  start | stop) "$1" "$2" ;;
  *) echo "usage: $0 packages | start DIR | stop DIR" >&2; exit 2 ;;
esac
