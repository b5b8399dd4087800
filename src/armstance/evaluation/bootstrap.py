"""Bootstrap intervals over documents, on precomputed per-document counts.

Metrics here are functions of counts summed over documents (confusion matrices, actor
counts), so a resample is a vector of document multiplicities and its totals are one
matrix product: 1,000 resamples of a few hundred documents take milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

PerDoc = Mapping[str, np.ndarray]
"""Named count arrays, each of shape (n_docs, ...)."""

Interval = tuple[float | None, float | None]

Statistic = Callable[[Mapping[str, np.ndarray]], np.ndarray]
"""Maps summed counts (with any leading batch dimensions) to a metric, NaN for n/a."""


def resample_counts(n_docs: int, n_boot: int, seed: int = 0) -> np.ndarray:
    """How often each document is drawn in each resample: shape (n_boot, n_docs)."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_docs, size=(n_boot, n_docs)) if n_docs else np.zeros((n_boot, 0))
    offsets = np.arange(n_boot)[:, None] * n_docs
    flat = (draws + offsets).astype(np.int64).ravel()
    return np.bincount(flat, minlength=n_boot * n_docs).reshape(n_boot, n_docs)


def totals(per_doc: PerDoc, weights: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Sum the per-document counts, weighted by `weights` (n_boot, n_docs) when given."""
    if weights is None:
        return {name: counts.sum(axis=0) for name, counts in per_doc.items()}
    return {name: np.tensordot(weights, counts, axes=(1, 0)) for name, counts in per_doc.items()}


def percentile_interval(values: np.ndarray, level: float = 0.95) -> Interval:
    """Percentile interval of the resampled values; resamples where the metric is n/a
    (NaN) are dropped. (None, None) when no resample has a value."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return None, None
    tail = 100 * (1 - level) / 2
    lo, hi = np.percentile(values, [tail, 100 - tail])
    return float(lo), float(hi)


def intervals(
    per_doc: PerDoc,
    statistics: Mapping[str, Statistic],
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, Interval]:
    """Percentile interval of each statistic over the same `n_boot` document resamples."""
    n_docs = len(next(iter(per_doc.values())))
    resampled = totals(per_doc, resample_counts(n_docs, n_boot, seed))
    return {name: percentile_interval(stat(resampled), level) for name, stat in statistics.items()}
