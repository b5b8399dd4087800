"""The errors armstance reports to its users, in one place.

Each says what went wrong and where: a file, line and field (DataError), a document
(DocumentError), a model URI (ModelNotFoundError), a run (CompareError, NoSuchRun). The
command line turns them into one line on stderr and exit status 2.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError


class DataError(ValueError):
    """Bad input data. The message names the file, the 1-based line and the field."""

    def __init__(self, path: str | Path, line: int | None, field: str | None, problem: str):
        self.path, self.line, self.field, self.problem = str(path), line, field, problem
        where = self.path + (f":{line}" if line is not None else "")
        what = f" field '{field}':" if field else ""
        super().__init__(f"{where}:{what} {problem}")


def validation_to_data_error(path: str | Path, line: int | None, err: ValidationError) -> DataError:
    """The first problem pydantic found, as a DataError naming its field."""
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    return DataError(path, line, field, first["msg"])


class DocumentError(ValueError):
    """A document the pipeline cannot judge; the message says why."""

    def __init__(self, doc_id: str, problem: str):
        self.doc_id, self.problem = doc_id, problem
        super().__init__(f"document '{doc_id}': {problem}")


class UnsupportedLanguageError(ValueError):
    """A text in a language armstance does not judge."""


class ModelNotFoundError(FileNotFoundError):
    """A model URI or path that does not lead to a loadable armstance model."""


class UntrustedArtifactError(ValueError):
    """A stored model part holds something this project does not load."""


class CompareError(ValueError):
    """A run or artifact the comparison needs is missing or does not match."""


class NoSuchRun(LookupError):
    """A config names the latest run of an experiment that has none."""
