"""Documents to predict on: `.txt` files, a folder of them, JSONL, Parquet, or standard input.

Problems with one document (no `text`, not UTF-8, a duplicate doc_id, an unknown `lang`)
become `InputProblem`s naming the file and line (a Parquet file: its row); the other
documents go on. The other fields of a JSONL or Parquet record (a date, an outlet, a party)
are kept beside each document, for the prediction table to pass through.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import ValidationError

from armstance.errors import validation_to_data_error
from armstance.schema import Document

TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".json")
PARQUET_SUFFIXES = (".parquet",)
SUFFIXES = TEXT_SUFFIXES + JSONL_SUFFIXES + PARQUET_SUFFIXES
# What the pipeline reads; every other field of a record is passed through.
DOCUMENT_FIELDS = ("doc_id", "lang", "text")


@dataclass(frozen=True)
class InputProblem:
    where: str  # file[:line]
    doc_id: str | None
    problem: str

    def __str__(self) -> str:
        who = f" (doc_id '{self.doc_id}')" if self.doc_id else ""
        return f"{self.where}{who}: {self.problem}"


@dataclass(frozen=True)
class Record:
    """A document and the other fields of the record it came from."""

    document: Document
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Inputs:
    documents: list[Document]
    problems: list[InputProblem]
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    """doc_id -> the record's fields but doc_id, lang and text (empty for .txt files)."""
    field_types: dict[str, pa.DataType] = field(default_factory=dict)
    """The Arrow type of each field a Parquet input declared."""


def _decode(data: bytes, where: str) -> str | InputProblem:
    if b"\x00" in data:
        return InputProblem(where, None, "binary file (NUL bytes), expected UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return InputProblem(where, None, f"not UTF-8 text (byte {exc.start}: {exc.reason})")


def _jsonl_documents(text: str, where: str) -> Iterable[Record | InputProblem]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputProblem(f"{where}:{number}", None, f"malformed JSON ({exc.msg})")
            continue
        yield _record(obj, where, number, f"{where}:{number}")


def _record(obj: object, where: str, number: int, here: str) -> Record | InputProblem:
    """One JSONL line or Parquet row as a document, or the problem that keeps it out."""
    if not isinstance(obj, dict) or obj.get("text") is None:
        return InputProblem(here, _doc_id(obj), "field 'text': missing (expected a string)")
    try:
        # Only what the pipeline reads is checked: any other field (a title, a date of any
        # type) is passed through as it is, never a reason to refuse the document.
        document = Document.model_validate({k: obj[k] for k in DOCUMENT_FIELDS if k in obj})
    except ValidationError as exc:
        error = validation_to_data_error(where, number, exc)
        return InputProblem(here, _doc_id(obj), f"field '{error.field}': {error.problem}")
    return Record(document, {k: v for k, v in obj.items() if k not in DOCUMENT_FIELDS})


def _parquet_documents(path: Path) -> Iterable[Record | InputProblem]:
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        yield InputProblem(str(path), None, f"not a readable Parquet file ({exc})")
        return
    for number, row in enumerate(table.to_pylist(), start=1):
        yield _record(row, str(path), number, f"{path}:row {number}")


def _doc_id(obj: object) -> str | None:
    return str(obj["doc_id"]) if isinstance(obj, dict) and "doc_id" in obj else None


def _file_documents(path: Path) -> Iterable[Record | InputProblem]:
    if path.suffix in PARQUET_SUFFIXES:
        yield from _parquet_documents(path)
        return
    decoded = _decode(path.read_bytes(), str(path))
    if isinstance(decoded, InputProblem):
        yield decoded
    elif path.suffix in JSONL_SUFFIXES:
        yield from _jsonl_documents(decoded, str(path))
    else:
        yield Record(Document(doc_id=path.stem, text=decoded))


def _parquet_types(paths: Iterable[Path]) -> dict[str, pa.DataType]:
    types: dict[str, pa.DataType] = {}
    for path in paths:
        if path.suffix in PARQUET_SUFFIXES:
            try:
                schema = pq.read_schema(path)
            except (pa.ArrowInvalid, OSError):
                continue  # reported by _parquet_documents
            for f in schema:
                if f.name not in DOCUMENT_FIELDS:
                    types.setdefault(f.name, f.type)
    return types


def _expand(paths: Iterable[str]) -> Iterable[Path | InputProblem]:
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES)
            if not found:
                yield InputProblem(name, None, "folder holds no .txt, .jsonl or .parquet files")
            yield from found
        elif path.is_file():
            yield path
        else:
            yield InputProblem(name, None, "no such file or folder")


def read_inputs(paths: Sequence[str]) -> Inputs:
    """Read documents from files/folders; '-' reads standard input (JSONL or plain text)."""
    items: list[Record | InputProblem] = []
    files: list[Path] = []
    for entry in _expand(p for p in paths if p != "-"):
        if isinstance(entry, InputProblem):
            items.append(entry)
        else:
            files.append(entry)
            items.extend(_file_documents(entry))
    if "-" in paths:
        decoded = _decode(sys.stdin.buffer.read(), "<stdin>")
        if isinstance(decoded, InputProblem):
            items.append(decoded)
        elif decoded.lstrip().startswith("{"):
            items.extend(_jsonl_documents(decoded, "<stdin>"))
        else:
            items.append(Record(Document(doc_id="stdin", text=decoded)))
    inputs = _deduplicate(items)
    inputs.field_types = _parquet_types(files)
    return inputs


def _deduplicate(items: list[Record | InputProblem]) -> Inputs:
    inputs = Inputs([], [])
    for item in items:
        if isinstance(item, InputProblem):
            inputs.problems.append(item)
        elif item.document.doc_id in inputs.fields:
            inputs.problems.append(
                InputProblem(
                    "input", item.document.doc_id, "duplicate doc_id: only the first is kept"
                )
            )
        else:
            inputs.fields[item.document.doc_id] = item.fields
            inputs.documents.append(item.document)
    return inputs
