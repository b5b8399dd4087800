"""Catalogue entries generated from a mirror folder's manifest.jsonl (`armstance data catalog`).

A collection of thousands of files (one folder of the mirror) is listed file by file in
data/sources.yaml, each pinned like a lone source; those entries are written from the
folder's manifest, never by hand, so that regenerating them is one command.

A manifest line with a `line` pins one record of an upstream JSON Lines file (congress/):
its entry is a line source (corpus.sources.Source), named `<folder>/<path>:<line>` and
landing at `<folder>/<path>.lines/<line>.json`.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from armstance import paths
from armstance.corpus.sources import Source, SourceCatalog
from armstance.jsonl import atomic_writer, read_records

MANIFEST = "manifest.jsonl"
RAW_URL = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"
HEADER = """\
# Third-party source files the corpus is rebuilt from. Each is fetched from its pinned commit
# (or copied from a mirror folder with the same layout) and verified against its sha256.
# `path` is where the file lies under the sources folder (data/sources/ or the mirror).
# The entries of a folder (bundestag/, whitehouse/, kremlin_ua/, congress/) are generated
# from that folder's manifest.jsonl by `make catalog`; a file's name is its path. An entry
# with `line` is one line of the file at `url` (0-based), sha256 that line's digest.
"""
FIELDS = ("name", "url", "line", "sha256", "licence", "path")
LINE_NAME = "{folder}/{path}:{line}"
LINE_PATH = "{folder}/{path}.lines/{line}.json"


class ManifestEntry(BaseModel):
    """One line of a mirror folder's manifest.jsonl: where a file comes from upstream."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    repo: str = Field(pattern=r"^[^/\s]+/[^/\s]+$")
    commit: str = Field(pattern=r"^[0-9a-f]{40}$")
    path: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0)
    # A record of a JSON Lines file: its 0-based line (sha256 and bytes are the line's,
    # without the newline) and the record's own address (a press release's page).
    line: int | None = Field(default=None, ge=0)
    url: str | None = None


def manifest_sources(folder: str, manifest: Path, licence: str) -> list[Source]:
    """Catalogue entries for every file (or line) a manifest lists, sorted by upstream path,
    then line."""
    entries = [entry for _, entry in read_records(manifest, ManifestEntry)]
    entries.sort(key=lambda e: (e.path, -1 if e.line is None else e.line))
    return [_source(folder, e, licence) for e in entries]


def _source(folder: str, entry: ManifestEntry, licence: str) -> Source:
    url = RAW_URL.format(repo=entry.repo, commit=entry.commit, path=entry.path)
    if entry.line is None:
        path = name = f"{folder}/{entry.path}"
    else:
        name = LINE_NAME.format(folder=folder, path=entry.path, line=entry.line)
        path = LINE_PATH.format(folder=folder, path=entry.path, line=entry.line)
    return Source(
        name=name, url=url, sha256=entry.sha256, licence=licence, path=path, line=entry.line
    )


def replace_collection(catalog: SourceCatalog, folder: str, sources: list[Source]) -> SourceCatalog:
    """The catalogue with the entries of `folder` replaced by `sources` (appended if new)."""
    out, placed = [], False
    for source in catalog.sources:
        if source.collection != folder:
            out.append(source)
        elif not placed:
            out.extend(sources)
            placed = True
    return SourceCatalog(sources=out if placed else [*out, *sources])


def dump_catalog(catalog: SourceCatalog) -> str:
    lines = [HEADER.rstrip("\n"), "sources:"]
    for source in catalog.sources:
        fields = [f for f in FIELDS if getattr(source, f) is not None]
        for i, field in enumerate(fields):
            lead = "  - " if i == 0 else "    "
            lines.append(f"{lead}{field}: {_scalar(getattr(source, field))}")
    return "\n".join(lines) + "\n"


def write_catalog(catalog: SourceCatalog, path: Path | None = None) -> Path:
    path = Path(path) if path is not None else paths.sources_yaml()
    with atomic_writer(path) as fh:
        fh.write(dump_catalog(catalog))
    return path


def _scalar(value: str | int) -> str:
    # yaml decides whether the string needs quotes; one line, however long.
    text = yaml.dump(value, Dumper=yaml.CSafeDumper, allow_unicode=True, width=1 << 30)
    return text.removesuffix("\n").removesuffix("\n...")
