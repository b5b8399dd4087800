"""Nested model selection: every knob is chosen inside the training folds of each outer fold.

Knobs are config paths with candidate values (configs/select/). For each outer fold of the
committed folds, a coordinate search over the knobs is scored by an inner cross-validation
whose folds are the other outer folds: a model fitted on three of them predicts the fourth,
end to end (its own extracted actors), and the inner figure is the stance F_avg of those
predictions on the news. The values the search picks are then fitted on all four folds
(with their decision weights and actor filter, themselves fitted on an inner k-fold) and
predict the outer fold, which no choice has seen: those predictions give the outer, honest
estimate. The inner figure of the chosen values minus the outer one is the optimism of the
selection.

Cheap where it can be: the inner fits learn stance only (the criterion), the weights of a
probability average are scored on the members' probabilities without refitting (`posthoc`
knobs), and the extracted actors, units and matches of a document are computed once.
"""

from __future__ import annotations

import datetime
import itertools
import logging
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from omegaconf import DictConfig, OmegaConf

from armstance.corpus.sources import collection_of
from armstance.errors import DataError
from armstance.evaluation.matcher import match_actors
from armstance.evaluation.metrics import confusion_matrix, f_avg, optional
from armstance.evaluation.scoring import score
from armstance.jsonl import atomic_writer
from armstance.schema import STANCES, Document, DocumentPrediction, GoldDocument, Unit
from armstance.training.configured import (
    compass,
    make_extractor,
    pipeline_fitter,
    training_documents,
    training_set,
)
from armstance.training.cross_validation import LanguageScope, cross_validate
from armstance.training.fit import fit_classifiers, unlisted_actor_units
from armstance.units import UnitBuilder

log = logging.getLogger(__name__)
Values = dict[str, Any]


@dataclass(frozen=True)
class Knob:
    """One thing selection decides: the config paths it sets (all to the same value) and
    the values it tries. `posthoc`: a member weight of a probability average, scored on
    fitted members' probabilities without refitting."""

    name: str
    paths: tuple[str, ...]
    values: tuple[Any, ...]
    posthoc: bool = False

    @classmethod
    def from_config(cls, spec: Mapping[str, Any]) -> Knob:
        paths = tuple(spec["paths"])
        if not paths or not spec["values"]:
            raise ValueError(f"select.knobs: knob {spec.get('name')!r} needs paths and values")
        posthoc = all(p.startswith("model.weights.") for p in paths)
        return cls(str(spec["name"]), paths, tuple(spec["values"]), posthoc)

    def current(self, cfg: DictConfig) -> Any:
        return OmegaConf.select(cfg, self.paths[0], throw_on_missing=True)


def parse_knobs(specs: Sequence[Mapping[str, Any]], cfg: DictConfig) -> list[Knob]:
    knobs = [Knob.from_config(s) for s in specs]
    for knob in knobs:
        for path in knob.paths:
            if OmegaConf.select(cfg, path, default=KeyError) is KeyError:
                raise ValueError(f"select.knobs: {knob.name}: no config key {path!r}")
    return knobs


def check_selected_paths(cfg: DictConfig, knobs: Sequence[Knob], experiment: str) -> None:
    """Refuse a `selected:` block with values this selection does not choose. Experiments
    compose (a candidate's defaults may name the champion's experiment), and OmegaConf
    merges their `selected:` blocks key by key: a value chosen for another experiment, or
    by an earlier selection over other knobs, would be applied over this selection's
    choices at training, unseen."""
    chosen = {path for knob in knobs for path in knob.paths}
    stray = sorted(set(cfg.get("selected") or {}) - chosen)
    if stray:
        raise ValueError(
            f"experiment {experiment!r}: its `selected:` block sets {stray}, which the knobs "
            f"of this selection ({sorted(chosen)}) do not choose; they come from an "
            "experiment in its defaults or from a selection over other knobs. Select over "
            "knobs that include them, or compose the experiment without that block."
        )


def configured(cfg: DictConfig, knobs: Sequence[Knob], values: Mapping[str, Any]) -> DictConfig:
    """A copy of `cfg` with each knob's paths set to its value."""
    out = OmegaConf.create(OmegaConf.to_container(cfg, resolve=True))
    for knob in knobs:
        if knob.name in values:
            for path in knob.paths:
                OmegaConf.update(out, path, values[knob.name], force_add=False)
    return out


