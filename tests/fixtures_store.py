"""A small real MLflow store, made once per session by the training entry point.

Test modules load this as a plugin (`pytest_plugins = ["fixtures_store"]`), so the
session-scoped store is shared between them.

Two majority runs (seeds 0 and 1), a TF-IDF run on a few training documents per fold, the
annotator-agreement run and a nested selection of the majority model (`armstance.jobs.select`
over one cheap knob): every kind of row the comparison tools read.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pytest


@dataclass(frozen=True)
class Store:
    uri: str
    root: Path
    env: dict[str, str]


def _command(store: Store, name: str, *overrides: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "armstance.train",
        *overrides,
        "tracking.register=false",
        f"tracking.artifact_root={store.root / 'artifacts'}",
        f"hydra.run.dir={store.root / 'hydra' / name}",
    ]


def _run_all(store: Store, commands: list[list[str]]) -> None:
    procs = [
        subprocess.Popen(c, env=store.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for c in commands
    ]
    for command, proc in zip(commands, procs, strict=True):
        out, _ = proc.communicate(timeout=600)
        if proc.returncode != 0:
            pytest.fail(f"{' '.join(command)} failed:\n{out.decode()[-3000:]}")


def build_store(root: Path, shared_dir: Path) -> Store:
    uri = f"sqlite:///{root / 'mlruns.db'}"
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": uri,
        "ARMSTANCE_DATA_MIRROR": str(shared_dir / "data" / "sources"),
        # Two processes share the cores: threaded BLAS would only make them fight.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }
    store = Store(uri, root, env)
    # The first run creates the experiment; the rest may then write side by side.
    _run_all(store, [_command(store, "majority0", "experiment=majority")])
    _run_all(
        store,
        [
            _command(store, "majority1", "experiment=majority", "seed=1"),
            _command(store, "tfidf", "experiment=tfidf_logreg", "data.max_train_docs=12"),
            [
                sys.executable,
                "-m",
                "armstance.cli",
                "agreement",
                "split:train,dev",
                "split:second_annotator",
                "--log",
            ],
            [
                *SELECT,
                f"hydra.run.dir={root / 'hydra' / 'select'}",
                f"tracking.artifact_root={root / 'artifacts'}",
            ],
        ],
    )
    return store


# The selection job end to end on the majority model: one knob whose values fit in no time.
SELECT = [
    sys.executable,
    "-m",
    "armstance.jobs.select",
    "experiment=majority",
    "select.write=false",
    "select.n_jobs=1",
    "evaluation.n_boot=50",
    "select.knobs=[{name: speech_weight, paths: [data.collection_weights.stance.bundestag],"
    " values: [0.1, 1.0]}]",
]


@pytest.fixture(scope="session")
def small_store(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    return build_store(tmp_path_factory.mktemp("store"), shared_dir)


@pytest.fixture
def in_store(small_store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The small store as this process's MLflow store (restored afterwards)."""
    previous = mlflow.get_tracking_uri()
    for key in ("MLFLOW_TRACKING_URI", "ARMSTANCE_DATA_MIRROR"):
        monkeypatch.setenv(key, small_store.env[key])
    mlflow.set_tracking_uri(small_store.uri)
    yield small_store
    mlflow.set_tracking_uri(previous)
