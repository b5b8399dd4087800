"""`armstance predict --engine spark` in a real Spark session (local[2]) against the single
process, over 240 invented documents, an empty text and a record without text, with a tiny
registered model: the same rows, labels, actors and columns, probabilities within 1e-6."""

from __future__ import annotations

import importlib.util
import re
import shutil

import pyarrow.parquet as pq
import pytest

from armstance.cli import main
from predict_helpers import write_inputs
from prerequisites import unavailable

pytestmark = pytest.mark.infra
pytest_plugins = ["fixtures_annotate"]
MODEL = "models:/armstance@champion"
DOCUMENTS = 240
PROBABILITIES = ("p_favor", "p_against", "p_none", "p_positive", "p_neutral", "p_negative")


@pytest.fixture
def spark_ready(champion_store, monkeypatch):
    if importlib.util.find_spec("pyspark") is None:
        unavailable("pyspark is not installed (requirements.lock pins it)")
    if shutil.which("java") is None:
        unavailable("no Java runtime: `make test-infra` installs default-jre-headless")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", champion_store)


def test_spark_gives_the_single_process_table(tmp_path, spark_ready, capsys):
    source = write_inputs(tmp_path / "docs.jsonl", DOCUMENTS)
    local, spark = tmp_path / "local.parquet", tmp_path / "spark.parquet"
    base = ["predict", "--model", MODEL, "--input", str(source), "--batch-size", "16"]
    assert main([*base, "--output", str(local)]) == 0
    capsys.readouterr()
    spark_args = ["--engine", "spark", "--master", "local[2]", "--partitions", "4"]
    assert main([*base, "--output", str(spark), *spark_args]) == 0
    err = capsys.readouterr().err
    # The workers' model is loaded once per Python worker process, however many tasks.
    loads = re.search(r"model loaded (\d+) times in (\d+) Python worker processes", err)
    assert loads is not None, err[-2000:]
    assert loads.group(1) == loads.group(2)

    expected, got = pq.read_table(local), pq.read_table(spark)
    assert got.schema == expected.schema
    assert "text" not in got.column_names
    assert {"date", "outlet", "party", "url"} <= set(got.column_names)
    assert got.num_rows == expected.num_rows > DOCUMENTS
    exact = [c for c in got.column_names if c not in PROBABILITIES]
    assert got.select(exact).to_pylist() == expected.select(exact).to_pylist()
    for column in PROBABILITIES:
        a, b = got.column(column).to_pylist(), expected.column(column).to_pylist()
        assert [x is None for x in a] == [y is None for y in b]
        assert max(abs(x - y) for x, y in zip(a, b, strict=True) if x is not None) <= 1e-6

    errors = {r["doc_id"]: r for r in got.to_pylist() if r["error"] is not None}
    assert set(errors) == {"blank", "no-text"}
    assert errors["blank"]["outlet"] == "Tagespost" and errors["blank"]["actor"] is None
    judged = {r["doc_id"] for r in got.to_pylist() if r["error"] is None}
    assert len(judged) == DOCUMENTS
