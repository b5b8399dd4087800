"""A model logged by an earlier armstance (tests/fixtures/logged_model.tar.gz, written by
tests/fixtures/make_logged_model.py before the package's modules moved) loads and predicts
exactly as it did, in a process that has already imported the current package: the import
paths a logged model stores stay valid."""

from __future__ import annotations

import json
import sys
import tarfile
from pathlib import Path

import mlflow
import pandas as pd
import pytest

import armstance.jobs.train
import armstance.pipeline
from armstance.cli import main
from armstance.prediction.model_uri import load_pipeline

# Loads and runs an earlier version's model in a fresh process.
pytestmark = pytest.mark.slow

ARCHIVE = Path(__file__).parent / "fixtures" / "logged_model.tar.gz"
PACKAGE = Path(armstance.pipeline.__file__).resolve().parent


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("logged")
    with tarfile.open(ARCHIVE) as archive:
        archive.extractall(root, filter="data")
    return root / "model"


def expected(model: Path) -> dict:
    return json.loads((model / "expected.json").read_text(encoding="utf-8"))


def same_predictions(got: list[dict], want: list[dict]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert [a["actor"] for a in g["actors"]] == [a["actor"] for a in w["actors"]]
        for a, b in zip(g["actors"], w["actors"], strict=True):
            assert (a["stance"], a["sentiment"], a["evidence"]) == (
                b["stance"],
                b["sentiment"],
                b["evidence"],
            )
            for key in ("stance_proba", "sentiment_proba"):
                assert a[key] == pytest.approx(b[key], abs=1e-6)


def test_the_old_model_loads_with_the_current_package(logged: Path):
    model = mlflow.pyfunc.load_model(str(logged))
    data = expected(logged)
    same_predictions(model.predict(pd.DataFrame(data["inputs"])), data["predictions"])
    # The model's own copy of the package (its `code/` folder) was not what ran.
    for name in ("armstance.pipeline", "armstance.tracking.pyfunc", "armstance.models.ensemble"):
        assert Path(sys.modules[name].__file__).resolve().is_relative_to(PACKAGE), name


def test_the_old_model_loads_through_armstance_predict(logged: Path, tmp_path: Path, capsys):
    data = expected(logged)
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps(d) + "\n" for d in data["inputs"]), encoding="utf-8")
    output = tmp_path / "out.jsonl"
    assert (
        main(["predict", "--model", str(logged), "--input", str(inputs), "--output", str(output)])
        == 0
    )
    got = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    same_predictions(got, data["predictions"])
    assert load_pipeline(str(logged)).decisions["sentiment"].weights == (1.2, 1.0, 0.9)
