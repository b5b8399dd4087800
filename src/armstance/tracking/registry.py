"""The model registry: register a logged model and point an alias (`champion`) at it."""

from __future__ import annotations

import mlflow
from mlflow.entities import Run
from mlflow.tracking import MlflowClient

from armstance.errors import CompareError

MODEL_NAME = "armstance"
ALIAS = "champion"


def register(model_uri: str, name: str, alias: str | None) -> str:
    """Register a logged model; point `alias` at the new version. Returns the version."""
    version = mlflow.register_model(model_uri, name).version
    if alias:
        MlflowClient().set_registered_model_alias(name, alias, version)
    return str(version)


def promote(client: MlflowClient, run: Run, name: str = MODEL_NAME, alias: str = ALIAS) -> str:
    """Point `name@alias` at the run's logged model, registering it first if needed.

    Returns the model version.
    """
    outputs = run.outputs.model_outputs if run.outputs else []
    if not outputs:
        raise CompareError(f"run {run.info.run_id} logged no model (tracking.log_model=false?)")
    model_ids = {o.model_id for o in outputs}
    versions = [
        v
        for v in client.search_model_versions(f"name = '{name}'")
        if v.run_id == run.info.run_id or getattr(v, "model_id", None) in model_ids
    ]
    if versions:
        version = max(versions, key=lambda v: int(v.version)).version
    else:
        version = mlflow.register_model(f"runs:/{run.info.run_id}/model", name).version
    client.set_registered_model_alias(name, alias, str(version))
    return str(version)
