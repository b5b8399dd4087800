"""Saving fitted model parts in formats that load without running stored code.

Every classifier saves through these functions, never through pickle or joblib, so that a
model version taken from a shared registry can be loaded without trusting its author:

- scikit-learn estimators as skops files: loading rebuilds objects of known classes and
  refuses any type that is neither trusted by skops itself (scikit-learn estimators,
  numpy and scipy containers, builtins) nor listed in TRUSTED_TYPES below;
- arrays as safetensors files (raw bytes plus a JSON header);
- settings as JSON, in each classifier's manifest (models/base.py).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from armstance.errors import UntrustedArtifactError
from armstance.jsonl import atomic_writer

TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        # The TF-IDF model's preprocessors and cue analyzer: functions of this package,
        # referred to by name in the file and imported on load.
        "armstance.models.tfidf_logreg.masked",
        "armstance.models.tfidf_logreg.unmarked",
        "armstance.models.cues.cue_tokens",
        # MLPClassifier keeps its Adam state (plain arrays and floats) in `_optimizer`.
        "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    }
)
"""Types a skops file may hold beyond those skops trusts by default. Add a type here, in
this one place, when a new classifier needs it (tests/test_persist.py checks that each
exists and round-trips the estimators that need them)."""


def save_estimator(obj: Any, path: Path) -> None:
    """Write a fitted scikit-learn object to `path` (skops format), atomically.

    Saving refuses what loading would refuse, so that a model is never logged that
    cannot be loaded back.
    """
    import skops.io as sio

    data = sio.dumps(obj, compression=zipfile.ZIP_DEFLATED)
    _check_types(sio.get_untrusted_types(data=data), path)
    with atomic_writer(path, "wb") as fh:
        fh.write(data)


def load_estimator(path: Path) -> Any:
    """The object saved by `save_estimator`; UntrustedArtifactError if the file holds a type
    outside skops's defaults and TRUSTED_TYPES, ValueError if it is not a skops file."""
    import skops.io as sio

    path = Path(path)
    try:
        found = sio.get_untrusted_types(file=path)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValueError(f"{path}: not a skops file ({exc})") from exc
    _check_types(found, path)
    return sio.load(path, trusted=found)


def _check_types(found: list[str], path: Path) -> None:
    untrusted = sorted(set(found) - TRUSTED_TYPES)
    if untrusted:
        raise UntrustedArtifactError(
            f"{path}: holds type(s) {untrusted} that armstance does not load; trusted beyond "
            f"skops's defaults: {sorted(TRUSTED_TYPES)} (armstance.models.persist)"
        )


def save_arrays(arrays: dict[str, np.ndarray], path: Path) -> None:
    """Write named numeric arrays to `path` (safetensors), atomically."""
    from safetensors.numpy import save

    for name, array in arrays.items():
        if not isinstance(name, str):
            raise TypeError(f"{path}: array names must be strings, got {name!r}")
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
            raise TypeError(
                f"{path}: array {name!r} must be a numeric or boolean numpy array, got "
                f"{getattr(array, 'dtype', type(array).__name__)}"
            )
    data = save({name: np.ascontiguousarray(a) for name, a in arrays.items()})
    with atomic_writer(path, "wb") as fh:
        fh.write(data)


def load_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays saved by `save_arrays`; ValueError if `path` is not a safetensors file."""
    from safetensors import SafetensorError
    from safetensors.numpy import load

    path = Path(path)
    try:
        return load(path.read_bytes())
    except SafetensorError as exc:
        raise ValueError(f"{path}: not a safetensors file ({exc})") from exc
