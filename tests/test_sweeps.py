"""Real sweeps through the Hydra entry point into a sqlite store: the Optuna search, jobs in
parallel worker processes, and a sweep that fails. The majority model keeps each job cheap.
Also where a team's runs keep their artifacts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from mlflow.entities import Run
from mlflow.tracking import MlflowClient

from armstance.tracking.store import artifact_location
from jobs import CHEAP, isolated_env, run_sweep, sweep_runs

pytestmark = pytest.mark.slow


def sweep(store: Path, shared_dir: Path, *overrides: str) -> subprocess.CompletedProcess:
    return run_sweep(store, isolated_env(store, shared_dir), *overrides)


def sweep_runs_of(store: Path) -> tuple[MlflowClient, Run, list[Run]]:
    client = MlflowClient(f"sqlite:///{store}/mlruns.db")
    return client, *sweep_runs(client, "armstance")


def test_optuna_trials_are_children_of_one_finished_parent(tmp_path, shared_dir):
    done = sweep(
        tmp_path,
        shared_dir,
        "hparams_search=tfidf_optuna",
        *CHEAP,
        # The TF-IDF search space does not apply to the majority model: search another key.
        "hydra.sweeper.params=null",
        "units.max_sentences=range(1,50)",
        "hydra.sweeper.n_trials=2",
        "tracking.log_model=false",
    )
    assert done.returncode == 0, done.stderr[-4000:]
    client, parent, children = sweep_runs_of(tmp_path)
    assert parent.info.status == "FINISHED"
    assert len(children) == 2
    assert all(c.info.status == "FINISHED" for c in children)
    assert len({c.data.params["units.max_sentences"] for c in children}) == 2
    objectives = [c.data.metrics["cv_oracle_stance_f_avg"] for c in children]
    assert parent.data.metrics["best_value"] == max(objectives)
    artifacts = {a.path for a in client.list_artifacts(parent.info.run_id)}
    assert "optimization_results.yaml" in artifacts


def test_parallel_jobs_share_one_store_and_nest_under_the_parent(tmp_path, shared_dir):
    done = sweep(tmp_path, shared_dir, *CHEAP, "seed=1,2", "hydra/launcher=parallel")
    assert done.returncode == 0, done.stderr[-4000:]
    log = done.stdout + done.stderr
    assert "Joblib.Parallel(n_jobs=2" in log
    assert "database is locked" not in log
    _, parent, children = sweep_runs_of(tmp_path)
    assert parent.info.status == "FINISHED"
    assert sorted(c.data.tags["seed"] for c in children) == ["1", "2"]
    assert all(c.info.status == "FINISHED" for c in children)
    # Both jobs were open at the same time: they ran in two worker processes.
    first, second = sorted(children, key=lambda c: c.info.start_time)
    assert second.info.start_time < first.info.end_time


def test_failed_sweep_ends_its_parent_run_failed(tmp_path, shared_dir):
    done = sweep(tmp_path, shared_dir, *CHEAP, f"data.folds_path={tmp_path}/missing.json")
    assert done.returncode != 0
    assert "missing.json" in done.stderr
    _, parent, _ = sweep_runs_of(tmp_path)
    assert parent.info.status == "FAILED"


def test_artifacts_go_where_the_store_says(tmp_path):
    # A tracking server chooses (and proxies) the artifact store itself.
    assert artifact_location("http://mlflow.lab:5000", tmp_path, "armstance") is None
    assert artifact_location("https://mlflow.lab", tmp_path, "armstance") is None
    # A database reached directly needs an explicit root: a bucket or a local/shared path.
    assert (
        artifact_location("postgresql://u@db/mlflow", "s3://bucket/mlartifacts/", "armstance")
        == "s3://bucket/mlartifacts/armstance"
    )
    assert artifact_location(f"sqlite:///{tmp_path}/m.db", tmp_path / "art", "armstance") == (
        (tmp_path / "art" / "armstance").as_uri()
    )
