"""Do the predicted probabilities mean what they say? ECE and reliability diagrams.

Confidence is the largest class probability, the prediction its class (the label the
pipeline reports). With bins B_m = ((m-1)/M, m/M] over confidence:
ECE = sum_m |B_m|/n * |accuracy(B_m) - mean confidence(B_m)|  (Guo et al., 2017).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

N_BINS = 15


@dataclass(frozen=True)
class Reliability:
    """Per bin: item count, mean confidence and accuracy (NaN in empty bins)."""

    edges: np.ndarray
    counts: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray

    @property
    def ece(self) -> float | None:
        n = self.counts.sum()
        if n == 0:
            return None
        filled = self.counts > 0
        gaps = np.abs(self.accuracy[filled] - self.confidence[filled])
        return float((self.counts[filled] / n * gaps).sum())


def _check(proba: np.ndarray, gold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    proba = np.asarray(proba, dtype=float)
    gold = np.asarray(gold, dtype=int)
    if proba.ndim != 2 or gold.shape != (proba.shape[0],):
        raise ValueError(
            f"expected probabilities (n, k) and n gold indices, got {proba.shape} and {gold.shape}"
        )
    if gold.size and (gold.min() < 0 or gold.max() >= proba.shape[1]):
        raise ValueError(f"gold indices must lie in [0, {proba.shape[1]})")
    return proba, gold


def reliability(proba: np.ndarray, gold: np.ndarray, n_bins: int = N_BINS) -> Reliability:
    """Bin items by confidence (max probability) into `n_bins` equal-width bins."""
    proba, gold = _check(proba, gold)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    confidence = proba.max(axis=1) if proba.size else np.zeros(0)
    correct = (proba.argmax(axis=1) == gold) if proba.size else np.zeros(0, dtype=bool)
    # Right-closed bins; a confidence of exactly 0 (impossible for a distribution) joins bin 1.
    index = np.clip(np.ceil(confidence * n_bins).astype(int) - 1, 0, n_bins - 1)
    counts = np.bincount(index, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(index, weights=confidence, minlength=n_bins) / counts
        accuracy = np.bincount(index, weights=correct.astype(float), minlength=n_bins) / counts
    return Reliability(edges, counts, mean_conf, accuracy)


def expected_calibration_error(
    proba: np.ndarray, gold: np.ndarray, n_bins: int = N_BINS
) -> float | None:
    """ECE of class probabilities `proba` (n, k) against gold class indices (n,); None
    when there are no items."""
    return reliability(proba, gold, n_bins).ece


def reliability_figure(curves: Mapping[str, Reliability], title: str):
    """Accuracy against confidence per bin, one line per named curve (e.g. all, de, en);
    marker area grows with the bin's item count."""
    fig, ax = plt.subplots(figsize=(4.6, 4.2), dpi=120)
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfect")
    for name, curve in curves.items():
        filled = curve.counts > 0
        ece = curve.ece
        label = f"{name} (ECE {ece:.3f}, n={int(curve.counts.sum())})" if ece is not None else name
        (line,) = ax.plot(curve.confidence[filled], curve.accuracy[filled], label=label)
        sizes = 12 + 120 * curve.counts[filled] / max(int(curve.counts.max()), 1)
        ax.scatter(
            curve.confidence[filled], curve.accuracy[filled], s=sizes, color=line.get_color()
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence (max probability)")
    ax.set_ylabel("accuracy")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


def proba_matrix(rows: Sequence[Mapping[str, float]], labels: Sequence[str]) -> np.ndarray:
    """Probability dicts (as in DocumentPrediction) to an (n, k) array in `labels` order."""
    return np.array([[row[label] for label in labels] for row in rows], dtype=float).reshape(
        len(rows), len(labels)
    )
