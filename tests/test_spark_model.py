"""The model Spark's workers run (prediction.spark_model), without Spark: saved from code
around a registered tiny model, it answers the armstance records as JSON strings, loads the
armstance model once per process and sets torch's threads."""

from __future__ import annotations

import json

import mlflow.pyfunc
import pandas as pd
import torch

from armstance.prediction import spark_model
from armstance.prediction.spark_engine import json_model
from armstance.tracking.frame_input import documents_from_frame
from armstance.tracking.pyfunc import result_record

pytest_plugins = ["fixtures_annotate"]


def test_json_records_load_once_and_answer_like_the_model(tmp_path, champion_store, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", champion_store)
    log = tmp_path / "loads"
    log.mkdir()
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(champion_store)
    try:
        path = json_model(
            "models:/armstance@champion", tmp_path, {"torch_threads": 1, "load_log": str(log)}
        )
    finally:
        mlflow.set_tracking_uri(previous)
    monkeypatch.setattr(spark_model, "_LOADED", {})
    threads = torch.get_num_threads()
    try:
        first = mlflow.pyfunc.load_model(str(path))
        second = mlflow.pyfunc.load_model(str(path))  # a second task in the same worker
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(threads)
    assert len(list(log.iterdir())) == 1
    frame = pd.DataFrame(
        [
            {"doc_id": "a", "text": "Berlin liefert weitere Panzer an die Ukraine.", "lang": "de"},
            {"doc_id": "b", "text": "   ", "lang": None},
        ]
    )
    answers = [json.loads(s) for s in second.predict(frame)]
    inner = first.unwrap_python_model().model.unwrap_python_model().pipeline
    expected = [result_record(r) for r in inner.predict(documents_from_frame(frame))]
    assert answers == json.loads(json.dumps(expected))
    assert answers[1] == {"doc_id": "b", "error": "empty or whitespace-only text"}
