"""Agreement between two annotators, scored with the same matcher as the models.

Annotator A is the reference: B's actors are matched to A's as predictions to gold in
e2e mode, on the documents both annotated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from armstance.evaluation.bootstrap import Statistic, intervals, totals
from armstance.evaluation.metrics import cohen_kappa, f_avg, macro_f1, optional, ratio
from armstance.evaluation.scoring import aligned_rows
from armstance.schema import DocumentAnnotation

# Both annotators list stance-less prominent actors alike, so unlike model scoring every
# actor of B counts toward precision.
STATISTICS: dict[str, Statistic] = {
    "stance_kappa": lambda t: cohen_kappa(t["stance"]),
    "stance_f_avg": lambda t: f_avg(t["stance"]),
    "stance_macro_f1": lambda t: macro_f1(t["stance"]),
    "sentiment_kappa": lambda t: cohen_kappa(t["sentiment"]),
    "sentiment_macro_f1": lambda t: macro_f1(t["sentiment"]),
    "actor_jaccard": lambda t: ratio(
        t["matched"], t["gold_actors"] + t["pred_actors"] - t["matched"]
    ),
    "actor_precision": lambda t: ratio(t["matched"], t["pred_actors"]),
    "actor_recall": lambda t: ratio(t["matched"], t["gold_actors"]),
}
WITH_INTERVAL = ("stance_f_avg", "stance_kappa")


def agreement(
    a: Sequence[DocumentAnnotation],
    b: Sequence[DocumentAnnotation],
    texts: Mapping[str, str] | None,
    n_boot: int = 1000,
    seed: int = 0,
    **sources: str,
) -> dict[str, float | int | None]:
    """Stance and sentiment agreement of B with A, and how far their actor lists overlap.

    Stance is compared over matched actors plus unmatched ones taken as `none`; sentiment
    over matched actors only. Counts: `n_docs`, `actor_matched`, `actor_count_a`,
    `actor_count_b`. `sources` (gold_source, pred_source, texts_source) label errors.
    """
    in_b = {doc.doc_id for doc in b}
    common_a = [doc for doc in a if doc.doc_id in in_b]
    in_a = {doc.doc_id for doc in common_a}
    common_b = [doc for doc in b if doc.doc_id in in_a]
    per_doc = aligned_rows(common_a, common_b, texts, "e2e", **sources).per_doc_counts()
    point = totals(per_doc)
    out: dict[str, float | int | None] = {
        "n_docs": len(common_a),
        "actor_matched": int(point["matched"]),
        "actor_count_a": int(point["gold_actors"]),
        "actor_count_b": int(point["pred_actors"]),
    }
    out.update({name: optional(statistic(point)) for name, statistic in STATISTICS.items()})
    if n_boot:
        with_interval = {name: STATISTICS[name] for name in WITH_INTERVAL}
        for name, (lo, hi) in intervals(per_doc, with_interval, n_boot, seed).items():
            out[f"{name}_lo"], out[f"{name}_hi"] = lo, hi
    return out
