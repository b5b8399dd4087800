"""Hydra callback: a multirun sweep is one parent MLflow run with its jobs nested under it."""

from __future__ import annotations

import os

from hydra.experimental.callback import Callback
from mlflow.tracking import MlflowClient
from omegaconf import DictConfig

from armstance.tracking.store import use_store

PARENT_RUN_ENV = "ARMSTANCE_PARENT_RUN_ID"


def sweep_parent_run_id() -> str | None:
    return os.environ.get(PARENT_RUN_ENV)


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

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        run_id = os.environ.pop(PARENT_RUN_ENV, None)
        if run_id is not None:
            MlflowClient().set_terminated(run_id, "FINISHED")
