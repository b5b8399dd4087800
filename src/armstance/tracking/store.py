"""Which MLflow store and experiment a run writes to."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import mlflow
from mlflow.tracking import MlflowClient


def tracking_uri(configured: str) -> str:
    return os.environ.get("MLFLOW_TRACKING_URI") or configured


def _enable_wal(uri: str) -> None:
    """Parallel sweep jobs write to one sqlite file: WAL lets readers and a writer coexist."""
    if not uri.startswith("sqlite:///"):
        return
    path = Path(uri.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path, timeout=30) as conn:
        conn.execute("PRAGMA journal_mode=WAL")


def artifact_location(uri: str, artifact_root: str | Path, experiment_name: str) -> str | None:
    """Where a new experiment keeps its artifacts.

    A tracking server decides itself (`--artifacts-destination` / `--default-artifact-root`):
    a path of this machine would bypass it and be unreadable elsewhere. With a database store
    MLflow would otherwise put artifacts in ./mlruns under whatever the working directory is.
    """
    if uri.startswith(("http://", "https://")):
        return None
    root = str(artifact_root)
    if "://" in root:  # s3://, gs://, file:// ...
        return f"{root.rstrip('/')}/{experiment_name}"
    return (Path(root).resolve() / experiment_name).as_uri()


def use_store(uri: str, experiment_name: str, artifact_root: str | Path) -> str:
    """Point MLflow at the store; create the experiment with its artifact location.

    Returns the experiment id.
    """
    uri = tracking_uri(uri)
    _enable_wal(uri)
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(uri)
    experiment = client.get_experiment_by_name(experiment_name)
    if experiment is None:
        location = artifact_location(uri, artifact_root, experiment_name)
        experiment_id = client.create_experiment(experiment_name, location)
    else:
        experiment_id = experiment.experiment_id
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


def configured_tracking():
    """The project's tracking config, for commands that run outside a Hydra job."""
    from hydra import compose, initialize_config_dir

    from armstance.config import CONFIG_DIR, register_resolvers

    register_resolvers()
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        return compose("train").tracking


def use_configured_store() -> str:
    tracking = configured_tracking()
    return use_store(tracking.uri, tracking.experiment_name, tracking.artifact_root)


def use_configured_uri() -> None:
    """Read-only use (loading models): point MLflow at the store, create nothing."""
    mlflow.set_tracking_uri(tracking_uri(configured_tracking().uri))
