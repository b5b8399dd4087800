"""Which documents the annotation loop may touch, and the metadata it stratifies on.

Only the speeches, briefings and statements are labelled: the first-person collections
(bundestag, whitehouse; GUIDELINES §9) and the third-person releases (kremlin, ukpresident,
congress; §10). The unlabelled news documents (tagesschau, guardian, nyt, and anything
else) are the blind evaluation set: they are never selected, exported or imported, so every
entry point refuses their doc_ids here, before it reads a text.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import ValidationError

from armstance import paths
from armstance.corpus.sources import FIRST_PERSON_COLLECTIONS, STATEMENT_COLLECTIONS
from armstance.errors import DataError, validation_to_data_error
from armstance.jsonl import iter_json_lines
from armstance.schema import Document

ANNOTATABLE_SOURCES: tuple[str, ...] = (*FIRST_PERSON_COLLECTIONS, *STATEMENT_COLLECTIONS)
# A rebuilt document without `lang` is in its source's language.
SOURCE_LANG: dict[str, str] = {
    "bundestag": "de",
    "whitehouse": "en",
    "kremlin": "en",
    "ukpresident": "en",
    "congress": "en",
}
UNKNOWN = "unknown"
PERIODS = ("year", "quarter", "month")


def source_of(doc_id: str) -> str | None:
    """`bundestag` for `bundestag-123`; None for a doc_id outside the annotatable sources."""
    prefix = doc_id.split("-", 1)[0]
    return prefix if prefix in ANNOTATABLE_SOURCES and doc_id != prefix else None


def check_doc_id(doc_id: str, where: str | Path, line: int | None = None) -> str:
    """The doc_id's source, or a DataError naming the place for any other doc_id."""
    source = source_of(doc_id)
    if source is None:
        allowed = ", ".join(f"{s}-*" for s in ANNOTATABLE_SOURCES)
        raise DataError(
            where,
            line,
            "doc_id",
            f"{doc_id!r} is not from a source open to annotation ({allowed}); unlabelled news "
            "documents are the blind evaluation set and are never selected, labelled or "
            "trained on",
        )
    return source


@dataclass(frozen=True)
class MetadataFields:
    """Raw-record keys tried in order for each piece of metadata (the first non-empty wins),
    so a rebuild that names a field differently needs a flag, not a code change."""

    party: tuple[str, ...] = ("party", "faction", "fraktion", "group")
    date: tuple[str, ...] = ("date", "published", "session_date")
    speaker: tuple[str, ...] = ("speaker", "speaker_label")

    def with_overrides(self, overrides: Mapping[str, str]) -> MetadataFields:
        """`{"party": "fraktion"}` tries `fraktion` before the defaults."""
        return replace(self, **{k: (name, *getattr(self, k)) for k, name in overrides.items()})


def _first(record: Mapping, keys: Iterable[str]) -> str | None:
    """The first non-empty value, its whitespace (line breaks, no-break spaces) made single
    spaces: party names come out of XML wrapped across lines."""
    for key in keys:
        value = " ".join(str(record.get(key) or "").split())
        if value:
            return value
    return None


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_GERMAN = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")


def parse_date(value: str | None) -> datetime.date | None:
    """ISO (`2023-03-16`, with or without a time) or German (`16.03.2023`) dates."""
    if not value:
        return None
    try:
        if m := _ISO.search(value):
            return datetime.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _GERMAN.search(value):
            return datetime.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def period_of(date: datetime.date | None, granularity: str) -> str:
    if date is None:
        return UNKNOWN
    if granularity == "year":
        return f"{date.year}"
    if granularity == "quarter":
        return f"{date.year}-Q{(date.month - 1) // 3 + 1}"
    if granularity == "month":
        return f"{date.year}-{date.month:02d}"
    raise ValueError(f"unknown period {granularity!r}; expected one of {PERIODS}")


@dataclass(frozen=True)
class SourceDocument:
    """A rebuilt document of an annotatable source, with the metadata selection uses."""

    doc: Document
    source: str
    party: str | None = None
    date: datetime.date | None = None
    speaker: str | None = None

    @property
    def doc_id(self) -> str:
        return self.doc.doc_id

    @property
    def lang(self) -> str:
        return self.doc.lang or SOURCE_LANG[self.source]


def read_source_documents(
    files: Iterable[Path], fields: MetadataFields | None = None
) -> list[SourceDocument]:
    """Documents of raw JSONL files; a doc_id outside the annotatable sources is refused
    before its text is looked at, and so is a doc_id seen twice."""
    fields = fields or MetadataFields()
    docs: list[SourceDocument] = []
    seen: set[str] = set()
    for path in files:
        for line, obj in iter_json_lines(path):
            source = check_doc_id(str(obj.get("doc_id", "")), path, line)
            try:
                doc = Document.model_validate(obj)
            except ValidationError as exc:
                raise validation_to_data_error(path, line, exc) from exc
            if doc.doc_id in seen:
                raise DataError(path, line, "doc_id", f"doc_id {doc.doc_id!r} appears twice")
            seen.add(doc.doc_id)
            # White House doc_ids carry the date; a record without one still has it there.
            date = parse_date(_first(obj, fields.date)) or parse_date(doc.doc_id)
            docs.append(
                SourceDocument(
                    doc=doc,
                    source=source,
                    party=_first(obj, fields.party),
                    date=date,
                    speaker=_first(obj, fields.speaker),
                )
            )
    return docs


def source_raw_files(raw_dir: Path | None = None) -> list[Path]:
    """The rebuilt files of the annotatable sources that exist (never the news files)."""
    raw_dir = Path(raw_dir) if raw_dir is not None else paths.raw_dir()
    found = [raw_dir / f"{s}.jsonl" for s in ANNOTATABLE_SOURCES]
    found = [p for p in found if p.is_file()]
    if not found:
        names = ", ".join(f"{s}.jsonl" for s in ANNOTATABLE_SOURCES)
        raise DataError(
            raw_dir, None, None, f"none of {names} is there: run `armstance data fetch` first"
        )
    return found


def source_documents(
    raw_dir: Path | None = None, fields: MetadataFields | None = None
) -> dict[str, SourceDocument]:
    """doc_id -> document, over every rebuilt file of the annotatable sources."""
    return {d.doc_id: d for d in read_source_documents(source_raw_files(raw_dir), fields)}
