"""Fetch the pinned source files: keep a verified copy, else copy from a mirror, else download.

Whatever the origin, a file lands in place only once its sha256 matches the catalogue.
"""

from __future__ import annotations

import hashlib
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path

from tqdm import tqdm

from armstance import paths
from armstance.corpus.sources import Source, load_catalog
from armstance.jsonl import DataError, atomic_writer

MIRROR_ENV = "ARMSTANCE_DATA_MIRROR"
DOWNLOAD_TIMEOUT_S = 60
CHUNK_BYTES = 1 << 20

log = logging.getLogger(__name__)


def default_sources_dir() -> Path:
    return paths.data_dir() / "sources"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_sources(
    dest: Path | None = None,
    mirror: Path | None = None,
    names: Iterable[str] | None = None,
    sources_file: Path | None = None,
) -> list[Path]:
    """Make every selected source present and verified under `dest`; returns their paths.

    `mirror` (or $ARMSTANCE_DATA_MIRROR) is a folder laid out like `dest`; without one the
    files are downloaded from their pinned URLs.
    """
    catalog = load_catalog(sources_file)
    selected = catalog.sources if names is None else [catalog.get(n) for n in names]
    dest = Path(dest) if dest is not None else default_sources_dir()
    if mirror is None and os.environ.get(MIRROR_ENV):
        mirror = Path(os.environ[MIRROR_ENV])
    return [fetch_source(source, dest, mirror) for source in selected]


def fetch_source(source: Source, dest: Path, mirror: Path | None = None) -> Path:
    target = dest / source.path
    if target.is_file():
        if sha256_file(target) == source.sha256:
            log.info("kept %s (sha256 verified)", target)
            return target
        # A stale or corrupt copy must not survive a failed refetch.
        log.info("replacing %s: its sha256 does not match", target)
        target.unlink()
    if mirror is not None:
        origin = Path(mirror) / source.path
        if not origin.is_file():
            raise DataError(origin, None, None, f"source {source.name!r} missing from the mirror")
        _write_verified(_read_chunks(origin), target, source, str(origin))
        log.info("copied %s from %s", target, origin)
    else:
        _write_verified(_download_chunks(source), target, source, source.url)
        log.info("downloaded %s from %s", target, source.url)
    return target


def _write_verified(chunks: Iterable[bytes], target: Path, source: Source, origin: str) -> None:
    digest = hashlib.sha256()
    # Raising inside atomic_writer discards the temporary file: a bad copy never lands.
    with atomic_writer(target, "wb") as fh:
        for chunk in chunks:
            digest.update(chunk)
            fh.write(chunk)
        actual = digest.hexdigest()
        if actual != source.sha256:
            raise DataError(
                origin,
                None,
                "sha256",
                f"source {source.name!r} ({source.path}) has sha256 {actual}, "
                f"expected {source.sha256}; the file was not kept",
            )


def _read_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            yield chunk


def _download_chunks(source: Source) -> Iterator[bytes]:
    try:
        with urllib.request.urlopen(source.url, timeout=DOWNLOAD_TIMEOUT_S) as response:
            length = response.headers.get("Content-Length")
            size = int(length) if length else None
            with tqdm(total=size, unit="B", unit_scale=True, desc=source.name, disable=None) as bar:
                while chunk := response.read(CHUNK_BYTES):
                    bar.update(len(chunk))
                    yield chunk
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DataError(
            source.url,
            None,
            None,
            f"could not download source {source.name!r} ({reason}). Without network access, "
            f"set {MIRROR_ENV} (or pass --mirror) to a folder holding the source files.",
        ) from exc
