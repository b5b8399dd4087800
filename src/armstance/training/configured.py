"""The pipeline a Hydra configuration describes: what it fits on a list of training
documents, its actor extractor, and the documents model selection is judged on."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from omegaconf import DictConfig, OmegaConf

from armstance.corpus.sources import collection_of
from armstance.decision.fit import DecisionConfig
from armstance.pipeline import ArmstancePipeline
from armstance.schema import GoldDocument
from armstance.training.fit import TrainingSet, fit_pipeline
from armstance.units import UnitBuilder


def compass(docs: Sequence[GoldDocument], cfg: DictConfig) -> list[GoldDocument]:
    """The documents model selection is judged on: those of `data.compass_collections`
    (the news), whatever else the corpus has grown to hold."""
    return [d for d in docs if collection_of(d.doc_id) in cfg.data.compass_collections]


def make_extractor(cfg: DictConfig):
    from armstance.actors.extractor import ActorExtractor

    return ActorExtractor(use_spacy_fr=cfg.actors.use_spacy_fr, heuristics=cfg.actors.heuristics)


def pipeline_fitter(cfg: DictConfig) -> Callable[[Sequence[GoldDocument]], ArmstancePipeline]:
    """What the configuration fits on a list of training documents: the classifiers, the
    decision rules and the actor extractor (part of every logged pipeline, so a model
    fitted without e2e scoring still predicts raw articles)."""
    builder = UnitBuilder(**cfg.units)
    extractor = make_extractor(cfg)
    decision = DecisionConfig(
        tasks=tuple(cfg.decision.tasks),
        inner_folds=cfg.decision.inner_folds,
        units=cfg.decision.units,
        collections=tuple(cfg.decision.collections) if cfg.decision.collections else None,
        actor_filter=cfg.decision.get("actor_filter"),
    )
    training = TrainingSet(
        unlisted_as_none=cfg.data.unlisted_as_none,
        collection_weights=OmegaConf.to_container(cfg.data.collection_weights) or {},
    )

    def fit(docs: Sequence[GoldDocument]) -> ArmstancePipeline:
        return fit_pipeline(cfg.model, docs, builder, extractor, decision, training)

    return fit
