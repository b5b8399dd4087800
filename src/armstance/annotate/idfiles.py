"""Files of doc_ids: what `select` and `sample` write and what `export` reads.

JSONL (one object a line) or CSV (with a header), chosen by the file's suffix; a plain
text file of one doc_id a line is read too. Writes are atomic.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from armstance.errors import DataError
from armstance.jsonl import atomic_writer, dumps, iter_json_lines


def write_rows(path: Path, rows: Sequence[dict]) -> None:
    if Path(path).suffix == ".csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["doc_id"])
        writer.writeheader()
        writer.writerows(rows)
        with atomic_writer(path) as fh:
            fh.write(buffer.getvalue())
    else:
        with atomic_writer(path) as fh:
            fh.writelines(dumps(row) + "\n" for row in rows)


def read_doc_ids(path: Path) -> list[str]:
    path = Path(path)
    if path.suffix == ".csv":
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if "doc_id" not in (reader.fieldnames or []):
                raise DataError(path, 1, "doc_id", "the CSV header has no doc_id column")
            return [row["doc_id"] for row in reader]
    if path.suffix in (".jsonl", ".json"):
        ids = []
        for line, obj in iter_json_lines(path):
            if not isinstance(obj.get("doc_id"), str):
                raise DataError(path, line, "doc_id", "missing (expected a string)")
            ids.append(obj["doc_id"])
        return ids
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
