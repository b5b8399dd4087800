"""NewsMTSC: both file layouts, the transfer job on a tiny BERT into a real sqlite store, and
a corpus classifier starting from the job's logged sentiment model (`init_from`)."""

from __future__ import annotations

import json
from pathlib import Path

import mlflow
import numpy as np
import pytest
from mlflow.tracking import MlflowClient

from armstance.corpus.newsmtsc import read_targets
from armstance.errors import DataError
from armstance.models.base import load_classifier
from armstance.models.transformer import TransformerClassifier, checkpoint_folder, init_source
from armstance.schema import SENTIMENTS, STANCES
from jobs import isolated_env, run_job


def at(sentence: str, mention: str, **fields) -> dict:
    """A target dict with the offsets of `mention`'s first occurrence in `sentence`."""
    start = sentence.index(mention)
    return {"from": start, "to": start + len(mention), "mention": mention, **fields}


# Invented sentences in both layouts.
FIRST = "Mayor Lind praised the nurses, and she thanked Senator Holt."
TRAIN_LINES = [
    {
        "primary_gid": "x_1",
        "sentence_normalized": FIRST,
        "targets": [
            at(FIRST, "Lind", polarity=6.0, further_mentions=[at(FIRST, "she")]),
            at(FIRST, "Senator Holt", polarity=4.0),
        ],
    },
    {
        "sentence_normalized": "Critics said Holt misled voters.",
        "targets": [at("Critics said Holt misled voters.", "Holt", polarity=2.0)],
    },
]
RW_HF_LINES = [
    {"sentence": "Lind lost the vote.", "polarity": -1, **at("Lind lost the vote.", "Lind")},
    {"sentence": "Voters l\u00f6ve Holt.", "polarity": 1, **at("Voters l\u00f6ve Holt.", "Holt")},
]


def write(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in lines), encoding="utf-8")
    return path


def test_train_layout(tmp_path):
    units = read_targets(write(tmp_path / "train.jsonl", TRAIN_LINES))
    assert [u.sentiment for u in units] == ["positive", "neutral", "negative"]
    assert [u.actor for u in units] == ["Lind", "Senator Holt", "Holt"]
    assert units[0].text == "Mayor [[Lind]] praised the nurses, and [[she]] thanked Senator Holt."
    assert units[1].text == "Mayor Lind praised the nurses, and she thanked [[Senator Holt]]."
    # Targets of one sentence stay together in a document-level split.
    assert units[0].doc_id == units[1].doc_id != units[2].doc_id
    assert {u.lang for u in units} == {"en"}


def test_rw_hf_layout(tmp_path):
    units = read_targets(write(tmp_path / "dev.jsonl", RW_HF_LINES))
    assert [u.sentiment for u in units] == ["negative", "positive"]
    assert units[1].text == "Voters l\u00f6ve [[Holt]]."


@pytest.mark.parametrize(
    ("line", "field", "problem"),
    [
        ({**RW_HF_LINES[0], "polarity": 2.0}, "polarity", "not one of"),
        ({**RW_HF_LINES[0], "to": 40}, "from", "not a span"),
        ({**RW_HF_LINES[0], "mention": "Lund"}, "mention", "differs"),
        ({"text": "no layout"}, None, "neither"),
        (
            {
                "sentence_normalized": "Holt won.",
                "targets": [{"from": 0, "to": 4, "mention": "Holt"}],
            },
            "targets[0].polarity",
            "not one of",
        ),
    ],
)
def test_bad_lines_name_file_line_and_field(tmp_path, line, field, problem):
    path = write(tmp_path / "bad.jsonl", [RW_HF_LINES[1], line])
    with pytest.raises(DataError, match=problem) as err:
        read_targets(path)
    assert err.value.line == 2 and err.value.field == field
    assert str(path) in str(err.value)


