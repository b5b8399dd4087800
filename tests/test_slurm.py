"""A sweep through SLURM for real: `hydra/launcher=slurm` submits its jobs with sbatch (submitit)
to the single-node cluster `make test-infra` starts; their runs reach the team server."""

from __future__ import annotations

import subprocess
import uuid

import pytest
from mlflow.tracking import MlflowClient

from jobs import CHEAP, isolated_env, run_sweep, sweep_runs
from prerequisites import service

pytestmark = pytest.mark.infra

JOBS = 2


def job_fields(job_id: str) -> dict[str, str]:
    """What the controller says about a job (`scontrol show job`, one line of KEY=VALUE)."""
    shown = subprocess.run(
        ["scontrol", "--oneliner", "show", "job", job_id],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(field.split("=", 1) for field in shown.split() if "=" in field)


def test_slurm_sweep_lands_under_one_parent(tmp_path, shared_dir):
    uri = service("ARMSTANCE_TEST_MLFLOW_URI")
    partition = service("ARMSTANCE_TEST_SLURM_PARTITION")
    service("SLURM_CONF")
    experiment = f"slurm-{uuid.uuid4().hex[:8]}"
    env = isolated_env(tmp_path, shared_dir) | {"MLFLOW_TRACKING_URI": uri}
    done = run_sweep(
        tmp_path,
        env,
        *CHEAP,
        f"tracking.experiment_name={experiment}",
        f"seed={','.join(str(seed) for seed in range(1, JOBS + 1))}",
        "hydra/launcher=slurm",
        # The test cluster: one CPU-only node of the machine.
        f"hydra.launcher.partition={partition}",
        "hydra.launcher.gpus_per_node=null",
        "hydra.launcher.cpus_per_task=1",
        "hydra.launcher.mem_gb=2",
        "hydra.launcher.timeout_min=10",
    )
    assert done.returncode == 0, done.stderr[-4000:]

    parent, children = sweep_runs(MlflowClient(uri), experiment)
    assert parent.info.status == "FINISHED"
    assert sorted(c.data.tags["seed"] for c in children) == [str(s) for s in range(1, JOBS + 1)]
    assert all(c.info.status == "FINISHED" for c in children)
    # Each run was one SLURM job of the partition, which ended well.
    job_ids = {c.data.tags["slurm_job_id"] for c in children}
    assert len(job_ids) == JOBS
    for job_id in job_ids:
        fields = job_fields(job_id)
        assert fields["JobState"] == "COMPLETED", fields
        assert fields["Partition"] == partition
