"""The pipeline a Hydra configuration describes: what it fits on a list of training
documents, its actor extractor, and the documents model selection is judged on."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from omegaconf import DictConfig, OmegaConf, open_dict

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


def training_set(cfg: DictConfig) -> TrainingSet:
    """What the classifiers learn from beyond the gold actors, and the units' weights."""
    return TrainingSet(
        unlisted_as_none=cfg.data.unlisted_as_none,
        collection_weights=OmegaConf.to_container(cfg.data.collection_weights) or {},
    )


def training_documents(cfg: DictConfig, docs: Sequence[GoldDocument]) -> list[GoldDocument]:
    """`docs` without those of the collections `data.exclude_collections` leaves out of
    training (scoring still covers them where they are scored)."""
    excluded = {c for c, out in (cfg.data.get("exclude_collections") or {}).items() if out}
    return [d for d in docs if collection_of(d.doc_id) not in excluded]


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
    training = training_set(cfg)
    # Resolved now: cross-validation may call `fit` in worker processes, where the
    # project's resolvers (the cache path) are not registered.
    plain = OmegaConf.create(
        {part: OmegaConf.to_container(cfg[part], resolve=True) for part in ("model", "data")}
    )

    def fit(docs: Sequence[GoldDocument]) -> ArmstancePipeline:
        return fit_pipeline(
            plain.model, training_documents(plain, docs), builder, extractor, decision, training
        )

    return fit


def apply_selected(cfg: DictConfig) -> DictConfig:
    """`cfg` with the values of its `selected:` block (what `make select` chose, by config
    path) set, and the block emptied."""
    out = without_selected(cfg)
    for path, value in (cfg.get("selected") or {}).items():
        if OmegaConf.select(out, path, default=KeyError) is KeyError:
            raise ValueError(f"selected: no config key {path!r}")
        OmegaConf.update(out, path, value)
    return out


def without_selected(cfg: DictConfig) -> DictConfig:
    """A copy of `cfg` whose `selected:` block is empty: the experiment's own values."""
    out = cfg.copy()
    with open_dict(out):
        out.selected = {}
    return out
