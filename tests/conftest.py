from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout. Under CI its absence is a failure, never a skip."""
    if not (SHARED / "data").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED} is required under CI=true but is missing")
        pytest.skip(f"{SHARED} not present")
    return SHARED
