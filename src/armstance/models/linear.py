"""A fitted linear softmax model as plain arrays: the heads of the embedding classifier and
of the stacker are saved as numbers (models/persist.py) and a JSON label list."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from armstance.models.calibration import softmax
from armstance.models.persist import load_arrays, save_arrays

WEIGHTS, LABELS = "weights.safetensors", "labels.json"


@dataclass
class LinearSoftmax:
    """softmax(x W^T + b) over `labels`; a label the fit never saw gets probability 0."""

    labels: tuple[str, ...]
    coef: np.ndarray  # (n_labels, n_features)
    intercept: np.ndarray  # (n_labels,)
    present: np.ndarray  # (n_labels,) bool

    @classmethod
    def from_sklearn(cls, model: LogisticRegression, labels: Sequence[str]) -> LinearSoftmax:
        classes = [str(c) for c in model.classes_]
        coef, intercept = model.coef_, model.intercept_
        if len(classes) == 2:
            # A binary fit keeps one weight row, for classes_[1]: softmax over (0, z) is the
            # same sigmoid.
            coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
            intercept = np.array([0.0, intercept[0]])
        labels = tuple(labels)
        full_coef = np.zeros((len(labels), coef.shape[1]))
        full_intercept = np.zeros(len(labels))
        present = np.zeros(len(labels), dtype=bool)
        for row, label in enumerate(classes):
            j = labels.index(label)
            full_coef[j], full_intercept[j], present[j] = coef[row], intercept[row], True
        return cls(labels, full_coef, full_intercept, present)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        logits = x @ self.coef.T + self.intercept
        logits[:, ~self.present] = -np.inf
        return softmax(logits)

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        arrays = {
            "coef": self.coef,
            "intercept": self.intercept,
            "present": self.present,
        }
        save_arrays(arrays, path / WEIGHTS)
        (path / LABELS).write_text(json.dumps(list(self.labels)), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LinearSoftmax:
        arrays = load_arrays(path / WEIGHTS)
        labels = tuple(json.loads((path / LABELS).read_text(encoding="utf-8")))
        return cls(labels, arrays["coef"], arrays["intercept"], arrays["present"].astype(bool))
