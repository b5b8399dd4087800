"""The main job end to end: the real Hydra entry point into a real sqlite MLflow store, the
registered champion loaded back as pyfunc, the command line and the HTTP server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from armstance.cli import main as cli
from armstance.prediction.model_uri import PICKLE_SWITCH
from armstance.prediction.serving import post_json, served

pytestmark = pytest.mark.slow

CHAMPION = "models:/armstance@champion"
OWN_TEXTS = [
    {
        "doc_id": "own-de",
        "lang": "de",
        "text": "Die Bundesregierung kündigte am Montag weitere Panzer für die Ukraine an. "
        "Der Kreml warnte Berlin vor neuen Waffenlieferungen.",
    },
    {
        "doc_id": "own-en",
        "text": "The Pentagon said the United States would send more artillery to Ukraine. "
        "Russia condemned the deliveries.",
    },
]


def train_env(store: Path) -> dict[str, str]:
    # The server execs `uvicorn` by name: the venv's bin must be on PATH.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, "PATH": path, "MLFLOW_TRACKING_URI": f"sqlite:///{store}/mlruns.db"}


def run_train(store: Path, *overrides: str, multirun: bool = False) -> subprocess.CompletedProcess:
    args = [
        sys.executable,
        "-m",
        "armstance.train",
        *(["--multirun"] if multirun else []),
        f"tracking.artifact_root={store}/artifacts",
        f"hydra.run.dir={store}/hydra",
        f"hydra.sweep.dir={store}/multirun",
        *overrides,
    ]
    done = subprocess.run(args, env=train_env(store), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    return done


# The README's main command with fewer training documents per fit, a smaller bootstrap and
# the cross-validation scored on the news alone (`cvall_*` left out): everything else
# (cross-validation, e2e scoring, registration) runs as it does there.
REDUCED = ("data.max_train_docs=12", "evaluation.n_boot=100", "evaluation.cvall=false")


@pytest.fixture(scope="module")
def store(tmp_path_factory, shared_dir) -> Path:
    """One run of the default experiment, registered as the champion."""
    os.environ.setdefault("ARMSTANCE_DATA_MIRROR", str(shared_dir / "data" / "sources"))
    root = tmp_path_factory.mktemp("store")
    run_train(root, *REDUCED)
    return root


@pytest.fixture(scope="module")
def client(store) -> MlflowClient:
    mlflow.set_tracking_uri(f"sqlite:///{store}/mlruns.db")
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{store}/mlruns.db"
    yield MlflowClient()
    os.environ.pop("MLFLOW_TRACKING_URI", None)


def latest_run(client: MlflowClient, filter_string: str = ""):
    experiment = client.get_experiment_by_name("armstance")
    return client.search_runs(
        [experiment.experiment_id], filter_string, order_by=["attributes.start_time DESC"]
    )[0]


def test_default_run_logs_metrics_tags_and_artifacts(client, store):
    run = latest_run(client)
    metrics, tags = run.data.metrics, run.data.tags
    for name in (
        "cv_oracle_stance_f_avg",
        "cv_oracle_stance_f_avg_lo",
        "cv_oracle_stance_f_avg_hi",
        "cv_oracle_stance_f_avg_sd",
        "cv_oracle_stance_f_avg_de",
        "cv_oracle_sentiment_macro_f1",
        "cv_e2e_stance_f_avg",
        "cv_e2e_stance_f_avg_sd",
        "cv_e2e_actor_recall",
        "dev_oracle_stance_f_avg",
        "dev_e2e_stance_f_avg",
        "dev_e2e_actor_precision",
        "dev_e2e_actor_recall",
    ):
        assert name in metrics, name
    assert metrics["cv_oracle_stance_f_avg_lo"] > 0
    lo, value, hi = (metrics[f"cv_oracle_stance_f_avg{s}"] for s in ("_lo", "", "_hi"))
    assert lo <= value <= hi
    assert tags["model"] == "tfidf_mention_avg"
    assert tags["experiment"] == "tfidf_mention_speaker_following"
    assert run.data.params["decision.actor_filter"] == "0.97"
    assert (run.data.params["units.speaker"], run.data.params["units.following"]) == ("True", "1")
    assert not any(name.startswith("cvall_") for name in metrics)  # evaluation.cvall=false
    assert tags["langs"] == "de,en" and tags["seed"] == "0" and tags["git_commit"]
    assert len(tags["dataset_fingerprint"]) == 64
    params = run.data.params
    assert params["model.members.tfidf.C"] == "0.3" and params["model.weights.mention"] == "0.7"
    assert params["data.collection_weights.stance.bundestag"] == "0.1"
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {
        "config.yaml",
        "MODEL_CARD.md",
        "cv_oracle_stance_confusion.png",
        "cv_oracle_sentiment_confusion.png",
        "cv_oracle_stance_report.txt",
        "cv_oracle_errors.json",
        "cv_oracle_predictions.jsonl",
        "cv_e2e_predictions.jsonl",
    } <= artifacts
    assert not (Path.cwd() / "mlruns").exists(), "artifacts must not land in ./mlruns"


def test_champion_alias_loads_as_pyfunc_and_predicts(client):
    version = client.get_model_version_by_alias("armstance", "champion")
    assert version.run_id == latest_run(client).info.run_id
    model = mlflow.pyfunc.load_model(CHAMPION)
    out = model.predict(pd.DataFrame(OWN_TEXTS))
    assert [r["doc_id"] for r in out] == ["own-de", "own-en"]
    assert out[1]["lang"] == "en"  # detected offline
    actors = {a["actor"]: a for a in out[0]["actors"]}
    assert {"Germany", "Russia", "Ukraine"} <= set(actors)
    germany = actors["Germany"]
    assert {"Die Bundesregierung", "Berlin"} <= set(germany["aliases"])
    assert abs(sum(germany["stance_proba"].values()) - 1) < 1e-4
    for evidence in germany["evidence"]:
        assert evidence in OWN_TEXTS[0]["text"]


def test_predict_cli_writes_jsonl_and_reports_bad_documents(client, tmp_path, capsys):
    docs = tmp_path / "docs.jsonl"
    lines = [json.dumps(d, ensure_ascii=False) for d in OWN_TEXTS]
    lines += [
        json.dumps({"doc_id": "no-text"}),
        json.dumps({"doc_id": "own-de", "text": "Ein Duplikat."}),
        json.dumps({"doc_id": "blank", "text": "   "}),
        json.dumps({"doc_id": "es", "text": "El gobierno español enviará más tanques a Ucrania."}),
    ]
    docs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "preds.jsonl"
    out.write_text("previous content\n")
    assert cli(["predict", "--model", CHAMPION, "--input", str(docs), "--output", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["doc_id"] for r in records] == ["own-de", "own-en"]
    err = capsys.readouterr().err
    assert "docs.jsonl:3 (doc_id 'no-text'): field 'text': missing" in err
    assert "duplicate doc_id" in err
    assert "'blank': empty or whitespace-only text" in err
    assert "the text is Spanish (es); armstance judges fr, en, de" in err
    assert "2 documents predicted, 4 skipped" in err


def test_predict_cli_table_on_text_files_and_folder(client, tmp_path, capsys):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(OWN_TEXTS[1]["text"], encoding="utf-8")
    (folder / "b.txt").write_bytes(b"\xff\xfe\x00binary")
    assert cli(["predict", "--model", CHAMPION, "--input", str(folder), "--format", "table"]) == 0
    captured = capsys.readouterr()
    assert "United States" in captured.out and "a (en)" in captured.out
    assert "b.txt: binary file" in captured.err


def test_predict_cli_unknown_model_is_a_clear_error(client, tmp_path, capsys):
    doc = tmp_path / "a.txt"
    doc.write_text("Berlin liefert Panzer.", encoding="utf-8")
    assert cli(["predict", "--model", str(tmp_path / "nope"), "--input", str(doc)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert cli(["predict", "--model", "models:/armstance/99", "--input", str(doc)]) == 2
    assert "cannot load model 'models:/armstance/99'" in capsys.readouterr().err


@pytest.fixture(scope="module")
def server(client, store) -> str:
    """The champion served over HTTP, with MLflow's pickle loading switched off."""
    with served(CHAMPION, {**train_env(store), PICKLE_SWITCH: "false"}) as url:
        yield url


