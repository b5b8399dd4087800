"""Predictions to analyse: the flat Parquet table of `armstance predict --output X.parquet`
or the JSONL records `armstance predict` writes, as one frame of judged actors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from armstance.errors import DataError
from armstance.jsonl import read_records
from armstance.prediction.table import TABLE_SCHEMA, core_table, result_rows
from armstance.schema import DocumentPrediction

ACTOR_COLUMNS = ("doc_id", "actor", "type", "stance", "p_favor", "p_against", "p_none")


@dataclass(frozen=True)
class Predictions:
    path: Path
    actors: pd.DataFrame
    """One row per judged (document, actor): the table's columns, passthrough included."""
    documents: pd.DataFrame
    """One row per judged document (with or without actors): doc_id and the passthrough."""
    n_errors: int
    """Documents the model could not judge (one error row each), left out of everything."""
    model_uri: str | None
    model_version: str | None

    @property
    def columns(self) -> list[str]:
        """Columns a table can be split by: everything but the model's own output."""
        own = set(TABLE_SCHEMA.names) | {"error"}
        return [c for c in self.documents.columns if c not in own]


def _read(path: Path) -> pa.Table:
    if not path.is_file():
        raise DataError(path, None, None, "no such predictions file")
    if path.suffix == ".parquet":
        try:
            table = pq.read_table(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise DataError(path, None, None, f"not a readable Parquet file ({exc})") from exc
        missing = [c for c in (*ACTOR_COLUMNS, "error") if c not in table.column_names]
        if missing:
            raise DataError(path, None, missing[0], "missing: not a prediction table")
        return table
    records = [record for _, record in read_records(path, DocumentPrediction)]
    return core_table([row for record in records for row in result_rows(record)])


def _single(frame: pd.DataFrame, column: str) -> str | None:
    if column not in frame:
        return None
    values = frame[column].dropna().unique()
    return str(values[0]) if len(values) == 1 else None


def load_predictions(path: str | Path) -> Predictions:
    """Read predictions; an empty file or one without any judged document is a DataError."""
    path = Path(path)
    frame = _read(path).to_pandas()
    if frame.empty:
        raise DataError(path, None, None, "holds no predictions")
    errors = frame["error"].notna()
    judged = frame[~errors]
    if judged.empty:
        raise DataError(path, None, "error", f"all {int(errors.sum())} documents are errors")
    if "model_uri" in frame and frame["model_uri"].dropna().nunique() > 1:
        raise DataError(path, None, "model_uri", "predictions of several models: analyse one")
    documents = judged.drop_duplicates("doc_id").drop(
        columns=[c for c in judged.columns if c in TABLE_SCHEMA.names and c != "doc_id"]
    )
    return Predictions(
        path=path,
        actors=judged[judged["actor"].notna()].reset_index(drop=True),
        documents=documents.drop(columns="error").reset_index(drop=True),
        n_errors=int(errors.sum()),
        model_uri=_single(frame, "model_uri"),
        model_version=_single(frame, "model_version"),
    )
