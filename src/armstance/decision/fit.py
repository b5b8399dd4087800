"""Decision rules fitted by nested cross-validation on training documents only.

The classifiers are refitted on an inner k-fold of the documents given (in outer
cross-validation: that fold's training documents), each inner model predicts its held-out
documents, and the class weights of rules.py are fitted on those out-of-fold
predictions. With `units: e2e` the held-out documents go through the actor extractor, as
at prediction time: an extracted actor the gold does not list is a `none` row (the false
positives the weights must learn to avoid), a gold actor the extractor missed is a row held
at `none` (it still counts in the metric). Sentiment rows are the matched actors only, as
in scoring.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold

from armstance.corpus.sources import collection_of
from armstance.decision.rules import REFERENCE, ClassWeights, fit_class_weights
from armstance.evaluation.matcher import match_actors
from armstance.models.base import UnitClassifier
from armstance.schema import TASK_LABELS, Document, GoldDocument
from armstance.units import UnitBuilder

UNIT_MODES = ("e2e", "oracle")
SPLIT_SEED = 0


@dataclass(frozen=True)
class DecisionConfig:
    """`tasks` whose weights are fitted (others decide by argmax), on `inner_folds` folds
    of the training documents, over extracted (`e2e`) or gold (`oracle`) actors, scored on
    the held-out documents of `collections` (doc_id prefixes; None: all). The inner models
    train on every training document; the weights are fitted where they will be used."""

    tasks: tuple[str, ...] = ()
    inner_folds: int = 5
    units: str = "e2e"
    collections: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        unknown = set(self.tasks) - set(TASK_LABELS)
        if unknown:
            raise ValueError(f"decision.tasks: unknown {sorted(unknown)}; use {list(TASK_LABELS)}")
        if self.units not in UNIT_MODES:
            raise ValueError(f"decision.units must be one of {UNIT_MODES}, not {self.units!r}")
        if self.tasks and self.inner_folds < 2:
            raise ValueError(f"decision.inner_folds must be at least 2, got {self.inner_folds}")


@dataclass
class Rows:
    proba: list[np.ndarray]
    gold: list[str]

    def add(self, proba: np.ndarray, gold: Sequence[str]) -> None:
        if len(gold):
            self.proba.append(np.asarray(proba))
            self.gold += list(gold)


def inner_splits(
    docs: Sequence[GoldDocument], k: int
) -> Iterator[tuple[list[GoldDocument], list[GoldDocument]]]:
    """k folds of documents, stratified on holding an `against` actor as the outer folds
    are (where both strata have k documents)."""
    strata = np.array([any(a.stance == "against" for a in d.actors) for d in docs])
    if min(strata.sum(), (~strata).sum()) >= k:
        splitter = StratifiedKFold(k, shuffle=True, random_state=SPLIT_SEED)
    else:
        splitter = KFold(min(k, len(docs)), shuffle=True, random_state=SPLIT_SEED)
    for train, held in splitter.split(np.zeros(len(docs)), strata):
        yield [docs[i] for i in train], [docs[i] for i in held]


def held_out_rows(
    classifiers: dict[str, UnitClassifier],
    docs: Sequence[GoldDocument],
    builder: UnitBuilder,
    extractor: object | None,
    units: str,
    rows: dict[str, Rows],
) -> None:
    """Append each task's (probabilities, gold label) rows of `docs` to `rows`."""
    # A gold actor the extractor missed is predicted `none` whatever the weights.
    held_at_none = np.eye(len(TASK_LABELS["stance"]))[
        TASK_LABELS["stance"].index(REFERENCE["stance"])
    ]
    for doc in docs:
        if units == "oracle":
            gold_units = builder.from_gold(doc)
            for task in rows:
                if gold_units:
                    rows[task].add(
                        classifiers[task].predict_proba(gold_units),
                        [getattr(u, task) for u in gold_units],
                    )
            continue
        plain = Document(doc_id=doc.doc_id, lang=doc.lang, text=doc.text)
        actors = extractor.extract(plain)
        matching = match_actors(doc.actors, actors, doc.text)
        gold_of = {j: doc.actors[i] for i, j in matching.pairs}
        extracted = builder.from_extracted(plain, doc.lang, actors)
        if "stance" in rows:
            if extracted:
                rows["stance"].add(
                    classifiers["stance"].predict_proba(extracted),
                    [gold_of[j].stance if j in gold_of else "none" for j in range(len(actors))],
                )
            missed = [doc.actors[i].stance for i in matching.unmatched_gold]
            rows["stance"].add(np.tile(held_at_none, (len(missed), 1)), missed)
        if "sentiment" in rows:
            matched = [j for j in range(len(actors)) if j in gold_of]
            if matched:
                rows["sentiment"].add(
                    classifiers["sentiment"].predict_proba([extracted[j] for j in matched]),
                    [gold_of[j].sentiment for j in matched],
                )


def fit_decisions(
    fit: Callable[[Sequence[GoldDocument]], dict[str, UnitClassifier]],
    docs: Sequence[GoldDocument],
    builder: UnitBuilder,
    extractor: object | None,
    config: DecisionConfig,
) -> dict[str, ClassWeights]:
    """Class weights per task of `config.tasks`, from inner out-of-fold predictions.

    `fit` fits the classifiers of `config.tasks` on a list of documents."""
    if not config.tasks:
        return {}
    if config.units == "e2e" and extractor is None:
        raise ValueError("decision.units=e2e needs an actor extractor")
    rows = {task: Rows([], []) for task in config.tasks}
    for train, held in inner_splits(docs, config.inner_folds):
        scored = [
            d
            for d in held
            if config.collections is None or collection_of(d.doc_id) in config.collections
        ]
        held_out_rows(fit(train), scored, builder, extractor, config.units, rows)
    return {
        task: fit_class_weights(task, np.vstack(r.proba), r.gold)
        for task, r in rows.items()
        if r.gold
    }
