"""Decision rules: from a unit's class probabilities to its label.

The label is the argmax of the probabilities times per-class weights. Weights of one
(the default) give the plain argmax; weights fitted on held-out predictions trade classes
against each other for the task's headline metric: F_avg for stance (a `favor` or
`against` call on an actor the text gives no stance costs precision, a missed one costs
recall), macro-F1 for sentiment. The probabilities themselves are left as they are, so the
reported confidences stay the model's.

Weights are searched on a log grid relative to a reference class (`none`, `neutral`), and
the metric surface is smoothed over neighbouring grid points before the best point is
taken: with a few dozen `against` units a single lucky cell is noise, a plateau is not.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter

from armstance.evaluation.metrics import f_avg, macro_f1
from armstance.schema import TASK_LABELS

REFERENCE = {"stance": "none", "sentiment": "neutral"}
METRICS = {"stance": f_avg, "sentiment": macro_f1}
GRID = np.exp(np.linspace(np.log(0.125), np.log(8.0), 25))
SMOOTHING = 3  # grid points per side of the smoothing window


@dataclass(frozen=True)
class ClassWeights:
    """label = labels[argmax_k weights[k] * p_k]."""

    task: str
    weights: tuple[float, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return TASK_LABELS[self.task]

    @classmethod
    def identity(cls, task: str) -> ClassWeights:
        return cls(task, (1.0,) * len(TASK_LABELS[task]))

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """Label indices of the rows of `proba`."""
        return np.argmax(np.asarray(proba) * np.asarray(self.weights), axis=-1)

    def to_dict(self) -> dict:
        return {"task": self.task, "weights": dict(zip(self.labels, self.weights, strict=True))}

    @classmethod
    def from_dict(cls, data: dict) -> ClassWeights:
        labels = TASK_LABELS[data["task"]]
        return cls(data["task"], tuple(float(data["weights"][label]) for label in labels))


def confusions(gold: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    """Confusion matrices of a batch of predictions: pred (..., n) -> (..., k, k)."""
    onehot_gold = np.eye(k, dtype=np.int64)[gold]  # (n, k)
    onehot_pred = np.eye(k, dtype=np.int64)[pred]  # (..., n, k)
    return np.einsum("ng,...np->...gp", onehot_gold, onehot_pred)


def fit_class_weights(task: str, proba: np.ndarray, gold: Sequence[str]) -> ClassWeights:
    """The weights that maximise the task's metric on (proba, gold), smoothed over the grid.

    Rows whose probabilities cannot move (an actor the extractor missed, held at `none`
    with probability one) still count in the metric: pass them in.
    """
    labels = TASK_LABELS[task]
    if len(gold) == 0:
        return ClassWeights.identity(task)
    gold_idx = np.array([labels.index(g) for g in gold])
    free = [k for k, label in enumerate(labels) if label != REFERENCE[task]]
    points = list(itertools.product(range(len(GRID)), repeat=len(free)))
    weights = np.ones((len(points), len(labels)))
    for row, point in enumerate(points):
        for k, g in zip(free, point, strict=True):
            weights[row, k] = GRID[g]
    pred = np.argmax(np.asarray(proba)[None, :, :] * weights[:, None, :], axis=-1)
    scores = METRICS[task](confusions(gold_idx, pred, len(labels)))
    surface = np.nan_to_num(scores, nan=0.0).reshape((len(GRID),) * len(free))
    smoothed = uniform_filter(surface, size=2 * SMOOTHING + 1, mode="nearest")
    best = int(np.argmax(smoothed))
    return ClassWeights(task, tuple(float(w) for w in weights[best]))