@dataclass
class HeldOutDoc:
    """A news document as the inner folds meet it: its extracted actors' units, the gold
    stance of each (none where the gold does not list it) and of the gold actors missed."""

    doc_id: str
    units: list[Unit]
    gold: list[str]
    missed: list[str]


@dataclass
class DocumentCache:
    """What does not depend on the knobs, computed once per document."""

    builder: UnitBuilder
    extractor: object
    held: dict[str, HeldOutDoc] = field(default_factory=dict)

    def held_out(self, doc: GoldDocument) -> HeldOutDoc:
        if doc.doc_id not in self.held:
            plain = Document(doc_id=doc.doc_id, lang=doc.lang, text=doc.text)
            actors = self.extractor.extract(plain)
            matching = match_actors(doc.actors, actors, doc.text)
            gold_of = {j: doc.actors[i].stance for i, j in matching.pairs}
            self.held[doc.doc_id] = HeldOutDoc(
                doc.doc_id,
                self.builder.from_extracted(plain, doc.lang, actors),
                [gold_of.get(j, "none") for j in range(len(actors))],
                [doc.actors[i].stance for i in matching.unmatched_gold],
            )
        return self.held[doc.doc_id]


def stance_f_avg(held: Sequence[HeldOutDoc], proba: np.ndarray) -> float:
    """E2E stance F_avg of argmax labels: extracted actors against their gold stance, the
    missed gold actors predicted `none`."""
    pred = [STANCES[i] for i in proba.argmax(axis=1)] if len(proba) else []
    gold = [g for h in held for g in h.gold]
    missed = [g for h in held for g in h.missed]
    cm = confusion_matrix(gold + missed, pred + ["none"] * len(missed), STANCES)
    return optional(f_avg(cm)) or 0.0


@dataclass
class InnerCV:
    """Inner cross-validation of one outer fold's training documents: the folds are the
    committed folds other than the outer one; only news documents are scored."""

    cfg: DictConfig
    knobs: Sequence[Knob]
    docs: Sequence[GoldDocument]
    fold_of: Mapping[str, int]
    scored: Callable[[GoldDocument], bool]
    cache: DocumentCache
    results: dict[tuple, float] = field(default_factory=dict)

    def score(self, values: Values) -> float:
        key = tuple(sorted(values.items()))
        if key not in self.results:
            self._evaluate(values)
        return self.results[key]

    def _evaluate(self, values: Values) -> None:
        """Fit once per inner fold for the values of the knobs that need fitting, then score
        every combination of the post-hoc ones on the members' probabilities."""
        fitting = {k.name: values[k.name] for k in self.knobs if not k.posthoc}
        posthoc = [k for k in self.knobs if k.posthoc]
        cfg = configured(self.cfg, self.knobs, {**values, **fitting})
        builder = UnitBuilder(**cfg.units)
        training = training_set(cfg)
        held: list[HeldOutDoc] = []
        member_proba: list[dict[str, np.ndarray]] = []
        for fold in sorted({self.fold_of[d.doc_id] for d in self.docs}):
            train = training_documents(
                cfg, [d for d in self.docs if self.fold_of[d.doc_id] != fold]
            )
            test = [d for d in self.docs if self.fold_of[d.doc_id] == fold and self.scored(d)]
            unlisted = (
                unlisted_actor_units(train, builder, self.cache.extractor)
                if training.unlisted_as_none
                else []
            )
            (stance,) = fit_classifiers(
                cfg.model, train, builder, ("stance",), unlisted, training
            ).values()
            for doc in test:
                h = self.cache.held_out(doc)
                held.append(h)
                member_proba.append(_members(stance, h.units))
        for combo in itertools.product(*(k.values for k in posthoc)):
            chosen = {**fitting, **{k.name: v for k, v in zip(posthoc, combo, strict=True)}}
            weights = _weights(configured(self.cfg, self.knobs, chosen))
            proba = np.vstack(
                [_average(m, weights) for m in member_proba if m] or [np.zeros((0, 3))]
            )
            self.results[tuple(sorted(chosen.items()))] = stance_f_avg(held, proba)