def test_served_model_answers_invocations(server):
    status, answer = post_json(f"{server}/invocations", {"dataframe_records": OWN_TEXTS})
    assert status == 200, answer
    predictions = answer["predictions"]
    assert [p["doc_id"] for p in predictions] == ["own-de", "own-en"]
    direct = mlflow.pyfunc.load_model(CHAMPION).predict(pd.DataFrame(OWN_TEXTS))
    assert predictions == json.loads(json.dumps(direct))


@pytest.mark.parametrize(
    ("records", "named"),
    [
        ([{"doc_id": "1", "text": 5}], "record 1 (doc_id '1'): field 'text': expected a string"),
        ([OWN_TEXTS[1], {"doc_id": "2"}], "record 2 (doc_id '2'): field 'text': missing"),
        ([{"doc_id": "1"}], "missing inputs ['text']"),
        (
            [{"doc_id": "1", "text": "Berlin.", "lang": 3}],
            "field 'lang': expected one of fr, en, de",
        ),
        ([{"doc_id": "1", "text": "Madrid.", "lang": "es"}], "field 'lang': expected one of"),
        ([{"doc_id": 1, "text": "Berlin."}], "field 'doc_id': expected a non-empty string"),
    ],
)
def test_served_model_refuses_bad_records_naming_the_field(server, records, named):
    status, answer = post_json(f"{server}/invocations", {"dataframe_records": records})
    assert status == 400, answer
    assert answer["error_code"] == "INVALID_PARAMETER_VALUE"
    assert named in answer["message"]


