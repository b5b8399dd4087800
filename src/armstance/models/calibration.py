"""Post-hoc calibration of any unit classifier: temperature scaling or isotonic regression.

The calibrator is fitted on out-of-fold probabilities of an inner k-fold by document
*inside* the units given to `fit`; in cross-validation those are the training folds, so
the held-out fold never informs the calibration (DESIGN.md, Leakage rules).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Self

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.isotonic import IsotonicRegression
from sklearn.model_selection import GroupKFold

from armstance.models.base import (
    UnitClassifier,
    Weights,
    check_fit_input,
    load_classifier,
    weights_at,
)
from armstance.schema import Unit

METHODS = ("none", "temperature", "isotonic")
BASE_DIR = "base"
EPS = 1e-12
LOG_T_BOUNDS = (-4.0, 4.0)  # temperatures from 0.02 to 55


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def temperature_scale(proba: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log p / T): T > 1 softens over-confident probabilities, T < 1 sharpens."""
    return softmax(np.log(np.clip(proba, EPS, 1.0)) / temperature)


def nll(proba: np.ndarray, gold: np.ndarray) -> float:
    """Mean negative log-likelihood of the gold class indices."""
    return float(-np.log(np.clip(proba[np.arange(len(gold)), gold], EPS, 1.0)).mean())


def fit_temperature(proba: np.ndarray, gold: np.ndarray) -> float:
    """The temperature minimising NLL (1-D bounded search over log T)."""
    result = minimize_scalar(
        lambda log_t: nll(temperature_scale(proba, float(np.exp(log_t))), gold),
        bounds=LOG_T_BOUNDS,
        method="bounded",
    )
    return float(np.exp(result.x))


def fit_isotonic(proba: np.ndarray, gold: np.ndarray) -> list[list[list[float]]]:
    """Per class, the isotonic map p_k -> P(gold = k) as [thresholds, values]."""
    maps = []
    for k in range(proba.shape[1]):
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        iso.fit(proba[:, k], (gold == k).astype(float))
        maps.append([iso.X_thresholds_.tolist(), iso.y_thresholds_.tolist()])
    return maps


def apply_isotonic(proba: np.ndarray, maps: Sequence[Sequence[Sequence[float]]]) -> np.ndarray:
    """Map each class column, then renormalise rows; a row mapped to all zeros keeps the
    uncalibrated probabilities rather than inventing a uniform guess."""
    # np.interp clamps outside the thresholds, as IsotonicRegression(out_of_bounds="clip").
    mapped = np.column_stack(
        [np.interp(proba[:, k], x, y) for k, (x, y) in enumerate(maps)]
    ).reshape(proba.shape)
    sums = mapped.sum(axis=1, keepdims=True)
    return np.where(sums > 0, mapped / np.where(sums > 0, sums, 1.0), proba)


class CalibratedClassifier(UnitClassifier):
    """A base classifier whose probabilities pass through a fitted calibration map.

    `base` is an unfitted prototype: each inner fold fits a fresh copy of it, and the
    final model is a copy fitted on all the given units.
    """

    def __init__(
        self,
        labels: Sequence[str],
        base: UnitClassifier,
        method: str = "temperature",
        inner_folds: int = 3,
        temperature: float | None = None,
        isotonic: list | None = None,
    ):
        super().__init__(labels)
        if method not in METHODS[1:]:
            raise ValueError(f"calibration method must be one of {METHODS[1:]}, not {method!r}")
        if tuple(base.labels) != self.labels:
            raise ValueError(f"base labels {base.labels} differ from {self.labels}")
        self.base = base
        self.method = method
        self.inner_folds = int(inner_folds)
        self.temperature = temperature
        self.isotonic = isotonic

    def out_of_fold_proba(
        self, units: Sequence[Unit], y: Sequence[str], sample_weight: Weights = None
    ) -> np.ndarray:
        """Probabilities of each unit from a copy of the base fitted on the other documents."""
        groups = [u.doc_id for u in units]
        n_docs = len(set(groups))
        if n_docs < 2:
            raise ValueError(f"calibration needs units of at least 2 documents, got {n_docs}")
        proba = np.zeros((len(units), len(self.labels)))
        labels = np.asarray(y)
        for train, held_out in GroupKFold(min(self.inner_folds, n_docs)).split(units, y, groups):
            model = copy.deepcopy(self.base).fit(
                [units[i] for i in train], labels[train].tolist(), weights_at(sample_weight, train)
            )
            proba[held_out] = model.predict_proba([units[i] for i in held_out])
        return proba

    def fit(self, units: Sequence[Unit], y: Sequence[str], sample_weight: Weights = None) -> Self:
        check_fit_input(units, y, self.labels, sample_weight)
        proba = self.out_of_fold_proba(units, y, sample_weight)
        gold = np.array([self.labels.index(label) for label in y], dtype=int)
        if self.method == "temperature":
            self.temperature = fit_temperature(proba, gold)
        else:
            self.isotonic = fit_isotonic(proba, gold)
        self.base = copy.deepcopy(self.base).fit(units, y, sample_weight)
        return self

    def calibrate(self, proba: np.ndarray) -> np.ndarray:
        if self.method == "temperature":
            if self.temperature is None:
                raise RuntimeError("CalibratedClassifier is not fitted")
            return temperature_scale(proba, self.temperature)
        if self.isotonic is None:
            raise RuntimeError("CalibratedClassifier is not fitted")
        return apply_isotonic(proba, self.isotonic)

    def predict_proba(self, units: Sequence[Unit]) -> np.ndarray:
        if not units:
            return np.zeros((0, len(self.labels)))
        return self.calibrate(self.base.predict_proba(units))

    def save_files(self, path: Path) -> dict:
        self.base.save(path / BASE_DIR)
        return {
            "labels": list(self.labels),
            "method": self.method,
            "inner_folds": self.inner_folds,
            "temperature": self.temperature,
            "isotonic": self.isotonic,
        }

    @classmethod
    def load_files(cls, path: Path, params: dict) -> Self:
        return cls(base=load_classifier(path / BASE_DIR), **params)


def calibrated(classifier: UnitClassifier, method: str, inner_folds: int = 3) -> UnitClassifier:
    """`classifier` wrapped for the configured calibration method (`none`: unchanged)."""
    if method not in METHODS:
        raise ValueError(f"model.calibration must be one of {METHODS}, not {method!r}")
    if method == "none":
        return classifier
    return CalibratedClassifier(classifier.labels, classifier, method, inner_folds)
