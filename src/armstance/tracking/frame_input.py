"""Documents from the frame the pyfunc model is given, checked strictly.

MLflow's signature check lets any value through a string column (an integer `text`
arrives as 5), so every record is validated here as a `Document`. A request with a
record of the wrong shape is refused as a whole (HTTP 400 from `mlflow models serve`),
naming the record and the field; a well-formed document that cannot be judged (empty
text, a language other than fr/en/de) still gets its own error record in the answer.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE
from pydantic import ValidationError

from armstance.schema import LANGS, Document

EXPECTED = {
    "doc_id": "a non-empty string",
    "text": "a string",
    "lang": f"one of {', '.join(LANGS)} (or no lang, to have it detected)",
}
MAX_LISTED = 10  # records named in one error message


class InvalidInputError(MlflowException):
    """Records that do not match the input schema; the scoring server answers 400."""

    def __init__(self, problems: list[str]):
        listed = "; ".join(problems[:MAX_LISTED])
        more = f"; and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
        super().__init__(
            f"invalid input: {listed}{more}. Expected records of {{doc_id: string, "
            f"text: string, lang?: {'|'.join(LANGS)}}}",
            error_code=INVALID_PARAMETER_VALUE,
        )
        self.problems = problems


def _present(value: Any) -> bool:
    """Whether a frame cell holds a value: pandas fills a field that some records lack with
    NaN (or NA, None)."""
    return not (value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)))


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _problem(error: dict) -> str:
    field = ".".join(str(part) for part in error["loc"])
    expected = EXPECTED.get(field, "a valid value")
    if error["type"] == "missing":
        return f"field '{field}': missing (expected {expected})"
    value = error["input"]
    return f"field '{field}': expected {expected}, got {type(value).__name__} {_shown(value)}"


def documents_from_frame(frame: pd.DataFrame) -> list[Document]:
    """One Document per row; InvalidInputError naming every bad record otherwise."""
    documents: list[Document] = []
    problems: list[str] = []
    first_row: dict[str, int] = {}
    for number, row in enumerate(frame.to_dict("records"), start=1):
        record = {key: value for key, value in row.items() if _present(value)}
        doc_id = record.get("doc_id")
        where = f"record {number}" + (f" (doc_id {_shown(doc_id)})" if doc_id is not None else "")
        try:
            document = Document.model_validate(record)
        except ValidationError as exc:
            problems.append(f"{where}: " + ", ".join(_problem(e) for e in exc.errors()))
            continue
        if document.doc_id in first_row:
            problems.append(
                f"{where}: field 'doc_id': repeats record {first_row[document.doc_id]} "
                "(expected a doc_id unique within the request)"
            )
            continue
        first_row[document.doc_id] = number
        documents.append(document)
    if problems:
        raise InvalidInputError(problems)
    return documents
