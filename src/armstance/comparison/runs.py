"""Runs of the store a comparison reads: training runs, a run by id or experiment name,
and the out-of-fold predictions a run logged."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import mlflow
import pandas as pd
from mlflow.entities import Run
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from armstance.errors import CompareError
from armstance.jsonl import read_records
from armstance.paths import annotations_dir, folds_path
from armstance.schema import DocumentPrediction
from armstance.tracking.runs import fingerprint

RUN_ID = re.compile(r"[0-9a-f]{32}")


def predictions_artifact(mode: str) -> str:
    return f"cv_{mode}_predictions.jsonl"


def is_training_run(run: Run) -> bool:
    tags = run.data.tags
    kinds = ("evaluation", "agreement", "learning_curve", "analysis", "selection")
    return tags.get("sweep") != "parent" and tags.get("kind") not in kinds


def training_runs(client: MlflowClient, experiment_id: str) -> pd.DataFrame:
    """Finished training runs, newest first (sweep parents and evaluations left out)."""
    runs = client.search_runs(
        [experiment_id], "attributes.status = 'FINISHED'", order_by=["attributes.start_time DESC"]
    )
    rows = []
    for run in filter(is_training_run, runs):
        tags = run.data.tags
        rows.append(
            {
                "run_id": run.info.run_id,
                "tags.experiment": tags.get("experiment"),
                "tags.model": tags.get("model"),
                "tags.vocabulary": tags.get("vocabulary"),
                **{f"metrics.{k}": v for k, v in run.data.metrics.items()},
            }
        )
    return pd.DataFrame(rows)


def resolve_run(client: MlflowClient, experiment_id: str, ref: str) -> Run:
    """A run id, or an experiment name meaning that experiment's latest finished run."""
    if RUN_ID.fullmatch(ref):
        try:
            return client.get_run(ref)
        except MlflowException as exc:
            raise CompareError(f"no run with id {ref} in the store") from exc
    runs = client.search_runs(
        [experiment_id],
        f"tags.experiment = '{ref}' and attributes.status = 'FINISHED'",
        order_by=["attributes.start_time DESC"],
    )
    runs = [run for run in runs if is_training_run(run)]
    if not runs:
        raise CompareError(f"'{ref}' is neither a run id nor an experiment with a finished run")
    return runs[0]


def oof_predictions(run: Run, mode: str) -> list[DocumentPrediction]:
    """The run's out-of-fold predictions (`cv_{mode}_predictions.jsonl`)."""
    artifact = predictions_artifact(mode)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            path = mlflow.artifacts.download_artifacts(
                run_id=run.info.run_id, artifact_path=artifact, dst_path=tmp
            )
        except (MlflowException, OSError) as exc:
            raise CompareError(
                f"run {run.info.run_id} has no {artifact} (logged by runs with "
                "evaluation.cv=true" + (" and evaluation.e2e=true)" if mode == "e2e" else ")")
            ) from exc
        return [doc for _, doc in read_records(Path(path), DocumentPrediction)]


def current_fingerprint() -> str:
    return fingerprint([*annotations_dir().glob("*.jsonl"), folds_path()])


def run_label(run: Run) -> str:
    return f"{run.data.tags.get('experiment', '?')} ({run.info.run_id[:8]})"
