"""The floor every model must beat: always the most frequent training class."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Self

import numpy as np

from armstance.models.base import UnitClassifier, Weights, check_fit_input
from armstance.schema import Unit


class Majority(UnitClassifier):
    """Predicts the majority class; its probabilities are the training class priors."""

    def __init__(self, labels: Sequence[str], priors: Sequence[float] | None = None):
        super().__init__(labels)
        self.priors = None if priors is None else np.asarray(priors, dtype=float)

    def fit(self, units: Sequence[Unit], y: Sequence[str], sample_weight: Weights = None) -> Self:
        check_fit_input(units, y, self.labels, sample_weight)
        counts: Counter[str] = Counter()
        for label, weight in zip(y, sample_weight or [1.0] * len(y), strict=True):
            counts[label] += weight
        total = sum(counts.values())
        self.priors = np.array([counts[label] for label in self.labels], dtype=float) / total
        return self

    def predict_proba(self, units: Sequence[Unit]) -> np.ndarray:
        if self.priors is None:
            raise RuntimeError("Majority is not fitted")
        return np.tile(self.priors, (len(units), 1))

    def save_files(self, path: Path) -> dict:
        return {"labels": list(self.labels), "priors": self.priors.tolist()}

    @classmethod
    def load_files(cls, path: Path, params: dict) -> Self:
        return cls(**params)
