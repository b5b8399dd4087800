"""Hydra callback: a multirun sweep is one parent MLflow run with its jobs nested under it."""

from __future__ import annotations

import atexit
import os
from pathlib import Path

from hydra.experimental.callback import Callback
from mlflow.tracking import MlflowClient
from omegaconf import DictConfig, OmegaConf

from armstance.tracking.store import use_store

PARENT_RUN_ENV = "ARMSTANCE_PARENT_RUN_ID"
# Written by the Optuna sweeper into the sweep directory once all trials are done.
OPTUNA_RESULTS = "optimization_results.yaml"


def sweep_parent_run_id() -> str | None:
    return os.environ.get(PARENT_RUN_ENV)


def _end_parent_run(status: str, owner_pid: int) -> None:
    # Forked workers inherit both the variable and this exit hook: only the sweep's own
    # process may end the parent run.
    if os.getpid() != owner_pid:
        return
    run_id = os.environ.pop(PARENT_RUN_ENV, None)
    if run_id is not None:
        MlflowClient().set_terminated(run_id, status)


class SweepParentRun(Callback):
    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        tracking = config.tracking
        experiment_id = use_store(tracking.uri, tracking.experiment_name, tracking.artifact_root)
        # HydraConfig is not set yet when a multirun starts: read the hydra node directly.
        experiment = config.hydra.runtime.choices.get("experiment") or "default"
        overrides = " ".join(config.hydra.overrides.task)
        run = MlflowClient().create_run(
            experiment_id,
            run_name=f"sweep:{experiment}",
            tags={"experiment": experiment, "sweep": "parent", "overrides": overrides},
        )
        # Jobs may run in other processes (joblib launcher): they find the parent here.
        os.environ[PARENT_RUN_ENV] = run.info.run_id
        # Hydra skips on_multirun_end when a job or the sweeper raises: the parent run must
        # not stay RUNNING then.
        atexit.register(_end_parent_run, "FAILED", os.getpid())

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        run_id = sweep_parent_run_id()
        results = Path(config.hydra.sweep.dir) / OPTUNA_RESULTS
        if run_id is not None and results.is_file():
            client = MlflowClient()
            client.log_artifact(run_id, str(results))
            best = OmegaConf.load(results).get("best_value")
            if best is not None:
                client.log_metric(run_id, "best_value", float(best))
        _end_parent_run("FINISHED", os.getpid())
