"""The interface every unit classifier implements, and saving/loading by class path."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path
from typing import Self

import numpy as np

from armstance.schema import Unit

MANIFEST = "classifier.json"


Weights = Sequence[float] | None
"""Per-unit training weights (None: every unit counts once)."""


class UnitClassifier(ABC):
    """Maps units to a probability distribution over `labels` (columns in that order)."""

    def __init__(self, labels: Sequence[str]):
        self.labels = tuple(labels)

    @abstractmethod
    def fit(self, units: Sequence[Unit], y: Sequence[str], sample_weight: Weights = None) -> Self:
        """Fit on `units` labelled `y`, each unit weighted by `sample_weight` where given."""

    @abstractmethod
    def predict_proba(self, units: Sequence[Unit]) -> np.ndarray: ...

    @abstractmethod
    def save_files(self, path: Path) -> dict:
        """Write the fitted state under `path`; return the JSON-able init arguments."""

    @classmethod
    @abstractmethod
    def load_files(cls, path: Path, params: dict) -> Self: ...

    def predict(self, units: Sequence[Unit]) -> list[str]:
        proba = self.predict_proba(units)
        return [self.labels[i] for i in proba.argmax(axis=1)]

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        params = self.save_files(path)
        cls = type(self)
        manifest = {"class": f"{cls.__module__}.{cls.__qualname__}", "params": params}
        (path / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def load_classifier(path: str | Path) -> UnitClassifier:
    path = Path(path)
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    module, _, name = manifest["class"].rpartition(".")
    cls = getattr(import_module(module), name)
    return cls.load_files(path, manifest["params"])


def check_fit_input(
    units: Sequence[Unit], y: Sequence[str], labels: Sequence[str], sample_weight: Weights = None
) -> None:
    if len(units) != len(y):
        raise ValueError(f"{len(units)} units but {len(y)} labels")
    unknown = set(y) - set(labels)
    if unknown:
        raise ValueError(f"unknown labels {sorted(unknown)}; expected one of {list(labels)}")
    if sample_weight is not None:
        if len(sample_weight) != len(units):
            raise ValueError(f"{len(units)} units but {len(sample_weight)} sample weights")
        if min(sample_weight, default=0.0) < 0 or not sum(sample_weight) > 0:
            raise ValueError("sample weights must be non-negative with a positive sum")


def weights_at(sample_weight: Weights, index: Sequence[int]) -> list[float] | None:
    """The weights of the units at `index` (None stays None)."""
    return None if sample_weight is None else [sample_weight[i] for i in index]


def require_unweighted(sample_weight: Weights, model: str) -> None:
    """For classifiers whose training takes no unit weights: refuse any but equal ones."""
    if sample_weight is not None and len(set(sample_weight)) > 1:
        raise ValueError(f"{model} does not take unit weights (data.collection_weights)")
