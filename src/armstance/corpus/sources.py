"""The catalogue of third-party source files (data/sources.yaml), validated on load."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Protocol, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from armstance import paths
from armstance.errors import DataError, validation_to_data_error

# Only a raw file at a full commit hash is reproducible: a branch name can move.
PINNED_URL = r"^https://raw\.githubusercontent\.com/[^/]+/[^/]+/[0-9a-f]{40}/\S+$"


class Source(BaseModel):
    """One pinned file, or one line of a pinned file (`line`).

    A line source stands for a record of an upstream JSON Lines file: `url` is the whole
    file at its commit, `line` the record's 0-based line (the file split on "\n"), `sha256`
    the digest of that line's bytes without the newline, and `path` where the line alone
    lands under the sources folder (corpus.fetch).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    url: str = Field(pattern=PINNED_URL)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    licence: str = Field(min_length=1)
    path: str = Field(min_length=1)
    line: int | None = Field(default=None, ge=0)

    @field_validator("path")
    @classmethod
    def _relative(cls, value: str) -> str:
        parts = PurePosixPath(value).parts
        if value.startswith("/") or ".." in parts or "\\" in value:
            raise ValueError(f"path {value!r} must be relative, with '/' and without '..'")
        return value

    @property
    def collection(self) -> str:
        """The folder a file lies in under the sources folder, or the name of a lone file: the
        unit a corpus is rebuilt from (`bundestag` is 1,502 files, `tagesschau` one)."""
        parts = PurePosixPath(self.path).parts
        return parts[0] if len(parts) > 1 else self.name


class SourceCatalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> SourceCatalog:
        for attr in ("name", "path"):
            counts = Counter(getattr(s, attr) for s in self.sources)
            duplicates = sorted(v for v, n in counts.items() if n > 1)
            if duplicates:
                raise ValueError(f"duplicate source {attr}: {', '.join(duplicates)}")
        return self

    def get(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(f"no source named {name!r}")

    def collection(self, name: str) -> list[Source]:
        """The sources of one collection (see Source.collection), in catalogue order."""
        found = [s for s in self.sources if s.collection == name]
        if not found:
            raise KeyError(f"no source collection named {name!r}")
        return found


FIRST_PERSON_COLLECTIONS: tuple[str, ...] = ("bundestag", "whitehouse")
"""Collections of speeches and statements (GUIDELINES §9), as opposed to news."""
STATEMENT_COLLECTIONS: tuple[str, ...] = ("kremlin", "ukpresident", "congress")
"""Readouts and press releases, mostly in the third person: read as news (GUIDELINES §10),
though they are statements of an office, not news."""
NEWS_COLLECTIONS: tuple[str, ...] = ("tagesschau", "guardian", "nyt")
"""The news: what armstance is for, and what model selection is judged on."""


def collection_of(doc_id: str) -> str:
    """The collection a document comes from, its doc_id's prefix (`tagesschau-0042`)."""
    return doc_id.split("-", 1)[0]


class HasDocId(Protocol):
    doc_id: str


D = TypeVar("D", bound=HasDocId)


def of_collections(docs: Sequence[D], collections: Sequence[str] | None, where: str) -> list[D]:
    """The documents of `collections` (all of them when None); an unknown or empty
    selection is an error naming the collections `where` (a split, a file) holds."""
    if collections is None:
        return list(docs)
    present = sorted({collection_of(d.doc_id) for d in docs})
    unknown = sorted(set(collections) - set(present))
    if unknown or not collections:
        raise ValueError(
            f"collections={list(collections)}: no document of {unknown or 'an empty list'}"
            f" in {where}; the collections there: {present}"
        )
    return [d for d in docs if collection_of(d.doc_id) in set(collections)]


def load_catalog(path: Path | None = None) -> SourceCatalog:
    path = Path(path) if path is not None else paths.sources_yaml()
    try:
        # libyaml's loader: the catalogue lists thousands of files, the pure-Python one takes
        # seconds over it.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise DataError(path, line, None, f"malformed YAML ({exc})") from exc
    try:
        return SourceCatalog.model_validate(data)
    except ValidationError as exc:
        raise validation_to_data_error(path, None, exc) from exc
