"""Logged models hold no pickle. For a TF-IDF, a calibrated, a tiny BERT and an ensemble
(TF-IDF with the frozen-e5 head) pipeline logged into a real sqlite store: no file of the
logged model unpickles, whatever its extension; the model loads and predicts with MLflow's
pickle loading switched off, in Python and through `armstance predict`; a part replaced by
one holding an untrusted type is refused."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import mlflow
import pandas as pd
import pytest
import skops.io as sio
import yaml
from omegaconf import OmegaConf
from sklearn.preprocessing import FunctionTransformer

from armstance.actors.extractor import ActorExtractor
from armstance.cli import main
from armstance.errors import ModelNotFoundError
from armstance.prediction.model_uri import PICKLE_SWITCH, load_pipeline
from armstance.tracking.pyfunc import log_pipeline
from armstance.training.fit import fit_pipeline
from armstance.units import UnitBuilder
from test_pipeline import gold_doc

# Trains and logs a model of every kind, then loads them in new processes.
pytestmark = pytest.mark.slow

TFIDF = {"name": "tfidf_logreg", "_target_": "armstance.models.tfidf_logreg.TfidfLogReg", "C": 10.0}
MODELS = {
    "tfidf": TFIDF,
    "calibrated": {**TFIDF, "calibration": "temperature"},
    "tiny_bert": {
        "name": "tiny_bert",
        "_target_": "armstance.models.transformer.TransformerClassifier",
        "model_name_or_path": "tiny-bert",
        "epochs": 1,
        "val_fraction": 0.0,
        "batch_size": 8,
        "max_length": 48,
    },
    "ensemble": {
        "name": "tfidf_e5_avg",
        "_target_": "armstance.models.ensemble.ProbabilityAverage",
        "_recursive_": False,
        "members": {
            "tfidf": TFIDF,
            "e5": {"_target_": "armstance.models.embedding_head.EmbeddingLogReg", "C": 10.0},
        },
        "weights": {"tfidf": 0.5, "e5": 0.5},
    },
}
# Where each model keeps its fitted state: the formats that replace pickles.
STATE_FILES = {
    "tfidf": ["stance/pipeline.skops", "stance/vocabulary.json"],
    "calibrated": ["stance/base/pipeline.skops", "stance/base/vocabulary.json"],
    "tiny_bert": ["stance/hf/model.safetensors", "stance/hf/config.json"],
    "ensemble": [
        "stance/members/tfidf/pipeline.skops",
        "stance/members/e5/head/weights.safetensors",
        "stance/members/e5/head/labels.json",
    ],
}
OWN_TEXT = {
    "doc_id": "own",
    "lang": "de",
    "text": "Berlin liefert weitere Panzer an die Ukraine. Moskau warnt vor Waffenlieferungen.",
}


def pickles_in(folder: Path) -> list[str]:
    """Files under `folder` that unpickle (any extension); the rest fail to."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            pickle.loads(path.read_bytes())
        except Exception:
            continue
        found.append(str(path.relative_to(folder)))
    return found


def log_model(name: str, root: Path) -> Path:
    """Fit `name` on invented documents, log it into a sqlite store under `root` and
    download the logged model."""
    pipeline = fit_pipeline(
        OmegaConf.create(MODELS[name]),
        [gold_doc(i) for i in range(6)],
        UnitBuilder(),
        ActorExtractor(),
    )
    mlflow.set_tracking_uri(f"sqlite:///{root}/mlruns.db")
    experiment = mlflow.create_experiment("t", (root / "artifacts").as_uri())
    with mlflow.start_run(experiment_id=experiment):
        uri = log_pipeline(pipeline, "# card")
    return Path(mlflow.artifacts.download_artifacts(uri, dst_path=str(root / "download")))


@pytest.fixture(scope="module")
def logged(tmp_path_factory) -> dict[str, Path]:
    """Each model of MODELS, logged and downloaded."""
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARMSTANCE_CACHE", str(cache))
        return {name: log_model(name, tmp_path_factory.mktemp(name)) for name in MODELS}


def test_the_pickle_finder_finds_pickles(tmp_path):
    (tmp_path / "model.json").write_bytes(pickle.dumps({"a": 1}))
    (tmp_path / "plain.json").write_text('{"a": 1}')
    assert pickles_in(tmp_path) == ["model.json"]


@pytest.mark.parametrize("name", MODELS)
def test_no_logged_file_unpickles(logged, name):
    local = logged[name]
    files = [p for p in local.rglob("*") if p.is_file()]
    assert len(files) > 20  # the model, its artifacts and the package's code
    assert pickles_in(local) == []
    for state in STATE_FILES[name]:
        assert (local / "artifacts" / "pipeline" / state).is_file(), state


@pytest.mark.parametrize("name", MODELS)
def test_model_is_logged_from_code_with_signature_and_example(logged, name):
    local = logged[name]
    flavor = yaml.safe_load((local / "MLmodel").read_text())["flavors"]["python_function"]
    assert flavor["loader_module"] == "mlflow.pyfunc.loaders.code_model"
    assert "python_model" not in flavor
    assert (local / Path(flavor["model_code_path"]).name).is_file()
    model = mlflow.pyfunc.load_model(str(local))
    assert model.metadata.get_input_schema().input_names() == ["doc_id", "text", "lang"]
    assert model.metadata.load_input_example(str(local)) is not None


@pytest.mark.parametrize("name", MODELS)
def test_loads_and_predicts_with_pickle_loading_switched_off(logged, name, monkeypatch):
    monkeypatch.setenv(PICKLE_SWITCH, "false")
    model = mlflow.pyfunc.load_model(str(logged[name]))
    [record] = model.predict(pd.DataFrame([OWN_TEXT]))
    assert {"Germany", "Russia"} <= {a["actor"] for a in record["actors"]}
    if name in ("tfidf", "ensemble"):  # those that learn these six documents
        stances = {a["actor"]: a["stance"] for a in record["actors"]}
        assert stances["Germany"] == "favor" and stances["Russia"] == "against"


def test_a_tampered_part_is_refused(logged, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(logged["tfidf"], copy)
    # What someone with write access to a shared registry could put there.
    sio.dump(FunctionTransformer(func=os.system), copy / "artifacts/pipeline/stance/pipeline.skops")
    with pytest.raises(ModelNotFoundError, match=r"pipeline\.skops: holds type\(s\).*system"):
        load_pipeline(str(copy))


def test_the_ensemble_predicts_through_the_command_line(logged, tmp_path, monkeypatch):
    monkeypatch.setenv(PICKLE_SWITCH, "false")
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(json.dumps(OWN_TEXT) + "\n", encoding="utf-8")
    model = str(logged["ensemble"])
    assert main(["predict", "--model", model, "--input", str(source), "--output", str(target)]) == 0
    [record] = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    stances = {a["actor"]: a["stance"] for a in record["actors"]}
    assert stances["Germany"] == "favor" and stances["Russia"] == "against"
    [from_python] = mlflow.pyfunc.load_model(model).predict(pd.DataFrame([OWN_TEXT]))
    assert record == from_python
