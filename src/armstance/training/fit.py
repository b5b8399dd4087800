"""Fit the two unit classifiers of a model config on labelled documents, with decision rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from omegaconf import DictConfig

from armstance.corpus.sources import collection_of
from armstance.decision.fit import DecisionConfig, fit_decisions
from armstance.evaluation.matcher import match_actors
from armstance.models.base import UnitClassifier
from armstance.models.build import build_model
from armstance.pipeline import TASKS, ArmstancePipeline
from armstance.schema import TASK_LABELS, Document, GoldDocument, Unit
from armstance.units import UnitBuilder


def build_classifier(model_cfg: DictConfig | dict, task: str) -> UnitClassifier:
    """The configured classifier for one task."""
    return build_model(model_cfg, TASK_LABELS[task])


def unlisted_actor_units(
    docs: Sequence[GoldDocument], builder: UnitBuilder, extractor
) -> list[Unit]:
    """Units of the actors the extractor finds and the gold does not list, labelled `none`
    (GUIDELINES §2: an unlisted actor has no stance); their sentiment was never annotated."""
    units = []
    for doc in docs:
        plain = Document(doc_id=doc.doc_id, lang=doc.lang, text=doc.text)
        actors = extractor.extract(plain)
        unlisted = match_actors(doc.actors, actors, doc.text).unmatched_pred
        extracted = builder.from_extracted(plain, doc.lang, [actors[j] for j in unlisted])
        units += [u.model_copy(update={"stance": "none"}) for u in extracted]
    return units


@dataclass(frozen=True)
class TrainingSet:
    """What the classifiers learn from beyond the gold actors of the training documents.

    `unlisted_as_none`: the stance classifier also learns from the extracted actors the
    gold does not list, as `none`. `collection_weights`: per task, a weight per collection
    (doc_id prefix, e.g. `bundestag`) for its units; 1 for collections not named."""

    unlisted_as_none: bool = False
    collection_weights: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def weights(self, units: Sequence[Unit], task: str) -> list[float] | None:
        weights = self.collection_weights.get(task)
        if not weights:
            return None
        return [float(weights.get(collection_of(u.doc_id), 1.0)) for u in units]


def fit_classifiers(
    model_cfg: DictConfig | dict,
    docs: Sequence[GoldDocument],
    builder: UnitBuilder,
    tasks: Sequence[str] = TASKS,
    unlisted: Sequence[Unit] = (),
    training: TrainingSet | None = None,
) -> dict[str, UnitClassifier]:
    """One classifier per task, fitted on the gold actors' units; `unlisted` units (labelled
    for stance only) join the stance training set; units weighted per `training`."""
    training = training or TrainingSet()
    units = [u for doc in docs for u in builder.from_gold(doc)]
    if not units:
        raise ValueError("no training units: the training documents hold no gold actors")
    fitted = {}
    for task in tasks:
        train = [*units, *unlisted] if task == "stance" else units
        fitted[task] = build_classifier(model_cfg, task).fit(
            train, [getattr(u, task) for u in train], training.weights(train, task)
        )
    return fitted


def fit_pipeline(
    model_cfg: DictConfig | dict,
    docs: Sequence[GoldDocument],
    builder: UnitBuilder,
    extractor: object | None = None,
    decision: DecisionConfig | None = None,
    training: TrainingSet | None = None,
) -> ArmstancePipeline:
    """The classifiers fitted on `docs` as `training` says, and decision rules (class weights,
    the actor filter) fitted by an inner k-fold of `docs` (decision/fit.py) where `decision`
    asks for them."""
    decision = decision or DecisionConfig()
    training = training or TrainingSet()
    if training.unlisted_as_none and extractor is None:
        raise ValueError("training on unlisted actors needs an actor extractor")

    def fit(inner: Sequence[GoldDocument], tasks: Sequence[str]) -> dict[str, UnitClassifier]:
        unlisted = (
            unlisted_actor_units(inner, builder, extractor) if training.unlisted_as_none else []
        )
        return fit_classifiers(model_cfg, inner, builder, tasks, unlisted, training)

    decisions = fit_decisions(
        lambda inner: fit(inner, decision.inner_tasks), docs, builder, extractor, decision
    )
    return ArmstancePipeline(
        classifiers=fit(docs, TASKS),
        builder=builder,
        extractor=extractor,
        decisions=decisions.weights,
        actor_filter=decisions.actor_filter,
    )
