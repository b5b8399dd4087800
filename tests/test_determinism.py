"""The default experiment, run twice with the same seed through the Hydra entry point, logs the
same figures: everything but what measures time."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlflow.entities import Run
from mlflow.tracking import MlflowClient

from jobs import Job, isolated_env

pytestmark = pytest.mark.slow

# Cheap: few training documents, a small bootstrap, no registration, and no cross-validation
# (its folds fit and score with the same code as the dev split, five times over: a minute more).
# Training, oracle and end-to-end scoring with intervals and the logged model all still run.
REDUCED = (
    "data.max_train_docs=12",
    "evaluation.n_boot=20",
    "evaluation.cv=false",
    "tracking.register=false",
)
TIMED = ("_seconds", "_per_second")


def only_run(root: Path) -> Run:
    client = MlflowClient(f"sqlite:///{root / 'mlruns.db'}")
    (run,) = client.search_runs([client.get_experiment_by_name("armstance").experiment_id])
    return run


def test_same_seed_same_metrics(tmp_path, shared_dir):
    roots = [tmp_path / "first", tmp_path / "second"]
    # Different string hashing in each process: an outcome that hangs on the iteration order
    # of a set or dict of strings shows up as a difference instead of passing by chance.
    jobs = [
        Job(
            "armstance.train",
            root,
            isolated_env(root, shared_dir) | {"PYTHONHASHSEED": seed},
            *REDUCED,
        )
        for root, seed in zip(roots, ("1", "2"), strict=True)
    ]
    for job in jobs:
        job.wait()
    first, second = (only_run(root) for root in roots)
    assert first.data.tags["model"] == second.data.tags["model"] == "tfidf_mention_avg"
    untimed = [
        {name: value for name, value in run.data.metrics.items() if not name.endswith(TIMED)}
        for run in (first, second)
    ]
    assert "dev_e2e_stance_f_avg_lo" in untimed[0]
    assert untimed[0] == untimed[1]
