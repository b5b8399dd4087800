"""Starting an entry point (`python -m armstance.…`) as a user would, into a store of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mlflow.entities import Run
from mlflow.tracking import MlflowClient

# The cheapest real job: the majority model, no end-to-end scoring, no bootstrap.
CHEAP = ("experiment=majority", "evaluation.e2e=false", "evaluation.n_boot=0")


def isolated_env(root: Path, shared_dir: Path) -> dict[str, str]:
    """Offline environment whose store points into the test's folder, with the data mirror; the
    cache is the session's (conftest.session_cache)."""
    return {
        **os.environ,
        "MLFLOW_TRACKING_URI": f"sqlite:///{root / 'mlruns.db'}",
        "ARMSTANCE_DATA_MIRROR": str(shared_dir / "data" / "sources"),
        "HF_HUB_OFFLINE": "1",
    }


class Job:
    """`python -m MODULE` running in the background, its output in `root/job.log`."""

    def __init__(self, module: str, root: Path, env: dict[str, str], *overrides: str) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.log = root / "job.log"
        # A file, not a pipe: a job that is not being read yet must not block on its output.
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    module,
                    *overrides,
                    f"tracking.artifact_root={root / 'artifacts'}",
                    f"hydra.run.dir={root / 'hydra'}",
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait(self) -> None:
        """Fail loudly, with the end of its output, unless the job succeeded."""
        returncode = self.process.wait(timeout=600)
        assert returncode == 0, self.log.read_text()[-4000:]


def run_job(module: str, root: Path, env: dict[str, str], *overrides: str) -> None:
    """Run `python -m MODULE` with its artifacts and Hydra folder under `root`; fail loudly."""
    Job(module, root, env, *overrides).wait()


def run_sweep(root: Path, env: dict[str, str], *overrides: str) -> subprocess.CompletedProcess:
    """`python -m armstance.train --multirun ...` with its artifacts and sweep folder in `root`."""
    args = [
        sys.executable,
        "-m",
        "armstance.train",
        "--multirun",
        f"tracking.artifact_root={root}/artifacts",
        f"hydra.sweep.dir={root}/multirun",
        *overrides,
    ]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)


def sweep_runs(client: MlflowClient, experiment_name: str) -> tuple[Run, list[Run]]:
    """The experiment's single sweep parent and the runs nested under it; no run outside."""
    experiment_id = client.get_experiment_by_name(experiment_name).experiment_id
    parents = client.search_runs([experiment_id], "tags.sweep = 'parent'")
    assert len(parents) == 1
    children = client.search_runs(
        [experiment_id], f"tags.mlflow.parentRunId = '{parents[0].info.run_id}'"
    )
    assert len(client.search_runs([experiment_id])) == 1 + len(children), "unnested runs"
    return parents[0], children
