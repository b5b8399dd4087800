"""The learning curve of added collections: CV on the news folds with growing, nested,
seeded shares of one collection's labelled documents added to every training fold; only
news documents are scored, so an added document never leaks into the score."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
from omegaconf import DictConfig

from armstance.evaluation.scoring import score
from armstance.schema import GoldDocument
from armstance.training.cross_validation import cross_validate

TABLE = "learning_curve.json"


PLOT = "learning_curve.png"


NEWS = "news"


@dataclass(frozen=True)
class Point:
    collection: str
    fraction: float
    docs_added: int
    units_added: int
    cv_e2e_stance_f_avg: float | None
    cv_e2e_stance_f_avg_lo: float | None
    cv_e2e_stance_f_avg_hi: float | None
    cv_oracle_stance_f_avg: float | None
    cv_e2e_sentiment_macro_f1: float | None
    cv_e2e_stance_f_avg_de: float | None = None
    cv_e2e_stance_f_avg_en: float | None = None
    cv_e2e_stance_f1_against_en: float | None = None


def nested_draws(
    docs: Sequence[GoldDocument], fractions: Sequence[float], seed: int
) -> dict[float, list[GoldDocument]]:
    """For each fraction, the first round(f * n) documents of one seeded shuffle: a larger
    share holds every smaller one, so a curve adds documents and never swaps them."""
    order = sorted(docs, key=lambda d: d.doc_id)
    random.Random(seed).shuffle(order)
    return {f: order[: round(f * len(order))] for f in fractions}


def cv_point(
    cfg: DictConfig,
    fit,
    news: Sequence[GoldDocument],
    added: Sequence[GoldDocument],
    fold_of: dict[str, int],
) -> dict[str, float | None]:
    """CV scores on the news documents, `added` joining every fold's training set."""

    def fit_with_added(train: Sequence[GoldDocument]):
        return fit([*train, *added])

    cv = cross_validate(fit_with_added, news, fold_of, e2e=True, n_jobs=cfg.evaluation.n_jobs)
    gold = [d.to_annotation() for d in news]
    texts = {d.doc_id: d.text for d in news}
    boot = {"n_boot": cfg.evaluation.n_boot, "seed": cfg.evaluation.boot_seed}
    e2e = score(gold, cv.e2e, texts, mode="e2e", **boot)
    oracle = score(gold, cv.oracle, texts, mode="oracle", n_boot=0)
    return {
        "cv_e2e_stance_f_avg": e2e["stance_f_avg"],
        "cv_e2e_stance_f_avg_lo": e2e.get("stance_f_avg_lo"),
        "cv_e2e_stance_f_avg_hi": e2e.get("stance_f_avg_hi"),
        "cv_oracle_stance_f_avg": oracle["stance_f_avg"],
        "cv_e2e_sentiment_macro_f1": e2e["sentiment_macro_f1"],
        "cv_e2e_stance_f_avg_de": e2e.get("stance_f_avg_de"),
        "cv_e2e_stance_f_avg_en": e2e.get("stance_f_avg_en"),
        "cv_e2e_stance_f1_against_en": e2e.get("stance_f1_against_en"),
    }


def curve_figure(points: Sequence[Point]):
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=110)
    base = next(p for p in points if p.collection == NEWS)
    for collection in sorted({p.collection for p in points} - {NEWS}):
        line = [base, *[p for p in points if p.collection == collection]]
        x = [p.units_added for p in line]
        y = [p.cv_e2e_stance_f_avg for p in line]
        lo = [p.cv_e2e_stance_f_avg_lo for p in line]
        hi = [p.cv_e2e_stance_f_avg_hi for p in line]
        ax.plot(x, y, marker="o", label=collection)
        if None not in lo and None not in hi:
            ax.fill_between(x, lo, hi, alpha=0.15)
    ax.set(
        xlabel="training units added (gold actors of the added documents)",
        ylabel="CV e2e stance F_avg on the news",
        title="Learning curve: labelled collections added to the news",
    )
    ax.legend()
    fig.tight_layout()
    return fig
