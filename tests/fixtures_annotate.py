"""A small project for the annotation loop: the invented sources of `annotate_helpers`
rebuilt under a project root, and a tiny fitted champion in a real sqlite MLflow registry.

Test modules load this as a plugin (`pytest_plugins = ["fixtures_annotate"]`).
"""

from __future__ import annotations

from pathlib import Path

import mlflow
import pytest
from omegaconf import OmegaConf

from annotate_helpers import MODEL, Project, briefings, gold_doc, speeches, write_jsonl
from armstance.actors.extractor import ActorExtractor
from armstance.paths import project_root
from armstance.tracking.pyfunc import log_pipeline
from armstance.tracking.registry import register
from armstance.training.fit import fit_pipeline
from armstance.units import UnitBuilder


@pytest.fixture(scope="session")
def champion_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A sqlite registry whose `armstance@champion` is a tiny pipeline; returns its URI."""
    root = tmp_path_factory.mktemp("champion")
    uri = f"sqlite:///{root / 'mlruns.db'}"
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    pipeline = fit_pipeline(
        OmegaConf.create(MODEL), [gold_doc(i) for i in range(6)], UnitBuilder(), ActorExtractor()
    )
    experiment = mlflow.create_experiment("annotate", (root / "artifacts").as_uri())
    with mlflow.start_run(experiment_id=experiment):
        register(log_pipeline(pipeline, "# tiny"), "armstance", "champion")
    mlflow.set_tracking_uri(previous)
    return uri


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A project root (ARMSTANCE_HOME) with the two annotatable sources rebuilt."""
    root = tmp_path / "project"
    (root / "data" / "annotations").mkdir(parents=True)
    # Commands read the tracking config from the project's configs.
    (root / "configs").symlink_to(project_root() / "configs")
    write_jsonl(root / "data" / "raw" / "bundestag.jsonl", speeches())
    write_jsonl(root / "data" / "raw" / "whitehouse.jsonl", briefings())
    monkeypatch.setenv("ARMSTANCE_HOME", str(root))
    return Project(root)


@pytest.fixture
def champion(project: Project, champion_store: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The project with MLflow pointed at the champion's registry (restored afterwards)."""
    previous = mlflow.get_tracking_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", champion_store)
    yield champion_store
    mlflow.set_tracking_uri(previous)
