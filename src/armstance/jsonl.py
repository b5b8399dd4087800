"""JSON Lines reading with errors that name file, line and field; atomic writing of files
and folders."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TypeVar

from pydantic import BaseModel, ValidationError

from armstance.errors import DataError, validation_to_data_error

M = TypeVar("M", bound=BaseModel)


def iter_json_lines(path: str | Path) -> Iterator[tuple[int, dict]]:
    """Yield (line number, object) for each non-blank line; malformed JSON is a DataError."""
    with open(path, encoding="utf-8") as fh:
        try:
            for number, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise DataError(path, number, None, f"malformed JSON ({exc.msg})") from exc
                if not isinstance(obj, dict):
                    raise DataError(path, number, None, "expected a JSON object")
                yield number, obj
        except UnicodeDecodeError as exc:
            raise DataError(path, None, None, f"not UTF-8 ({exc.reason})") from exc


def read_records(path: str | Path, model: type[M]) -> list[tuple[int, M]]:
    """Validate each line of `path` as `model`; returns (line number, record) pairs."""
    out = []
    for number, obj in iter_json_lines(path):
        try:
            out.append((number, model.model_validate(obj)))
        except ValidationError as exc:
            raise validation_to_data_error(path, number, exc) from exc
    return out


@contextmanager
def atomic_writer(path: str | Path, mode: str = "w", *, durable: bool = True) -> Iterator[IO]:
    """Write to a temporary file beside `path` and rename it over `path` on success only.

    `durable=False` skips the fsync, for files that are verified whenever they are read.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        # mkstemp creates the file for its owner only; the result gets the permissions of a
        # file written in place (those of the file it replaces, or the umask's).
        os.fchmod(fd, _permissions(path))
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _permissions(path: Path) -> int:
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def dumps(obj: BaseModel | dict) -> str:
    data = obj.model_dump(mode="json", exclude_none=True) if isinstance(obj, BaseModel) else obj
    return json.dumps(data, ensure_ascii=False)


def write_jsonl(path: str | Path, records: Iterable[BaseModel | dict]) -> None:
    with atomic_writer(path) as fh:
        for record in records:
            fh.write(dumps(record) + "\n")


@contextmanager
def atomic_folder(path: str | Path, overwrite: bool = False) -> Iterator[Path]:
    """Fill a temporary folder beside `path`, then put it in place of `path` on success only:
    nothing half-written is ever at `path`. An existing `path` is refused unless `overwrite`
    (then replaced whole, once the new folder is complete)."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise DataError(path, None, None, "exists: name a new folder or pass --overwrite")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        yield tmp
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
            os.replace(path, old / path.name)
            os.replace(tmp, path)
            shutil.rmtree(old)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
