"""Fetch the pinned source files: keep a verified copy, else copy from a mirror, else download.

Whatever the origin, a file lands in place only once its sha256 matches the catalogue.
"""

from __future__ import annotations

import hashlib
import logging
import os
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from armstance import paths
from armstance.corpus.sources import Source, load_catalog
from armstance.errors import DataError
from armstance.jsonl import atomic_writer

MIRROR_ENV = "ARMSTANCE_DATA_MIRROR"
DOWNLOAD_TIMEOUT_S = 60
CHUNK_BYTES = 1 << 20
FETCH_WORKERS = 8

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
    collections: Iterable[str] | None = None,
) -> list[Path]:
    """Make the sources selected by name and by collection (all of them if neither is given)
    present and verified under `dest`; returns their paths.

    `mirror` (or $ARMSTANCE_DATA_MIRROR) is a folder laid out like `dest`; without one the
    files are downloaded from their pinned URLs.
    """
    catalog = load_catalog(sources_file)
    if names is None and collections is None:
        selected = catalog.sources
    else:
        selected = [catalog.get(n) for n in names or ()]
        selected += [s for c in collections or () for s in catalog.collection(c)]
    dest = Path(dest) if dest is not None else default_sources_dir()
    if mirror is None and os.environ.get(MIRROR_ENV):
        mirror = Path(os.environ[MIRROR_ENV])
    results = _fetch_all(selected, dest, mirror)
    actions = Counter(action for _, action in results)
    log.info(
        "%d sources in %s: %s",
        len(results),
        dest,
        ", ".join(f"{n} {action}" for action, n in sorted(actions.items())),
    )
    return [target for target, _ in results]


def _fetch_all(sources: list[Source], dest: Path, mirror: Path | None) -> list[tuple[Path, str]]:
    """_fetch over every source, in threads: downloads wait on the network and copies on the
    disk, and the catalogue lists thousands of small files. One bar counts the files."""
    results: list[tuple[Path, str]] = [(Path(), "")] * len(sources)
    with (
        tqdm(total=len(sources), desc="sources", unit="file", disable=None) as bar,
        ThreadPoolExecutor(FETCH_WORKERS) as pool,
    ):
        futures = {pool.submit(_fetch, s, dest, mirror): i for i, s in enumerate(sources)}
        try:
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                bar.update()
        except BaseException:
            # The first failure ends the fetch: files not yet started are not fetched.
            pool.shutdown(cancel_futures=True)
            raise
    return results


def fetch_source(source: Source, dest: Path, mirror: Path | None = None) -> Path:
    return _fetch(source, dest, mirror)[0]


def _fetch(source: Source, dest: Path, mirror: Path | None) -> tuple[Path, str]:
    """The verified file and how it got there: kept, copied or downloaded."""
    target = dest / source.path
    if target.is_file():
        if sha256_file(target) == source.sha256:
            log.debug("kept %s (sha256 verified)", target)
            return target, "kept"
        # A stale or corrupt copy must not survive a failed refetch.
        log.info("replacing %s: its sha256 does not match", target)
        target.unlink()
    if mirror is not None:
        origin = Path(mirror) / source.path
        if not origin.is_file():
            raise DataError(origin, None, None, f"source {source.name!r} missing from the mirror")
        _write_verified(_read_chunks(origin), target, source, str(origin))
        log.debug("copied %s from %s", target, origin)
        return target, "copied"
    _write_verified(_download_chunks(source), target, source, source.url)
    log.debug("downloaded %s from %s", target, source.url)
    return target, "downloaded"


def _write_verified(chunks: Iterable[bytes], target: Path, source: Source, origin: str) -> None:
    digest = hashlib.sha256()
    # Raising inside atomic_writer discards the temporary file: a bad copy never lands. No
    # fsync: every fetch verifies the files in place, so one a crash truncated is fetched
    # again, and syncing each of thousands of small files quadruples the time of a fetch.
    with atomic_writer(target, "wb", durable=False) as fh:
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
            while chunk := response.read(CHUNK_BYTES):
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
