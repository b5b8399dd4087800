"""What a test needs from outside the checkout (shared data, running services)."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip the test; under CI (`CI=true`) a missing prerequisite is a failure instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


def service(variable: str) -> str:
    """Where a running service is, from the environment `make test-infra` starts them with
    (scripts/services/run.sh)."""
    value = os.environ.get(variable)
    if not value:
        unavailable(f"{variable} is not set: run these tests with `make test-infra`")
    return value
