from __future__ import annotations

import os
from pathlib import Path

import pytest

from prerequisites import unavailable


def _shared() -> Path:
    """The folder that holds the data mirror: ../shared beside the checkout, or the one the
    `ARMSTANCE_DATA_MIRROR` variable names (`<shared>/data/sources`) for a checkout elsewhere."""
    mirror = os.environ.get("ARMSTANCE_DATA_MIRROR")
    if mirror:
        return Path(mirror).resolve().parents[1]
    return Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def session_cache(tmp_path_factory: pytest.TempPathFactory):
    """One cache of derived files (the converted encoder, embeddings) for the whole session,
    empty at its start: every job a test starts inherits it, so the encoder is converted
    and a document embedded once per session, as a researcher's runs share data/cache,
    while a fresh machine's costs are still the ones paid. Tests about the cache itself set
    their own."""
    with pytest.MonkeyPatch.context() as mp:
        cache = tmp_path_factory.mktemp("cache")
        mp.setenv("ARMSTANCE_CACHE", str(cache))
        yield cache


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout. Under CI its absence is a failure, never a skip."""
    shared = _shared()
    if not (shared / "data").is_dir():
        unavailable(f"{shared} not present")
    return shared
