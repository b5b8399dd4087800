"""Paired bootstrap: is model A better than model B on the same documents, or is it noise?

Both prediction sets are scored against the same gold documents and every resample draws
the same documents for both, so the interval is that of the difference itself: much
narrower than comparing two independent intervals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from armstance.evaluation.bootstrap import percentile_interval, resample_counts, totals
from armstance.evaluation.metrics import optional
from armstance.evaluation.scoring import (
    E2E_STATISTICS,
    STATISTICS,
    PredictedDoc,
    aligned_rows,
)
from armstance.schema import DocumentAnnotation

PAIRED_METRICS = ("stance_f_avg", "sentiment_macro_f1")
# End to end, also the share of predicted actors that are actors: what an actor filter buys.
E2E_PAIRED_METRICS = (*PAIRED_METRICS, "actor_precision_all")
LABELS = {
    "stance_f_avg": "stance F_avg",
    "sentiment_macro_f1": "sentiment macro-F1",
    "actor_precision_all": "actor precision (every predicted actor)",
}


@dataclass(frozen=True)
class PairedResult:
    """Difference A − B of one metric, with its percentile interval over resamples.

    `p_value` is the share of resamples where A ≤ B: a one-sided p-value for "A is better".
    """

    metric: str
    a: float | None
    b: float | None
    difference: float | None
    lo: float | None
    hi: float | None
    p_value: float | None
    n_docs: int
    n_boot: int

    @property
    def real(self) -> bool:
        """The interval excludes 0."""
        if self.lo is None or self.hi is None:
            return False
        return self.lo > 0 or self.hi < 0

    def verdict(self, name_a: str = "A", name_b: str = "B") -> str:
        label = LABELS.get(self.metric, self.metric)
        if self.difference is None:
            return f"{label}: n/a (undefined for at least one model)"
        p = "n/a" if self.p_value is None else f"{self.p_value:.3f}"
        numbers = (
            f"{label}: {name_a} − {name_b} = {self.difference:+.3f} "
            f"[{_fmt(self.lo)}, {_fmt(self.hi)}], p(A ≤ B) = {p}"
        )
        if not self.real:
            return f"{numbers}: not distinguishable from noise (the interval includes 0)"
        better = name_a if self.difference > 0 else name_b
        return f"{numbers}: real, {better} is better (the interval excludes 0)"


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.3f}"


def paired_bootstrap(
    gold: Sequence[DocumentAnnotation],
    pred_a: Sequence[PredictedDoc],
    pred_b: Sequence[PredictedDoc],
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    metrics: Sequence[str] | None = None,
    *,
    mode: str = "oracle",
    texts: Mapping[str, str] | None = None,
    source_a: str = "predictions A",
    source_b: str = "predictions B",
) -> dict[str, PairedResult]:
    """Paired bootstrap over the gold documents of A − B for each metric.

    In oracle mode each prediction set must judge every gold actor; e2e mode matches
    predicted to gold actors on `texts`, as scoring does, and adds the actor precision over
    every predicted actor to the default metrics. The `source_*` names label error messages.
    """
    if metrics is None:
        metrics = E2E_PAIRED_METRICS if mode == "e2e" else PAIRED_METRICS
    statistics = {**STATISTICS, **E2E_STATISTICS} if mode == "e2e" else STATISTICS
    per_doc_a = aligned_rows(gold, pred_a, texts, mode, pred_source=source_a).per_doc_counts()
    per_doc_b = aligned_rows(gold, pred_b, texts, mode, pred_source=source_b).per_doc_counts()
    weights = resample_counts(len(gold), n_boot, seed)
    point_a, point_b = totals(per_doc_a), totals(per_doc_b)
    boot_a, boot_b = totals(per_doc_a, weights), totals(per_doc_b, weights)
    out = {}
    for name in metrics:
        statistic = statistics[name]
        a, b = optional(statistic(point_a)), optional(statistic(point_b))
        diffs = np.asarray(statistic(boot_a) - statistic(boot_b), dtype=float)
        defined = diffs[~np.isnan(diffs)]
        lo, hi = percentile_interval(defined, level)
        out[name] = PairedResult(
            metric=name,
            a=a,
            b=b,
            difference=None if a is None or b is None else a - b,
            lo=lo,
            hi=hi,
            p_value=float(np.mean(defined <= 0)) if defined.size else None,
            n_docs=len(gold),
            n_boot=n_boot,
        )
    return out
