"""Fetch the pinned source files: keep a verified copy, else copy from a mirror, else download.

Whatever the origin, a file lands in place only once its sha256 matches the catalogue.

A line source (Source.line, one record of an upstream JSON Lines file) lands as a file
holding that line's bytes alone, without the newline, so that it is verified in place like
any file. Downloaded, the upstream file is read once for all the lines wanted of it, up to
the last of them. From a mirror, the line is `<mirror>/<path>` when that file is there (a
mirror laid out like the sources folder), else it is looked up by its sha256 among the lines
of `<mirror>/<folder>/records.jsonl` (folder: the first part of its path), read once per
fetch for all the line sources of the folder.
"""

from __future__ import annotations

import hashlib
import logging
import os
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from armstance import paths
from armstance.corpus.sources import Source, load_catalog
from armstance.errors import DataError
from armstance.jsonl import atomic_writer

MIRROR_ENV = "ARMSTANCE_DATA_MIRROR"
LINES_FILE = "records.jsonl"
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
        futures = {
            pool.submit(_fetch_group, [sources[i] for i in group], dest, mirror): group
            for group in _groups(sources, mirror)
        }
        try:
            for future in as_completed(futures):
                for i, result in zip(futures[future], future.result(), strict=True):
                    results[i] = result
                bar.update(len(futures[future]))
        except BaseException:
            # The first failure ends the fetch: files not yet started are not fetched.
            pool.shutdown(cancel_futures=True)
            raise
    return results


def _groups(sources: Sequence[Source], mirror: Path | None) -> list[list[int]]:
    """Indices of the sources fetched together: a file alone; line sources by what is read
    once for all of them, the upstream file (download) or the mirror folder."""
    files: list[list[int]] = []
    lines: dict[str, list[int]] = {}
    for i, source in enumerate(sources):
        if source.line is None:
            files.append([i])
        else:
            key = source.collection if mirror is not None else source.url
            lines.setdefault(key, []).append(i)
    return [*files, *lines.values()]


def fetch_source(source: Source, dest: Path, mirror: Path | None = None) -> Path:
    return _fetch_group([source], dest, mirror)[0][0]


def _fetch_group(
    sources: Sequence[Source], dest: Path, mirror: Path | None
) -> list[tuple[Path, str]]:
    if len(sources) == 1 and sources[0].line is None:
        return [_fetch(sources[0], dest, mirror)]
    return _fetch_lines(sources, dest, mirror)


def _kept(source: Source, target: Path) -> bool:
    """Whether a verified copy is in place; a stale or corrupt one is removed."""
    if not target.is_file():
        return False
    if sha256_file(target) == source.sha256:
        log.debug("kept %s (sha256 verified)", target)
        return True
    # A stale or corrupt copy must not survive a failed refetch.
    log.info("replacing %s: its sha256 does not match", target)
    target.unlink()
    return False


def _fetch(source: Source, dest: Path, mirror: Path | None) -> tuple[Path, str]:
    """The verified file and how it got there: kept, copied or downloaded."""
    target = dest / source.path
    if _kept(source, target):
        return target, "kept"
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


def _fetch_lines(
    sources: Sequence[Source], dest: Path, mirror: Path | None
) -> list[tuple[Path, str]]:
    """Line sources that share an upstream file (download) or a mirror folder: each kept if
    verified in place, else its line written alone."""
    results = {}
    missing = []
    for source in sources:
        if _kept(source, dest / source.path):
            results[source.path] = (dest / source.path, "kept")
        else:
            missing.append(source)
    if mirror is not None:
        by_sha: dict[str, bytes] | None = None
        for source in missing:
            origin = Path(mirror) / source.path
            if origin.is_file():
                _write_verified(_read_chunks(origin), dest / source.path, source, str(origin))
            else:
                records = Path(mirror) / source.collection / LINES_FILE
                if by_sha is None:
                    by_sha = _mirror_lines(records, source)
                if source.sha256 not in by_sha:
                    raise DataError(
                        records,
                        None,
                        "sha256",
                        f"source {source.name!r} (line {source.line} of {source.url}): no "
                        f"line of this file has sha256 {source.sha256}",
                    )
                _write_verified([by_sha[source.sha256]], dest / source.path, source, str(records))
            log.debug("copied %s from %s", dest / source.path, mirror)
            results[source.path] = (dest / source.path, "copied")
    elif missing:
        found = _download_lines(missing)
        for source in missing:
            origin = f"{source.url} (0-based line {source.line})"
            _write_verified([found[source.line]], dest / source.path, source, origin)
            log.debug("downloaded %s from %s", dest / source.path, origin)
            results[source.path] = (dest / source.path, "downloaded")
    return [results[source.path] for source in sources]


def _mirror_lines(path: Path, source: Source) -> dict[str, bytes]:
    """sha256 -> line, over the lines of a mirror folder's records file (split on "\n")."""
    if not path.is_file():
        raise DataError(
            path,
            None,
            None,
            f"source {source.name!r} missing from the mirror: neither {source.path} nor this "
            "file of its folder's lines is there",
        )
    lines = path.read_bytes().removesuffix(b"\n").split(b"\n")
    return {hashlib.sha256(line).hexdigest(): line for line in lines}


def _download_lines(sources: Sequence[Source]) -> dict[int, bytes]:
    """0-based line -> its bytes without the newline, for the lines of `sources` (all of one
    URL); the download stops after the last of them."""
    url = sources[0].url
    wanted = {source.line for source in sources}
    found: dict[int, bytes] = {}
    count = 0
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
            for number, raw in enumerate(response):
                count = number + 1
                if number in wanted:
                    found[number] = raw.removesuffix(b"\n")
                    if len(found) == len(wanted):
                        break
    except (urllib.error.URLError, OSError) as exc:
        raise _download_error(sources[0], exc) from exc
    absent = sorted(wanted - set(found))
    if absent:
        names = ", ".join(s.name for s in sources if s.line in absent)
        raise DataError(
            url,
            absent[0] + 1,
            "line",
            f"source(s) {names}: the file has {count} lines, none with 0-based number "
            f"{', '.join(map(str, absent))}; nothing of it was kept",
        )
    return found


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
            what = "file" if source.line is None else f"line {source.line} (0-based)"
            raise DataError(
                origin,
                None if source.line is None else source.line + 1,
                "sha256",
                f"source {source.name!r} ({source.path}): the {what} has sha256 {actual}, "
                f"expected {source.sha256}; it was not kept",
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
        raise _download_error(source, exc) from exc


def _download_error(source: Source, exc: Exception) -> DataError:
    reason = getattr(exc, "reason", exc)
    return DataError(
        source.url,
        None,
        None,
        f"could not download source {source.name!r} ({reason}). Without network access, "
        f"set {MIRROR_ENV} (or pass --mirror) to a folder holding the source files.",
    )
