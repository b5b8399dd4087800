"""The learning curve job: news cross-validation with growing, nested shares of another
collection added to the training folds, into one MLflow run."""

from __future__ import annotations

import json

import mlflow
import pytest
from mlflow.tracking import MlflowClient

from armstance.cli import main
from armstance.training.learning_curve import nested_draws
from jobs import isolated_env, run_job
from test_pipeline import gold_doc


def test_draws_are_seeded_and_nested():
    docs = [gold_doc(i).model_copy(update={"doc_id": f"bundestag-{i}"}) for i in range(10)]
    draws = nested_draws(docs, [0.3, 0.6, 1.0], seed=0)
    ids = {f: [d.doc_id for d in chosen] for f, chosen in draws.items()}
    assert [len(v) for v in ids.values()] == [3, 6, 10]
    assert ids[0.6][:3] == ids[0.3] and ids[1.0][:6] == ids[0.6]
    assert nested_draws(list(reversed(docs)), [0.3], seed=0)[0.3] == draws[0.3]
    assert [d.doc_id for d in nested_draws(docs, [0.3], seed=1)[0.3]] != ids[0.3]


@pytest.mark.slow
def test_curve_job_logs_points_table_and_plot(tmp_path, shared_dir, monkeypatch):
    env = isolated_env(tmp_path, shared_dir)
    run_job(
        "armstance.learning_curve",
        tmp_path,
        env,
        "experiment=majority",
        "evaluation.n_boot=0",
        "curve.collections=[whitehouse]",
        "curve.fractions=[0.5,1.0]",
    )
    mlflow.set_tracking_uri(env["MLFLOW_TRACKING_URI"])
    client = MlflowClient()
    experiment = client.get_experiment_by_name("armstance").experiment_id
    [run] = client.search_runs([experiment], "tags.kind = 'learning_curve'")
    local = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, dst_path=str(tmp_path))
    points = json.loads((tmp_path / "learning_curve.json").read_text())
    assert (tmp_path / "learning_curve.png").stat().st_size > 1000, local
    assert [(p["collection"], p["fraction"]) for p in points] == [
        ("news", 0.0),
        ("whitehouse", 0.5),
        ("whitehouse", 1.0),
    ]
    units = [p["units_added"] for p in points]
    assert units[0] == 0 < units[1] < units[2]
    # The majority model never predicts favor or against: F_avg 0 at every point.
    assert {p["cv_e2e_stance_f_avg"] for p in points} == {0.0}
    history = client.get_metric_history(run.info.run_id, "curve_whitehouse_cv_e2e_stance_f_avg")
    assert sorted(m.step for m in history) == units
    # The results page shows the curve: a table and the plot beside it.
    monkeypatch.setenv("MLFLOW_TRACKING_URI", env["MLFLOW_TRACKING_URI"])
    readme = tmp_path / "page" / "README.md"
    readme.parent.mkdir()
    assert main(["compare", "--markdown", str(readme), "--no-paired"]) == 0
    page = readme.read_text(encoding="utf-8")
    assert "## Learning curve" in page and "| whitehouse | 1.00 |" in page
    assert (readme.parent / "learning_curve.png").stat().st_size > 1000