def _members(classifier, units: Sequence[Unit]) -> dict[str, np.ndarray]:
    """Each member's probabilities (one member, `model`, for a classifier of its own)."""
    if not units:
        return {}
    if hasattr(classifier, "member_proba"):
        return classifier.member_proba(units)
    return {"model": classifier.predict_proba(units)}


def _weights(cfg: DictConfig) -> dict[str, float]:
    weights = cfg.model.get("weights")
    weights = OmegaConf.to_container(weights) if weights else {"model": 1.0}
    total = sum(weights.values())
    return {name: float(w) / total for name, w in weights.items()}


def _average(members: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    return sum(weights.get(name, 0.0) * p for name, p in members.items())


@dataclass(frozen=True)
class Choice:
    values: Values
    inner: float
    evaluations: int


def coordinate_search(
    knobs: Sequence[Knob], start: Values, score: Callable[[Values], float], passes: int = 1
) -> Choice:
    """One knob at a time, each set to its best value given the others, `passes` times;
    a value replaces the current one only when it scores strictly higher."""
    current = dict(start)
    best = score(current)
    tried = {tuple(sorted(current.items()))}
    for _ in range(passes):
        changed = False
        for knob in knobs:
            for value in knob.values:
                candidate = {**current, knob.name: value}
                key = tuple(sorted(candidate.items()))
                if key in tried:
                    continue
                tried.add(key)
                result = score(candidate)
                if result > best:
                    current, best, changed = candidate, result, True
        if not changed:
            break
    return Choice(current, best, len(tried))


def start_values(cfg: DictConfig, knobs: Sequence[Knob]) -> Values:
    """The configuration's own values, where the grid holds them; else each knob's first."""
    out = {}
    for knob in knobs:
        value = knob.current(cfg)
        out[knob.name] = value if value in knob.values else knob.values[0]
    return out


def modal_values(choices: Sequence[Values], knobs: Sequence[Knob], start: Values) -> Values:
    """Per knob, the value the outer folds chose most often (ties: the start value, else the
    first in the grid order)."""
    out = {}
    for knob in knobs:
        counts = Counter(choice[knob.name] for choice in choices)
        top = max(counts.values())
        tied = [v for v in knob.values if counts.get(v) == top]
        out[knob.name] = start[knob.name] if start[knob.name] in tied else tied[0]
    return out


def choose(
    cfg: DictConfig,
    knobs: Sequence[Knob],
    docs: Sequence[GoldDocument],
    fold_of: Mapping[str, int],
    scored: Callable[[GoldDocument], bool],
    passes: int = 1,
    cache: DocumentCache | None = None,
) -> Choice:
    """The knob values an inner CV over `docs` (grouped by `fold_of`) picks."""
    cache = cache or DocumentCache(UnitBuilder(**cfg.units), make_extractor(cfg))
    inner = InnerCV(cfg, knobs, docs, fold_of, scored, cache)
    return coordinate_search(knobs, start_values(cfg, knobs), inner.score, passes)


@dataclass
class OuterFold:
    """One outer fold: the values chosen without it, and its documents' predictions by the
    pipeline fitted with them on the other folds."""

    fold: int
    choice: Choice
    e2e: list[DocumentPrediction]
    oracle: list[DocumentPrediction]


def outer_fold(
    plain: Mapping[str, Any],
    fold: int,
    labelled: Sequence[GoldDocument],
    fold_of: Mapping[str, int],
    passes: int,
) -> OuterFold:
    """Choose the knobs on every document outside `fold` (an inner CV over the other
    folds), fit them there and predict the news of `fold`. `plain` is the resolved config
    (this runs in worker processes)."""
    cfg = OmegaConf.create(dict(plain))
    knobs = parse_knobs(cfg.select.knobs, cfg)
    news = set(cfg.data.compass_collections)
    train = [d for d in labelled if fold_of[d.doc_id] != fold]
    test = [d for d in compass(labelled, cfg) if fold_of[d.doc_id] == fold]
    choice = choose(cfg, knobs, train, fold_of, lambda d: collection_of(d.doc_id) in news, passes)
    log.info("outer fold %d: %s (inner %.3f)", fold, choice.values, choice.inner)
    pipeline = pipeline_fitter(configured(cfg, knobs, choice.values))(train)
    plain_docs = [Document(doc_id=d.doc_id, lang=d.lang, text=d.text) for d in test]
    return OuterFold(fold, choice, pipeline.predict(plain_docs), pipeline.predict_gold(test))


TRANSFERS = (("de", "en"), ("en", "de"))


def transfer(
    cfg: DictConfig,
    knobs: Sequence[Knob],
    values: Values,
    labelled: Sequence[GoldDocument],
    fold_of: Mapping[str, int],
) -> dict[str, float | None]:
    """CV of the chosen values trained on one language and scored on the other's news
    (`transfer_{de_to_en,en_to_de}_e2e_stance_f_avg[_lo|_hi]`, and F1 against). The
    decision rules take the argmax here: the question is what carries over."""
    chosen = configured(cfg, knobs, values)
    chosen.decision.tasks = []
    chosen.decision.actor_filter = None
    fit = pipeline_fitter(chosen)
    news = compass(labelled, cfg)
    out: dict[str, float | None] = {}
    for source, target in TRANSFERS:
        scope = LanguageScope(train_langs=(source,), eval_langs=(target,))
        cv = cross_validate(fit, labelled, fold_of, scope=scope, e2e=True)
        scored = [d for d in news if d.lang == target]
        ids = {d.doc_id for d in scored}
        scores = score(
            [d.to_annotation() for d in scored],
            [p for p in cv.e2e if p.doc_id in ids],
            {d.doc_id: d.text for d in scored},
            mode="e2e",
            n_boot=cfg.evaluation.n_boot,
            seed=cfg.evaluation.boot_seed,
        )
        prefix = f"transfer_{source}_to_{target}_e2e_stance"
        for name in ("f_avg", "f_avg_lo", "f_avg_hi", "f1_against"):
            out[f"{prefix}_{name}"] = scores.get(f"stance_{name}")
    return out


BLOCK_OPEN = "# >>> selected by `make select`"
BLOCK_CLOSE = "# <<< selected"


def selected_block(
    knobs: Sequence[Knob], values: Values, metrics: Mapping[str, float | None], run_id: str
) -> str:
    """The YAML block of the chosen values, the estimate in its comment."""

    def fmt(name: str) -> str:
        value = metrics.get(name)
        return "n/a" if value is None else f"{value:.3f}"

    head = [
        f"{BLOCK_OPEN} (MLflow run {run_id}, {datetime.date.today().isoformat()}):",
        "# every knob chosen inside the training folds of each outer fold. Nested CV e2e",
        f"# stance F_avg on the news {fmt('nested_cv_e2e_stance_f_avg')}"
        f" [{fmt('nested_cv_e2e_stance_f_avg_lo')}, {fmt('nested_cv_e2e_stance_f_avg_hi')}];"
        f" inner figure of the chosen values {fmt('nested_cv_inner_e2e_stance_f_avg')}"
        f" (optimism {fmt('nested_cv_optimism_e2e_stance_f_avg')}).",
        "# The values are those most outer folds chose. Rewritten by `make select`.",
        "selected:",
    ]
    body = [
        f"  {path}: {yaml.safe_dump(values[knob.name], default_flow_style=True).strip()}".replace(
            "\n...", ""
        )
        for knob in knobs
        for path in knob.paths
    ]
    return "\n".join([*head, *body, BLOCK_CLOSE]) + "\n"


def write_selected(
    path: Path,
    knobs: Sequence[Knob],
    values: Values,
    metrics: Mapping[str, float | None],
    run_id: str,
) -> None:
    """Replace (or append) the experiment file's `selected:` block, atomically."""
    text = path.read_text(encoding="utf-8")
    if BLOCK_OPEN in text:
        start = text.index(BLOCK_OPEN)
        end = text.index(BLOCK_CLOSE, start) + len(BLOCK_CLOSE)
        text = text[:start].rstrip("\n") + "\n" + text[end:].lstrip("\n")
    if re.search(r"(?m)^selected:", text):
        raise DataError(path, None, "selected", "a `selected:` key outside the block")
    block = selected_block(knobs, values, metrics, run_id)
    with atomic_writer(path) as fh:
        fh.write(text.rstrip("\n") + "\n" + block)
