"""Scoring of predicted documents against gold documents (DESIGN.md, Contracts: Scoring).

`aligned_rows` pairs gold and predicted actors into rows, `score_alignment` turns rows
into metrics with bootstrap intervals, `score` does both. Metric names carry no
`{split}_{mode}_` prefix: the caller adds it when logging.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from armstance.errors import DataError
from armstance.evaluation.bootstrap import Statistic, intervals, totals
from armstance.evaluation.matcher import match_actors
from armstance.evaluation.metrics import class_f1, f_avg, macro_f1, optional, ratio
from armstance.schema import (
    LANGS,
    SENTIMENTS,
    STANCES,
    ActorAnnotation,
    ActorJudgement,
    DocumentAnnotation,
    DocumentPrediction,
)

log = logging.getLogger(__name__)

MODES = ("e2e", "oracle")
HEADLINE = ("stance_f_avg", "stance_macro_f1", "sentiment_macro_f1")


def _stance_f1(label: str) -> Statistic:
    k = STANCES.index(label)
    return lambda t: class_f1(t["stance"])[..., k]


STATISTICS: dict[str, Statistic] = {
    "stance_f_avg": lambda t: f_avg(t["stance"]),
    "stance_macro_f1": lambda t: macro_f1(t["stance"]),
    **{f"stance_f1_{label}": _stance_f1(label) for label in STANCES},
    "sentiment_macro_f1": lambda t: macro_f1(t["sentiment"]),
}
# Only predicted actors with a stance count toward precision, matched or not: gold lists
# every actor with a stance but only the prominent stance-less ones (GUIDELINES §2), so
# an extra stance-less prediction is no error.
# What a user sees is every predicted actor, stance or not: `actor_precision_all` counts
# them all (an extracted candidate that is no actor is an error on the page).
E2E_STATISTICS: dict[str, Statistic] = {
    "actor_precision": lambda t: ratio(t["matched_stanced"], t["pred_stanced"]),
    "actor_precision_all": lambda t: ratio(t["matched"], t["pred_actors"]),
    "actor_recall": lambda t: ratio(t["matched"], t["gold_actors"]),
}
COUNTS = ("gold_actors", "pred_actors", "matched", "pred_stanced", "matched_stanced")


@dataclass(frozen=True)
class AlignedRow:
    """One gold actor, one predicted actor, or a matched pair of both.

    A side without an actor has stance `none` and sentiment None.
    """

    doc_id: str
    lang: str
    gold_actor: str | None
    pred_actor: str | None
    gold_stance: str
    pred_stance: str
    gold_sentiment: str | None
    pred_sentiment: str | None

    @property
    def matched(self) -> bool:
        return self.gold_actor is not None and self.pred_actor is not None


@dataclass(frozen=True)
class Alignment:
    mode: str
    docs: list[tuple[str, str]]
    """(doc_id, lang) of every scored gold document, whether it has rows or not."""
    rows: list[AlignedRow]
    ignored_pred_docs: list[str] = field(default_factory=list)
    """Predicted doc_ids absent from gold."""

    def subset(self, doc_ids: Sequence[str]) -> Alignment:
        """The alignment restricted to `doc_ids` (e.g. one cross-validation fold)."""
        keep = set(doc_ids)
        return Alignment(
            self.mode,
            [d for d in self.docs if d[0] in keep],
            [r for r in self.rows if r.doc_id in keep],
        )

    def per_doc_counts(self) -> dict[str, np.ndarray]:
        """Counts per document, each array of shape (n_docs, ...), in `docs` order:
        stance and sentiment confusion matrices (gold rows, predicted columns; sentiment
        over matched actors only) and the actor counts named in COUNTS."""
        position = {doc_id: n for n, (doc_id, _) in enumerate(self.docs)}
        n = len(self.docs)
        counts = {
            "stance": np.zeros((n, len(STANCES), len(STANCES)), dtype=np.int64),
            "sentiment": np.zeros((n, len(SENTIMENTS), len(SENTIMENTS)), dtype=np.int64),
            **{name: np.zeros(n, dtype=np.int64) for name in COUNTS},
        }
        for row in self.rows:
            d = position[row.doc_id]
            counts["stance"][d, STANCES.index(row.gold_stance), STANCES.index(row.pred_stance)] += 1
            counts["gold_actors"][d] += row.gold_actor is not None
            counts["pred_actors"][d] += row.pred_actor is not None
            stanced = row.pred_actor is not None and row.pred_stance != "none"
            counts["pred_stanced"][d] += stanced
            if row.matched:
                counts["matched"][d] += 1
                counts["matched_stanced"][d] += stanced
                gold_k = SENTIMENTS.index(row.gold_sentiment)
                pred_k = SENTIMENTS.index(row.pred_sentiment)
                counts["sentiment"][d, gold_k, pred_k] += 1
        return counts


PredictedDoc = DocumentAnnotation | DocumentPrediction
PredictedActor = ActorAnnotation | ActorJudgement


def _row(
    doc: DocumentAnnotation, gold: ActorAnnotation | None, pred: PredictedActor | None
) -> AlignedRow:
    return AlignedRow(
        doc.doc_id,
        doc.lang,
        gold.actor if gold else None,
        pred.actor if pred else None,
        gold.stance if gold else "none",
        pred.stance if pred else "none",
        gold.sentiment if gold else None,
        pred.sentiment if pred else None,
    )


def _by_id(docs: Sequence[PredictedDoc], source: str) -> dict[str, PredictedDoc]:
    out: dict[str, PredictedDoc] = {}
    for doc in docs:
        if doc.doc_id in out:
            raise DataError(source, None, "doc_id", f"document '{doc.doc_id}' appears twice")
        out[doc.doc_id] = doc
    return out


def aligned_rows(
    gold: Sequence[DocumentAnnotation],
    pred: Sequence[PredictedDoc],
    texts: Mapping[str, str] | None,
    mode: str,
    *,
    gold_source: str = "gold",
    pred_source: str = "predictions",
    texts_source: str = "texts",
) -> Alignment:
    """Pair the actors of each gold document with the predicted ones.

    e2e: actors are matched by `match_actors` on the document's text; an unmatched gold
    actor is predicted `none`, an unmatched predicted actor is gold `none`, a gold document
    without a predicted one has no predicted actors. oracle: the prediction must hold every
    gold actor under its canonical name (extra predicted actors are ignored); texts are
    not needed. The `*_source` names only label error messages.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    gold_by_id = _by_id(gold, gold_source)
    pred_by_id = _by_id(pred, pred_source)
    ignored = [doc_id for doc_id in pred_by_id if doc_id not in gold_by_id]
    if ignored:
        log.warning("%d predicted documents absent from gold were ignored", len(ignored))

    rows: list[AlignedRow] = []
    for doc_id, g in gold_by_id.items():
        p = pred_by_id.get(doc_id)
        pred_actors = p.actors if p is not None else []
        if mode == "e2e":
            text = (texts or {}).get(doc_id)
            if text is None:
                raise DataError(
                    texts_source, None, "doc_id", f"no text for gold document '{doc_id}'"
                )
            matching = match_actors(g.actors, pred_actors, text)
            extra_pred = matching.unmatched_pred
        else:
            matching = match_actors(g.actors, pred_actors, None)
            if matching.unmatched_gold:
                missing = g.actors[matching.unmatched_gold[0]].actor
                raise DataError(
                    pred_source,
                    None,
                    "actors",
                    f"document '{doc_id}' has no prediction for gold actor '{missing}'"
                    " (oracle mode scores exactly the gold actors)",
                )
            extra_pred = []
        rows += [_row(g, g.actors[i], pred_actors[j]) for i, j in matching.pairs]
        rows += [_row(g, g.actors[i], None) for i in matching.unmatched_gold]
        rows += [_row(g, None, pred_actors[j]) for j in extra_pred]
    return Alignment(mode, [(d, g.lang) for d, g in gold_by_id.items()], rows, ignored)