@pytest.fixture(scope="module")
def transfer_run(tmp_path_factory, shared_dir) -> tuple[MlflowClient, str, Path]:
    """The NewsMTSC job on a tiny BERT: 48 training targets, 40 dev and test targets."""
    root = tmp_path_factory.mktemp("newsmtsc")
    env = isolated_env(root, shared_dir)
    run_job(
        "armstance.newsmtsc",
        root,
        env,
        "model=tiny_bert",
        "model.epochs=2",
        "model.max_train_samples=48",
        "newsmtsc.max_eval_samples=40",
        "newsmtsc.n_boot=50",
    )
    client = MlflowClient(env["MLFLOW_TRACKING_URI"])
    [run] = client.search_runs([client.get_experiment_by_name("newsmtsc").experiment_id])
    return client, run.info.run_id, root


@pytest.mark.slow
def test_transfer_run_logs_scores_reference_and_model(transfer_run):
    client, run_id, _ = transfer_run
    run = client.get_run(run_id)
    metrics, params, tags = run.data.metrics, run.data.params, run.data.tags
    for name in ("newsmtsc_dev_macro_f1", "newsmtsc_test_macro_f1"):
        assert 0 <= metrics[f"{name}_lo"] <= metrics[name] <= metrics[f"{name}_hi"] <= 1
    for name in ("transfer_oracle_sentiment_macro_f1", "transfer_dev_oracle_sentiment_macro_f1"):
        assert name in metrics and f"{name}_de" in metrics and f"{name}_lo" in metrics
    assert params["newsmtsc.reference.test_macro_f1"] == "0.831"
    assert params["n_dev_targets"] == params["n_test_targets"] == "40"
    assert "83.1" in tags["reference"] and tags["model"] == "tiny_bert"
    # One history row per epoch, selected on the NewsMTSC dev set.
    history = client.get_metric_history(run_id, "newsmtsc_val_macro_f1")
    assert [m.step for m in history] == [1, 2]
    assert tags["init_from_uri"] == f"runs:/{run_id}/sentiment_model"


@pytest.mark.slow
def test_corpus_model_starts_from_the_logged_sentiment_model(transfer_run, monkeypatch, tmp_path):
    client, run_id, root = transfer_run
    monkeypatch.setenv("ARMSTANCE_CACHE", str(tmp_path / "cache"))
    mlflow.set_tracking_uri(client.tracking_uri)
    uri = f"runs:/{run_id}/sentiment_model"
    newsmtsc_model = load_classifier(checkpoint_folder(uri).parent)
    units = read_targets(write(tmp_path / "dev.jsonl", RW_HF_LINES * 4))
    y = [u.sentiment for u in units]
    frozen = {"epochs": 1, "lr": 0.0, "warmup_ratio": 0.0, "val_fraction": 0.0, "batch_size": 8}

    # lr 0: the fine-tuning changes nothing, so the start is exactly the logged model.
    sentiment = TransformerClassifier(SENTIMENTS, init_from={"sentiment": uri}, **frozen)
    sentiment.fit(units, y)
    np.testing.assert_allclose(
        sentiment.predict_proba(units), newsmtsc_model.predict_proba(units), atol=1e-5
    )
    # Other labels: the encoder carries over, the head starts afresh.
    stance = TransformerClassifier(STANCES, init_from=uri, **frozen).fit(units, ["none"] * 8)
    for name, value in newsmtsc_model.model.state_dict().items():
        same = np.allclose(value.numpy(), stance.model.state_dict()[name].numpy())
        assert same == name.startswith("bert."), name
    assert not (root / "mlruns").exists()


def test_init_from_mapping_names_tasks():
    assert init_source({"sentiment": "ckpt"}, SENTIMENTS) == "ckpt"
    assert init_source({"sentiment": "ckpt"}, STANCES) is None  # stance: base weights
    assert init_source("ckpt", STANCES) == "ckpt"
    with pytest.raises(ValueError, match="unknown task"):
        init_source({"sentimnet": "ckpt"}, SENTIMENTS)
