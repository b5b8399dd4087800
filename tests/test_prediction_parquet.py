"""`armstance predict --output X.parquet`: the flat table, one row per (document, actor), from
a tiny registered model in a real sqlite store; JSONL output as before."""

from __future__ import annotations

import datetime
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from armstance.cli import main
from armstance.prediction.table import TABLE_SCHEMA
from predict_helpers import documents, write_inputs

pytest_plugins = ["fixtures_annotate"]
MODEL = "models:/armstance@champion"


@pytest.fixture
def store(champion_store, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", champion_store)
    return champion_store


def test_table_rows_errors_and_passthrough(tmp_path, store, capsys):
    source = write_inputs(tmp_path / "docs.jsonl", 12)
    out = tmp_path / "preds.parquet"
    assert main(["predict", "--model", MODEL, "--input", str(source), "--output", str(out)]) == 0
    assert "error rows" in capsys.readouterr().err
    table = pq.read_table(out)
    core = [*TABLE_SCHEMA.names]
    assert table.column_names == [*core, "date", "outlet", "party", "url", "error"]
    assert table.schema.field("aliases").type == pa.list_(pa.string())
    assert "text" not in table.column_names
    rows = table.to_pylist()
    docs = documents(12)
    # Every document has its rows, in input order, errors last; none is dropped.
    assert list(dict.fromkeys(r["doc_id"] for r in rows)) == [
        *(d["doc_id"] for d in docs),
        "blank",
        "no-text",
    ]
    by_doc: dict[str, list[dict]] = {}
    for row in rows:
        by_doc.setdefault(row["doc_id"], []).append(row)
    (blank,) = by_doc["blank"]
    assert blank["error"] == "empty or whitespace-only text" and blank["actor"] is None
    (bad,) = by_doc["no-text"]
    assert bad["error"].endswith("(doc_id 'no-text'): field 'text': missing (expected a string)")
    assert bad["outlet"] is None  # a problem row passes nothing through
    # doc-0005 holds no actor (its language detected): one row, actor null, no error.
    (empty,) = by_doc["doc-0005"]
    assert empty["actor"] is None and empty["error"] is None and empty["lang"] == "en"
    first = by_doc["doc-0000"][0]
    assert (first["actor"], first["stance"], first["model_uri"], first["model_version"]) == (
        "Germany",
        "favor",
        MODEL,
        "1",
    )
    assert first["p_favor"] + first["p_against"] + first["p_none"] == pytest.approx(1, abs=1e-5)
    assert first["aliases"] == ["Berlin"] and first["evidence"]
    for doc in docs:
        for row in by_doc[doc["doc_id"]]:
            assert (row["date"], row["outlet"], row["url"]) == (
                doc["date"],
                doc["outlet"],
                doc["url"],
            )


def test_parquet_input_keeps_its_column_types(tmp_path, store):
    docs = documents(4)
    for i, doc in enumerate(docs):
        doc["session"] = 20 + i
        doc["published"] = datetime.date(2023, 1, 1 + i)  # not a string: passed through
    source = tmp_path / "docs.parquet"
    pq.write_table(pa.Table.from_pylist(docs), source)
    out = tmp_path / "preds.parquet"
    assert main(["predict", "--model", MODEL, "--input", str(source), "--output", str(out)]) == 0
    table = pq.read_table(out)
    assert table.schema.field("session").type == pa.int64()
    assert table.schema.field("published").type == pa.date32()
    assert table.column("error").null_count == table.num_rows
    assert sorted(set(table.column("session").to_pylist())) == [20, 21, 22, 23]


def test_jsonl_output_keeps_its_format_and_skips_bad_records(tmp_path, store, capsys):
    source = write_inputs(tmp_path / "docs.jsonl", 3)
    out = tmp_path / "preds.jsonl"
    assert main(["predict", "--model", MODEL, "--input", str(source), "--output", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["doc_id"] for r in records] == ["doc-0000", "doc-0001", "doc-0002"]
    assert set(records[0]) == {"doc_id", "lang", "actors"}
    assert set(records[0]["actors"][0]) == {
        "actor", "type", "aliases", "stance", "sentiment", "evidence", "stance_proba",
        "sentiment_proba",
    }  # fmt: skip
    err = capsys.readouterr().err
    assert "skipped" in err and "2 skipped" in err


def test_spark_needs_a_parquet_output(tmp_path, store, capsys):
    source = write_inputs(tmp_path / "docs.jsonl", 1)
    args = ["predict", "--model", MODEL, "--input", str(source), "--engine", "spark"]
    assert main([*args, "--output", str(tmp_path / "p.jsonl")]) == 2
    assert "--engine spark writes a Parquet table" in capsys.readouterr().err
