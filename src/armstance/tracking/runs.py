"""What every run logs: flattened config, config YAML, tags, dataset fingerprint, metrics."""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import mlflow
from omegaconf import DictConfig, OmegaConf

from armstance.paths import project_root

if TYPE_CHECKING:
    from armstance.pipeline import ArmstancePipeline

MAX_PARAM_CHARS = 500  # MLflow's limit on a parameter value


def flatten(cfg: DictConfig) -> dict[str, str]:
    out: dict[str, str] = {}

    def walk(node, prefix: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{prefix}{key}.")
        else:
            out[prefix[:-1]] = str(node)[:MAX_PARAM_CHARS]

    walk(OmegaConf.to_container(cfg, resolve=True), "")
    return out


def log_config(cfg: DictConfig) -> None:
    params = {k: v for k, v in flatten(cfg).items() if not k.startswith("paths.")}
    mlflow.log_params(params)
    mlflow.log_text(OmegaConf.to_yaml(cfg, resolve=True), "config.yaml")


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=project_root(),
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=project_root(),
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def fingerprint(paths: Iterable[Path]) -> str:
    """sha256 over the bytes of the files that define the labelled data."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def log_metrics(metrics: Mapping[str, float | None]) -> None:
    """Log the defined metrics; n/a ones (a class absent from gold and prediction) are listed
    in `metrics_na.json` rather than logged as 0."""
    defined = {k: float(v) for k, v in metrics.items() if v is not None and math.isfinite(v)}
    mlflow.log_metrics(defined)
    missing = sorted(k for k in metrics if k not in defined)
    if missing:
        mlflow.log_text(json.dumps(missing, indent=1), "metrics_na.json")


def log_history(prefix: str, history: Iterable[Mapping[str, float]]) -> None:
    """Per-epoch figures (`{"epoch": 1, "train_loss": ...}`) as `<prefix>_<name>` metrics
    stepped by epoch, so that the MLflow UI draws the curves."""
    for row in history:
        mlflow.log_metrics(
            {f"{prefix}_{k}": v for k, v in row.items() if k != "epoch"}, step=row["epoch"]
        )


def log_decisions(pipeline: ArmstancePipeline) -> None:
    """The class weights of the logged model's decision rules, as params."""
    mlflow.log_params(
        {
            f"decision_{task}_weight_{label}": round(weight, 4)
            for task, rule in pipeline.decisions.items()
            for label, weight in zip(rule.labels, rule.weights, strict=True)
        }
    )


def training_histories(classifier, name: str):
    """(name, per-epoch history) of a classifier trained in epochs, and of its parts (an
    ensemble's members, a calibrated model's base), named `<task>_<member>`."""
    if getattr(classifier, "history", None):
        yield name, classifier.history
    for member, part in getattr(classifier, "members", {}).items():
        yield from training_histories(part, f"{name}_{member}")
    if (base := getattr(classifier, "base", None)) is not None:
        yield from training_histories(base, name)


def log_training_history(pipeline: ArmstancePipeline) -> None:
    """Each epoch's figures (e.g. the training loss) of the logged model, by epoch, so the
    MLflow UI draws the curves."""
    for task, classifier in pipeline.classifiers.items():
        for name, history in training_histories(classifier, task):
            log_history(name, history)


def run_tags(cfg: DictConfig, experiment: str, langs: Sequence[str]) -> dict[str, str]:
    tags = {
        "model": cfg.model.name,
        "experiment": experiment,
        "langs": ",".join(sorted(langs)),
        "seed": str(cfg.seed),
        "git_commit": git_commit(),
    }
    if cfg.model.get("vocabulary"):
        tags["vocabulary"] = str(cfg.model.vocabulary)
    # A job on a SLURM cluster: its logs and accounting are found by this id.
    if os.environ.get("SLURM_JOB_ID"):
        tags["slurm_job_id"] = os.environ["SLURM_JOB_ID"]
    return tags


SELECTION_METRICS = ("nested_cv_", "transfer_")


def log_selection(experiment: str) -> dict[str, float]:
    """Into the active run: the outer-fold estimate, optimism and transfer figures of the
    latest selection run of `experiment` (`make select`), and its id as a tag, so the
    leaderboard shows the honest figure beside the run's own CV; returns them."""
    client = mlflow.tracking.MlflowClient()
    active = mlflow.active_run()
    runs = client.search_runs(
        [active.info.experiment_id],
        f"tags.kind = 'selection' and tags.experiment = '{experiment}'"
        " and attributes.status = 'FINISHED'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    if not runs:
        mlflow.set_tag("selection_run_id", "none in this store")
        return {}
    (selection,) = runs
    mlflow.set_tag("selection_run_id", selection.info.run_id)
    found = {k: v for k, v in selection.data.metrics.items() if k.startswith(SELECTION_METRICS)}
    log_metrics(found)
    return found
