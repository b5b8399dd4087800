"""Correcting corpus stance shares for the model's errors (adjusted classify-and-count).

With M[i, j] = P(model says j | true stance i), estimated from the model's cross-validated
confusion of predicted actors (evaluation.confusion), the observed shares are
p_obs = M^T p_true. The adjusted shares solve that system (least squares through the
pseudo-inverse, so that a class never seen in the gold labels does not break it), are
clipped to [0, 1] and renormalised to sum to 1 (Forman 2008, "Quantifying counts and
costs via classification").

The matrix comes from `--confusion FILE` or from the MLflow run that logged the model:
its `cv_e2e_stance_confusion.json`, or, for a run logged before that artifact existed,
its `cv_e2e_predictions.jsonl` scored against the labelled corpus (which needs the corpus
fetched). Without either, the adjusted columns stay empty and the report says why.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

import numpy as np

from armstance.errors import CompareError, DataError
from armstance.evaluation.confusion import (
    ARTIFACT,
    Confusion,
    predicted_actor_confusion,
    read_confusion,
)


@dataclass(frozen=True)
class ConfusionLookup:
    confusion: Confusion | None
    note: str
    """Where the matrix came from, or why there is none."""


def adjust(observed: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Adjusted shares for each row of `observed` (..., 3): solve p_obs = M^T p_true."""
    solved = observed @ np.linalg.pinv(rates)
    clipped = np.clip(solved, 0.0, 1.0)
    totals = clipped.sum(axis=-1, keepdims=True)
    return np.divide(clipped, totals, out=np.full_like(clipped, np.nan), where=totals > 0)


def run_id_of(model_uri: str, model_version: str | None) -> str | None:
    """The run that logged the model of a runs:/ or models:/ URI (None for a path)."""
    from mlflow.tracking import MlflowClient

    if model_uri.startswith("runs:/"):
        return model_uri.removeprefix("runs:/").split("/", 1)[0]
    if not model_uri.startswith("models:/"):
        return None
    client = MlflowClient()
    name = model_uri.removeprefix("models:/").split("/", 1)[0].split("@", 1)[0]
    if model_version is not None:
        return client.get_model_version(name, model_version).run_id
    rest = model_uri.removeprefix("models:/")
    if "@" in rest:
        return client.get_model_version_by_alias(name, rest.split("@", 1)[1]).run_id
    return client.get_model_version(name, rest.split("/", 1)[1]).run_id


def _from_run(run_id: str) -> Confusion:
    import os

    import mlflow
    from mlflow.exceptions import MlflowException

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")

    with tempfile.TemporaryDirectory() as tmp:
        try:
            path = mlflow.artifacts.download_artifacts(
                run_id=run_id, artifact_path=ARTIFACT, dst_path=tmp
            )
            return read_confusion(path)
        except (MlflowException, OSError):
            pass  # a run logged before the artifact existed: score its CV predictions
    from armstance.comparison.runs import oof_predictions
    from armstance.corpus import load_gold

    run = mlflow.get_run(run_id)
    predictions = oof_predictions(run, "e2e")
    gold = [*load_gold("train"), *load_gold("dev")]
    return predicted_actor_confusion(gold, predictions, f"run {run_id}: cv_e2e_predictions")


def find_confusion(
    confusion_file: str | None, model_uri: str | None, model_version: str | None
) -> ConfusionLookup:
    if confusion_file:
        confusion = read_confusion(confusion_file)
        return ConfusionLookup(confusion, f"from {confusion_file}")
    if not model_uri:
        return ConfusionLookup(None, "no model URI in the predictions and no --confusion file")
    from mlflow.exceptions import MlflowException

    try:
        run_id = run_id_of(model_uri, model_version)
        if run_id is None:
            return ConfusionLookup(None, f"{model_uri} is not logged in MLflow (a local path)")
        confusion = _from_run(run_id)
    except (MlflowException, CompareError, DataError, OSError) as exc:
        return ConfusionLookup(None, f"no CV confusion matrix for {model_uri}: {exc}")
    return ConfusionLookup(confusion, f"{confusion.source} (model {model_uri})")
