"""Decision rules fitted by nested cross-validation on training documents only.

The classifiers are refitted on an inner k-fold of the documents given (in outer
cross-validation: that fold's training documents), each inner model predicts its held-out
documents, and the rules are fitted on those out-of-fold predictions:

- the actor filter (actor_filter.py), on every candidate the extractor finds in the
  held-out documents, labelled by whether the scoring matcher pairs it with a gold actor;
- then the class weights of rules.py, on what the filter keeps. With `units: e2e` the
  held-out documents go through the actor extractor, as at prediction time: an extracted
  actor the gold does not list is a `none` row (the false positives the weights must learn
  to avoid), a gold actor the extractor missed or the filter dropped is a row held at
  `none` (it still counts in the metric). Sentiment rows are the matched actors only, as in
  scoring.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold

from armstance.corpus.sources import collection_of
from armstance.decision.actor_filter import ActorFilter, candidate_features, fit_actor_filter
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
    train on every training document; the weights are fitted where they will be used.
    `actor_filter`: the share of listed candidates the learned actor filter keeps (None: no
    filter; it needs `units: e2e`)."""

    tasks: tuple[str, ...] = ()
    inner_folds: int = 5
    units: str = "e2e"
    collections: tuple[str, ...] | None = None
    actor_filter: float | None = None

    def __post_init__(self) -> None:
        unknown = set(self.tasks) - set(TASK_LABELS)
        if unknown:
            raise ValueError(f"decision.tasks: unknown {sorted(unknown)}; use {list(TASK_LABELS)}")
        if self.units not in UNIT_MODES:
            raise ValueError(f"decision.units must be one of {UNIT_MODES}, not {self.units!r}")
        if self.nested and self.inner_folds < 2:
            raise ValueError(f"decision.inner_folds must be at least 2, got {self.inner_folds}")
        if self.actor_filter is not None and self.units != "e2e":
            raise ValueError("decision.actor_filter needs decision.units=e2e")

    @property
    def nested(self) -> bool:
        """Whether anything is fitted on inner out-of-fold predictions."""
        return bool(self.tasks) or self.actor_filter is not None

    @property
    def inner_tasks(self) -> tuple[str, ...]:
        """The classifiers the inner folds must fit: the filter reads both tasks."""
        return tuple(TASK_LABELS) if self.actor_filter is not None else self.tasks


@dataclass
class Decisions:
    """What fit_decisions returns: per-task class weights and the actor filter."""

    weights: dict[str, ClassWeights] = field(default_factory=dict)
    actor_filter: ActorFilter | None = None


@dataclass
class HeldOut:
    """Inner out-of-fold predictions of the held-out documents.

    Extracted candidates: probabilities per task, filter features, the gold stance
    (`none` for a candidate the gold does not list) and the gold sentiment of listed ones.
    `missed`: gold stances of gold actors no candidate matched."""

    proba: dict[str, list[np.ndarray]] = field(default_factory=dict)
    features: list[np.ndarray] = field(default_factory=list)
    stance: list[str] = field(default_factory=list)
    sentiment: list[str | None] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    def rows(self, task: str) -> np.ndarray:
        return np.vstack(self.proba[task]) if self.proba.get(task) else np.zeros((0, 3))


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


def oracle_rows(
    classifiers: dict[str, UnitClassifier],
    docs: Sequence[GoldDocument],
    builder: UnitBuilder,
    tasks: Sequence[str],
) -> dict[str, tuple[np.ndarray, list[str]]]:
    """Per task, (probabilities, gold labels) of the gold actors of `docs`."""
    units = [u for doc in docs for u in builder.from_gold(doc)]
    if not units:
        return {}
    return {
        task: (classifiers[task].predict_proba(units), [getattr(u, task) for u in units])
        for task in tasks
    }


