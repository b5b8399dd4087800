"""The team set-up for real: a parallel sweep, then a registering run, through an `mlflow server`
on PostgreSQL that proxies the artifacts (services started by `make test-infra`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import mlflow
import pandas as pd
import psycopg
import pytest
from mlflow.tracking import MlflowClient

from armstance.tracking.registry import promote
from jobs import CHEAP, isolated_env, run_job, run_sweep, sweep_runs
from prerequisites import service

pytestmark = pytest.mark.infra

JOBS = 4
ALIAS = "champion"


@pytest.fixture
def server(tmp_path, shared_dir, monkeypatch) -> Iterator[tuple[MlflowClient, dict[str, str]]]:
    """A client of the team server, and the environment that points jobs at it; this process's
    MLflow points at it as well for the test (restored afterwards)."""
    uri = service("ARMSTANCE_TEST_MLFLOW_URI")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    yield MlflowClient(uri), isolated_env(tmp_path, shared_dir) | {"MLFLOW_TRACKING_URI": uri}
    mlflow.set_tracking_uri(previous)


def test_parallel_sweep_and_release_through_the_team_server(server, tmp_path):
    client, env = server
    # Names of their own: the same server may serve several test sessions.
    suffix = uuid.uuid4().hex[:8]
    experiment, model = f"team-{suffix}", f"armstance-{suffix}"
    names = (f"tracking.experiment_name={experiment}", f"tracking.registered_model_name={model}")
    # Asked to register, the sweep's children must still not do it.
    release = (*names, "tracking.register=true", f"tracking.alias={ALIAS}")

    seeds = ",".join(str(seed) for seed in range(1, JOBS + 1))
    done = run_sweep(
        tmp_path,
        env,
        *CHEAP,
        *release,
        f"seed={seeds}",
        "hydra/launcher=parallel",
        f"hydra.launcher.n_jobs={JOBS}",
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert f"Joblib.Parallel(n_jobs={JOBS}" in done.stdout + done.stderr

    parent, children = sweep_runs(client, experiment)
    assert parent.info.status == "FINISHED"
    assert sorted(c.data.tags["seed"] for c in children) == [str(s) for s in range(1, JOBS + 1)]
    assert all(c.info.status == "FINISHED" for c in children)
    metric_names = set(children[0].data.metrics)
    assert "cv_oracle_stance_f_avg" in metric_names
    for child in children:
        assert set(child.data.metrics) == metric_names
        for name in metric_names:
            assert len(client.get_metric_history(child.info.run_id, name)) == 1, name
    experiment_id = parent.info.experiment_id
    logged = client.search_logged_models([experiment_id])
    assert sorted(m.source_run_id for m in logged) == sorted(c.info.run_id for c in children)
    assert client.search_model_versions(f"name = '{model}'") == []

    # The alias starts on a sweep child's model (as `armstance compare --promote` puts it)...
    assert promote(client, children[0], name=model, alias=ALIAS) == "1"
    run_job("armstance.train", tmp_path / "release", env, *CHEAP, *release)
    # ...and the registering run moves it to the version it registers.
    swept = {parent.info.run_id, *(c.info.run_id for c in children)}
    (released,) = [r for r in client.search_runs([experiment_id]) if r.info.run_id not in swept]
    champion = client.get_model_version_by_alias(model, ALIAS)
    assert champion.version == "2"
    assert champion.run_id == released.info.run_id
    assert client.get_model_version(model, "1").run_id == children[0].info.run_id

    # Every logged model's files went through the server to its artifact destination, and the
    # champion loads back through it and predicts.
    destination = Path(service("ARMSTANCE_TEST_MLFLOW_ARTIFACTS"))
    for logged_model in client.search_logged_models([experiment_id]):
        assert list(destination.rglob(f"{logged_model.model_id}/artifacts/MLmodel")), logged_model
    pipeline = mlflow.pyfunc.load_model(f"models:/{model}@{ALIAS}")
    (record,) = pipeline.predict(pd.DataFrame([{"doc_id": "1", "text": "Berlin liefert Panzer."}]))
    assert record["actors"]

    # The server keeps the runs in PostgreSQL.
    with psycopg.connect(service("ARMSTANCE_TEST_POSTGRES_URI")) as db:
        (count,) = db.execute(
            "SELECT count(*) FROM runs WHERE experiment_id = %s", (int(experiment_id),)
        ).fetchone()
    assert count == 1 + JOBS + 1
