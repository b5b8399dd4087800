"""Catalogue entries generated from a mirror folder's manifest.jsonl (`armstance data catalog`).

A collection of thousands of files (one folder of the mirror) is listed file by file in
data/sources.yaml, each pinned like a lone source; those entries are written from the
folder's manifest, never by hand, so that regenerating them is one command.
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
# The entries of a folder (bundestag/, whitehouse/) are generated from that folder's
# manifest.jsonl by `make catalog`; their name is their path.
"""
FIELDS = ("name", "url", "sha256", "licence", "path")


class ManifestEntry(BaseModel):
    """One line of a mirror folder's manifest.jsonl: where a file comes from upstream."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    repo: str = Field(pattern=r"^[^/\s]+/[^/\s]+$")
    commit: str = Field(pattern=r"^[0-9a-f]{40}$")
    path: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0)


def manifest_sources(folder: str, manifest: Path, licence: str) -> list[Source]:
    """Catalogue entries for every file a manifest lists, sorted by path."""
    entries = [entry for _, entry in read_records(manifest, ManifestEntry)]
    sources = [
        Source(
            name=f"{folder}/{e.path}",
            url=RAW_URL.format(repo=e.repo, commit=e.commit, path=e.path),
            sha256=e.sha256,
            licence=licence,
            path=f"{folder}/{e.path}",
        )
        for e in entries
    ]
    return sorted(sources, key=lambda s: s.path)


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
        for i, field in enumerate(FIELDS):
            lead = "  - " if i == 0 else "    "
            lines.append(f"{lead}{field}: {_scalar(getattr(source, field))}")
    return "\n".join(lines) + "\n"


def write_catalog(catalog: SourceCatalog, path: Path | None = None) -> Path:
    path = Path(path) if path is not None else paths.sources_yaml()
    with atomic_writer(path) as fh:
        fh.write(dump_catalog(catalog))
    return path


def _scalar(value: str) -> str:
    # yaml decides whether the string needs quotes; one line, however long.
    text = yaml.dump(value, Dumper=yaml.CSafeDumper, allow_unicode=True, width=1 << 30)
    return text.removesuffix("\n").removesuffix("\n...")
