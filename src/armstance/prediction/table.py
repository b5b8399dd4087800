"""The flat prediction table: one row per (document, actor), the same for every engine.

Columns, in order: TABLE_SCHEMA's core (doc_id ... model_version), then every input field
but `text`, `doc_id` and `lang` (passed through as the input gave them), then `error`.
A document that could not be judged has one row with `error` set and no actor; a judged
document without actors has one row whose `actor` is null. No document is dropped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from armstance.errors import DocumentError
from armstance.jsonl import atomic_writer
from armstance.prediction.inputs import Inputs
from armstance.schema import SENTIMENTS, STANCES, DocumentPrediction

STANCE_COLUMNS = tuple(f"p_{label}" for label in STANCES)
SENTIMENT_COLUMNS = tuple(f"p_{label}" for label in SENTIMENTS)
_strings = pa.list_(pa.string())
TABLE_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("lang", pa.string()),
        ("actor", pa.string()),
        ("type", pa.string()),
        ("aliases", _strings),
        ("stance", pa.string()),
        *((name, pa.float64()) for name in STANCE_COLUMNS),
        ("sentiment", pa.string()),
        *((name, pa.float64()) for name in SENTIMENT_COLUMNS),
        ("evidence", _strings),
        ("model_uri", pa.string()),
        ("model_version", pa.string()),
    ]
)
ERROR = pa.field("error", pa.string())
RESERVED = frozenset([*TABLE_SCHEMA.names, ERROR.name, "text"])
PASSTHROUGH_PREFIX = "input_"


@dataclass(frozen=True)
class ModelRef:
    """Which model made the predictions: the URI as given and its registry version."""

    uri: str
    version: str | None


def passthrough_name(field: str) -> str:
    """The table column of an input field; a field named like a table column is prefixed."""
    return PASSTHROUGH_PREFIX + field if field in RESERVED else field


def result_rows(result: DocumentPrediction | DocumentError) -> list[dict[str, Any]]:
    """The core columns (no model, no passthrough) of one document's rows."""
    if isinstance(result, DocumentError):
        return [{"doc_id": result.doc_id, "error": result.problem}]
    if not result.actors:
        return [{"doc_id": result.doc_id, "lang": result.lang}]
    rows = []
    for judgement in result.actors:
        row = {
            "doc_id": result.doc_id,
            "lang": result.lang,
            "actor": judgement.actor,
            "type": judgement.type,
            "aliases": list(judgement.aliases),
            "stance": judgement.stance,
            "sentiment": judgement.sentiment,
            "evidence": list(judgement.evidence),
        }
        row |= {f"p_{k}": judgement.stance_proba[k] for k in STANCES}
        row |= {f"p_{k}": judgement.sentiment_proba[k] for k in SENTIMENTS}
        rows.append(row)
    return rows


def core_table(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Rows of core columns and `error` as a table of TABLE_SCHEMA's types (model empty)."""
    schema = pa.schema([*TABLE_SCHEMA, ERROR])
    return pa.Table.from_pylist([dict(r) for r in rows], schema=schema)


def _passthrough_array(values: list[Any], given: pa.DataType | None) -> pa.Array:
    """A column of input values: of the input's Arrow type when it had one (Parquet),
    else as Arrow infers it from the values; values of mixed kinds (a number here, a
    string there) are written as JSON text, so that no value is lost."""
    if given is not None:
        return pa.array(values, type=given)
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(
            [
                v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                for v in values
            ],
            type=pa.string(),
        )


def assemble(
    core: pa.Table,
    model: ModelRef,
    extras: Sequence[Mapping[str, Any] | None],
    extra_types: Mapping[str, pa.DataType] | None = None,
) -> pa.Table:
    """The final table: `core` (core columns and `error`, one row per entry of `extras`,
    which holds that row's input fields or None) with the model and passthrough columns."""
    if len(extras) != core.num_rows:
        raise ValueError(f"{len(extras)} passthrough entries for {core.num_rows} rows")
    n = core.num_rows
    columns = {name: core.column(name) for name in TABLE_SCHEMA.names if name in core.column_names}
    columns["model_uri"] = pa.array([model.uri] * n, pa.string())
    columns["model_version"] = pa.array([model.version] * n, pa.string())
    fields = list(dict.fromkeys(k for e in extras if e for k in e))
    types = extra_types or {}
    passthrough = {
        passthrough_name(f): _passthrough_array([(e or {}).get(f) for e in extras], types.get(f))
        for f in fields
    }
    arrays = [columns[name] for name in TABLE_SCHEMA.names]
    schema = pa.schema([*TABLE_SCHEMA, *(pa.field(k, a.type) for k, a in passthrough.items())])
    schema = schema.append(ERROR)
    return pa.Table.from_arrays(
        [*arrays, *passthrough.values(), core.column("error")], schema=schema
    )


def write_table(table: pa.Table, path: str | Path) -> None:
    """Write the table as one Parquet file, atomically (a temporary file renamed)."""
    with atomic_writer(path, "wb") as fh:
        pq.write_table(table, fh)


def prediction_table(core: pa.Table, inputs: Inputs, model: ModelRef) -> pa.Table:
    """The table of an engine's core rows (the judged documents, in input order) followed
    by one error row per input problem, with the model and passthrough columns."""
    problems = core_table([{"doc_id": p.doc_id, "error": str(p)} for p in inputs.problems])
    # Problem rows pass nothing through: a duplicate's doc_id names another record.
    extras = [inputs.fields.get(d) for d in core.column("doc_id").to_pylist()]
    extras += [None] * problems.num_rows
    return assemble(pa.concat_tables([core, problems]), model, extras, inputs.field_types)