def score_alignment(
    alignment: Alignment, n_boot: int = 1000, seed: int = 0
) -> dict[str, float | None]:
    """Metrics over all documents and per language present (suffix `_{lang}`).

    Headline metrics get 95% percentile intervals (`_lo`, `_hi`) from `n_boot` resamples
    of documents (none when `n_boot` is 0); each language resamples its own documents,
    with a generator seeded `seed`.
    """
    statistics = dict(STATISTICS)
    if alignment.mode == "e2e":
        statistics.update(E2E_STATISTICS)
    headline = {name: statistics[name] for name in HEADLINE}
    per_doc = alignment.per_doc_counts()
    langs = np.array([lang for _, lang in alignment.docs])
    scopes = [("", np.arange(len(langs)))] + [
        (f"_{lang}", np.flatnonzero(langs == lang)) for lang in LANGS if lang in langs
    ]
    out: dict[str, float | None] = {}
    for suffix, index in scopes:
        scope = {name: counts[index] for name, counts in per_doc.items()}
        point = totals(scope)
        for name, statistic in statistics.items():
            out[name + suffix] = optional(statistic(point))
        if n_boot:
            for name, (lo, hi) in intervals(scope, headline, n_boot, seed).items():
                out[f"{name}{suffix}_lo"], out[f"{name}{suffix}_hi"] = lo, hi
    return out


def score(
    gold: Sequence[DocumentAnnotation],
    pred: Sequence[PredictedDoc],
    texts: Mapping[str, str] | None,
    mode: str,
    n_boot: int = 1000,
    seed: int = 0,
    **sources: str,
) -> dict[str, float | None]:
    """`aligned_rows` then `score_alignment`; `sources` (gold_source, pred_source,
    texts_source) label error messages."""
    return score_alignment(aligned_rows(gold, pred, texts, mode, **sources), n_boot, seed)
