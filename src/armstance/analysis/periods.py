"""Which period (or other column value) each document belongs to.

`month`, `quarter` and `year` read the documents' date (the `date` column, else
`published`); any other name is a column of the predictions taken as it is: a Bundestag
session number (kept a number when every document has one, so that 9 comes before 10) or
an outlet (as text). Without any date the analysis falls back to one period per document,
with a warning; documents without a date among dated ones form `undated`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from armstance.errors import DataError

CALENDAR = {"month": "M", "quarter": "Q", "year": "Y"}
DATE_COLUMNS = ("date", "published")
BY_DOCUMENT = "document"
UNDATED = "undated"


@dataclass(frozen=True)
class Periods:
    label: pd.Series
    """doc_id -> period (string)."""
    kind: str
    """What the labels are: month, quarter, year, a column's name, or `document`."""
    warnings: tuple[str, ...] = ()


def check_column(name: str, available: list[str], option: str, source: str) -> None:
    if name not in available:
        listed = ", ".join(available) or "none"
        raise DataError(
            source, None, option, f"no column '{name}' in the predictions; available: {listed}"
        )


def periods(documents: pd.DataFrame, by: str, available: list[str], source: str) -> Periods:
    """The period of every document of `documents` (doc_id plus passthrough columns)."""
    ids = documents["doc_id"]
    if by not in CALENDAR:
        check_column(by, available, "--by", source)
        column = documents[by]
        if pd.api.types.is_integer_dtype(column):
            # Session numbers and the like keep their order: 9 before 10.
            return Periods(pd.Series(column.to_numpy(), index=ids), by)
        values = column.map(lambda v: UNDATED if pd.isna(v) else str(v))
        return Periods(pd.Series(values.to_numpy(), index=ids), by)
    column = next((c for c in DATE_COLUMNS if c in documents), None)
    dates = (
        pd.to_datetime(documents[column], errors="coerce", utc=True).dt.tz_localize(None)
        if column
        else pd.Series(pd.NaT, index=documents.index)
    )
    if dates.isna().all():
        warning = (
            f"no dates in the predictions (no {' or '.join(DATE_COLUMNS)} column with dates):"
            f" the analysis is by document instead of by {by}"
        )
        return Periods(pd.Series(ids.to_numpy(), index=ids), BY_DOCUMENT, (warning,))
    labels = dates.dt.to_period(CALENDAR[by]).astype(str).where(dates.notna(), UNDATED)
    warnings = ()
    if dates.isna().any():
        warnings = (
            f"{int(dates.isna().sum())} documents without a date are counted as '{UNDATED}'",
        )
    return Periods(pd.Series(labels.to_numpy(), index=ids), by, warnings)