def add_e2e_rows(
    classifiers: dict[str, UnitClassifier],
    docs: Sequence[GoldDocument],
    builder: UnitBuilder,
    extractor: object,
    held: HeldOut,
) -> None:
    """Extract, classify and match the actors of each document into `held`."""
    for doc in docs:
        plain = Document(doc_id=doc.doc_id, lang=doc.lang, text=doc.text)
        actors = extractor.extract(plain)
        matching = match_actors(doc.actors, actors, doc.text)
        gold_of = {j: doc.actors[i] for i, j in matching.pairs}
        held.missed += [doc.actors[i].stance for i in matching.unmatched_gold]
        if not actors:
            continue
        units = builder.from_extracted(plain, doc.lang, actors)
        proba = {task: c.predict_proba(units) for task, c in classifiers.items()}
        for task, p in proba.items():
            held.proba.setdefault(task, []).append(p)
        if set(proba) == set(TASK_LABELS):
            held.features.append(
                candidate_features(doc.text, actors, units, proba["stance"], proba["sentiment"])
            )
        held.stance += [gold_of[j].stance if j in gold_of else "none" for j in range(len(actors))]
        held.sentiment += [
            gold_of[j].sentiment if j in gold_of else None for j in range(len(actors))
        ]
        held.doc_ids += [doc.doc_id] * len(actors)


def weights_from_e2e(
    held: HeldOut, tasks: Sequence[str], kept: np.ndarray
) -> dict[str, ClassWeights]:
    """Class weights on the candidates the filter keeps; a listed candidate it drops counts
    as a gold actor held at `none`, as the extractor's misses do."""
    stance_labels = TASK_LABELS["stance"]
    held_at_none = np.eye(len(stance_labels))[stance_labels.index(REFERENCE["stance"])]
    listed = np.array([s is not None for s in held.sentiment], dtype=bool)
    out = {}
    for task in tasks:
        proba = held.rows(task)
        if task == "stance":
            dropped = [
                g for g, k, lst in zip(held.stance, kept, listed, strict=True) if lst and not k
            ]
            held_rows = np.tile(held_at_none, (len(held.missed) + len(dropped), 1))
            gold = [g for g, k in zip(held.stance, kept, strict=True) if k] + held.missed + dropped
            proba = np.vstack([proba[kept], held_rows]) if len(held_rows) else proba[kept]
        else:
            rows = kept & listed
            proba, gold = proba[rows], [g for g, r in zip(held.sentiment, rows, strict=True) if r]
        if gold:
            out[task] = fit_class_weights(task, proba, gold)
    return out


def fit_decisions(
    fit: Callable[[Sequence[GoldDocument]], dict[str, UnitClassifier]],
    docs: Sequence[GoldDocument],
    builder: UnitBuilder,
    extractor: object | None,
    config: DecisionConfig,
) -> Decisions:
    """The actor filter and the class weights of `config`, from inner out-of-fold
    predictions. `fit` fits the classifiers of `config.inner_tasks` on a list of documents."""
    if not config.nested:
        return Decisions()
    if config.units == "e2e" and extractor is None:
        raise ValueError("decision.units=e2e needs an actor extractor")
    held = HeldOut()
    oracle: dict[str, tuple[list[np.ndarray], list[str]]] = {t: ([], []) for t in config.tasks}
    for train, held_docs in inner_splits(docs, config.inner_folds):
        scored = [
            d
            for d in held_docs
            if config.collections is None or collection_of(d.doc_id) in config.collections
        ]
        classifiers = fit(train)
        if config.units == "oracle":
            for task, (proba, gold) in oracle_rows(
                classifiers, scored, builder, config.tasks
            ).items():
                oracle[task][0].append(proba)
                oracle[task][1].extend(gold)
        else:
            add_e2e_rows(classifiers, scored, builder, extractor, held)
    if config.units == "oracle":
        return Decisions(
            weights={
                task: fit_class_weights(task, np.vstack(proba), gold)
                for task, (proba, gold) in oracle.items()
                if gold
            }
        )
    actor_filter = None
    kept = np.ones(len(held.stance), dtype=bool)
    if config.actor_filter is not None and held.features:
        listed = [s is not None for s in held.sentiment]
        rows = np.vstack(held.features)
        actor_filter = fit_actor_filter(rows, listed, held.doc_ids, config.actor_filter)
        kept = actor_filter.kept(rows)
    return Decisions(weights_from_e2e(held, config.tasks, kept), actor_filter)