def test_served_model_names_a_language_it_does_not_judge(server):
    record = {"doc_id": "zh", "text": "北京周一表示反对向乌克兰提供更多武器。"}
    status, answer = post_json(f"{server}/invocations", {"dataframe_records": [record]})
    assert status == 200, answer
    assert answer["predictions"] == [
        {"doc_id": "zh", "error": "the text is Chinese (zh); armstance judges fr, en, de"}
    ]


def test_evaluate_entry_point_scores_the_champion(client, store):
    args = [
        sys.executable,
        "-m",
        "armstance.evaluate",
        f"hydra.run.dir={store}/eval",
        f"tracking.artifact_root={store}/artifacts",
        "evaluation.n_boot=100",
    ]
    done = subprocess.run(args, env=train_env(store), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    run = latest_run(client, "tags.kind = 'evaluation'")
    trained = client.get_run(client.get_model_version_by_alias("armstance", "champion").run_id)
    for name in ("dev_oracle_stance_f_avg", "dev_e2e_stance_f_avg"):
        assert run.data.metrics[name] == pytest.approx(trained.data.metrics[name])


def test_sweep_is_one_parent_with_nested_children_that_never_register(client, store):
    before = len(client.search_model_versions("name='armstance'"))
    run_train(
        store,
        "experiment=majority",
        "seed=1,2",
        "evaluation.cv=false",
        "evaluation.e2e=false",
        "tracking.register=true",
        multirun=True,
    )
    parent = latest_run(client, "tags.sweep = 'parent'")
    children = client.search_runs(
        [parent.info.experiment_id], f"tags.mlflow.parentRunId = '{parent.info.run_id}'"
    )
    assert sorted(c.data.tags["seed"] for c in children) == ["1", "2"]
    assert parent.info.status == "FINISHED"
    assert len(client.search_model_versions("name='armstance'")) == before
    # Trained without e2e scoring, a logged model still extracts actors from raw articles.
    model = mlflow.pyfunc.load_model(f"runs:/{children[0].info.run_id}/model")
    [record] = model.predict(pd.DataFrame(OWN_TEXTS[:1]))
    assert record["actors"], record
