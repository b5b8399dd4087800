"""Where the project's files live. `ARMSTANCE_HOME` overrides the project root."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    env = os.environ.get("ARMSTANCE_HOME")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "configs").is_dir():
            return parent
    return Path.cwd().resolve()


def data_dir() -> Path:
    return project_root() / "data"


def raw_dir() -> Path:
    """Texts rebuilt from the third-party sources: git-ignored, never committed."""
    return data_dir() / "raw"


def cache_dir() -> Path:
    """Derived files (embeddings, converted and built weights): `ARMSTANCE_CACHE`, or
    data/cache; git-ignored and safe to delete."""
    env = os.environ.get("ARMSTANCE_CACHE")
    return Path(env) if env else data_dir() / "cache"


def annotations_dir() -> Path:
    return data_dir() / "annotations"


def seeds_dir() -> Path:
    return project_root() / "seeds"


def folds_path() -> Path:
    return data_dir() / "folds.json"


def sources_yaml() -> Path:
    return data_dir() / "sources.yaml"
