"""Documents to predict on: `.txt` files, a folder of them, JSONL, or standard input.

Problems with one document (no `text`, not UTF-8, a duplicate doc_id, an unknown `lang`)
become `InputProblem`s naming the file and line; the other documents go on.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from armstance.errors import validation_to_data_error
from armstance.schema import Document

TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".json")


@dataclass(frozen=True)
class InputProblem:
    where: str  # file[:line]
    doc_id: str | None
    problem: str

    def __str__(self) -> str:
        who = f" (doc_id '{self.doc_id}')" if self.doc_id else ""
        return f"{self.where}{who}: {self.problem}"


@dataclass
class Inputs:
    documents: list[Document]
    problems: list[InputProblem]


def _decode(data: bytes, where: str) -> str | InputProblem:
    if b"\x00" in data:
        return InputProblem(where, None, "binary file (NUL bytes), expected UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return InputProblem(where, None, f"not UTF-8 text (byte {exc.start}: {exc.reason})")


def _jsonl_documents(text: str, where: str) -> Iterable[Document | InputProblem]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        here = f"{where}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputProblem(here, None, f"malformed JSON ({exc.msg})")
            continue
        if not isinstance(obj, dict) or "text" not in obj:
            yield InputProblem(here, _doc_id(obj), "field 'text': missing (expected a string)")
            continue
        try:
            yield Document.model_validate(obj)
        except ValidationError as exc:
            error = validation_to_data_error(where, number, exc)
            yield InputProblem(here, _doc_id(obj), f"field '{error.field}': {error.problem}")


def _doc_id(obj: object) -> str | None:
    return str(obj["doc_id"]) if isinstance(obj, dict) and "doc_id" in obj else None


def _file_documents(path: Path) -> Iterable[Document | InputProblem]:
    decoded = _decode(path.read_bytes(), str(path))
    if isinstance(decoded, InputProblem):
        yield decoded
    elif path.suffix in JSONL_SUFFIXES:
        yield from _jsonl_documents(decoded, str(path))
    else:
        yield Document(doc_id=path.stem, text=decoded)


def _expand(paths: Iterable[str]) -> Iterable[Path | InputProblem]:
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in TEXT_SUFFIXES + JSONL_SUFFIXES)
            if not found:
                yield InputProblem(name, None, "folder holds no .txt or .jsonl files")
            yield from found
        elif path.is_file():
            yield path
        else:
            yield InputProblem(name, None, "no such file or folder")


def read_inputs(paths: Sequence[str]) -> Inputs:
    """Read documents from files/folders; '-' reads standard input (JSONL or plain text)."""
    items: list[Document | InputProblem] = []
    for entry in _expand(p for p in paths if p != "-"):
        if isinstance(entry, InputProblem):
            items.append(entry)
        else:
            items.extend(_file_documents(entry))
    if "-" in paths:
        decoded = _decode(sys.stdin.buffer.read(), "<stdin>")
        if isinstance(decoded, InputProblem):
            items.append(decoded)
        elif decoded.lstrip().startswith("{"):
            items.extend(_jsonl_documents(decoded, "<stdin>"))
        else:
            items.append(Document(doc_id="stdin", text=decoded))
    return _deduplicate(items)


def _deduplicate(items: list[Document | InputProblem]) -> Inputs:
    documents, problems, seen = [], [], set()
    for item in items:
        if isinstance(item, InputProblem):
            problems.append(item)
        elif item.doc_id in seen:
            problems.append(
                InputProblem("input", item.doc_id, "duplicate doc_id: only the first is kept")
            )
        else:
            seen.add(item.doc_id)
            documents.append(item)
    return Inputs(documents, problems)
