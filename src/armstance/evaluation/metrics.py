"""Classification metrics computed from confusion counts.

Every function takes confusion matrices with any leading batch dimensions, shape
(..., K, K) with gold labels on rows and predicted labels on columns, so that one call
scores all bootstrap resamples at once. Inside arrays NaN marks a value that is not
applicable (n/a); `optional` turns a scalar result into `float | None` for reports.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from armstance.schema import STANCES


def confusion_matrix(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    index = {label: k for k, label in enumerate(labels)}
    cm = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for g, p in zip(gold, pred, strict=True):
        cm[index[g], index[p]] += 1
    return cm


def optional(value: float | np.floating | np.ndarray) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is zero."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def class_f1(cm: np.ndarray) -> np.ndarray:
    """F1 of each class, shape (..., K). A class absent from gold and prediction is NaN.

    F1 = 2 TP / (gold count + predicted count), which equals 2PR/(P+R) and is 0 (not n/a)
    when the class occurs on one side only.
    """
    cm = np.asarray(cm, dtype=float)
    tp = np.diagonal(cm, axis1=-2, axis2=-1)
    return ratio(2 * tp, cm.sum(axis=-1) + cm.sum(axis=-2))


def _mean_available(values: np.ndarray) -> np.ndarray:
    available = ~np.isnan(values)
    return ratio(np.where(available, values, 0.0).sum(axis=-1), available.sum(axis=-1))


def f_avg(cm: np.ndarray) -> np.ndarray:
    """SemEval-2016 Task 6 F_avg: the mean of F1(favor) and F1(against) of a stance matrix.

    When one of the two classes is n/a (absent from gold and prediction, e.g. a language
    with no `against` actor) the mean is taken over the one that is available rather than
    counting the absent class as 0, which would cap the score at 0.5 for reasons that have
    nothing to do with the model. NaN only when both are n/a.
    """
    f1 = class_f1(cm)
    return _mean_available(f1[..., [STANCES.index("favor"), STANCES.index("against")]])


def macro_f1(cm: np.ndarray) -> np.ndarray:
    """Unweighted mean of the per-class F1 over the classes that are not n/a."""
    return _mean_available(class_f1(cm))


def cohen_kappa(cm: np.ndarray) -> np.ndarray:
    """Cohen's kappa between the row and the column labelling.

    NaN when there are no items, or when chance agreement is 1 (both sides used one and
    the same label throughout), where kappa is 0/0.
    """
    cm = np.asarray(cm, dtype=float)
    n = cm.sum(axis=(-2, -1))
    observed = ratio(np.diagonal(cm, axis1=-2, axis2=-1).sum(axis=-1), n)
    expected = ratio((cm.sum(axis=-1) * cm.sum(axis=-2)).sum(axis=-1), n * n)
    # The sums are integer-valued, so expected == 1 exactly when kappa is 0/0.
    return ratio(observed - expected, 1.0 - expected)
