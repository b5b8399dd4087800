"""Scores of a sentiment classifier on NewsMTSC (per target, as published) and, untouched,
on the project's labelled units ("transfer alone", per document)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from omegaconf import DictConfig

from armstance.corpus import ensure_corpus, load_gold
from armstance.evaluation.bootstrap import intervals
from armstance.evaluation.metrics import confusion_matrix, macro_f1, optional
from armstance.models.base import UnitClassifier
from armstance.schema import SENTIMENTS, Unit
from armstance.units import UnitBuilder


def macro_f1_scores(
    per_group: np.ndarray, n_boot: int, seed: int, prefix: str
) -> dict[str, float | None]:
    """Macro-F1 of summed confusion matrices (groups, K, K), with a bootstrap interval over
    the groups (targets for NewsMTSC, documents for our corpus)."""
    value = optional(macro_f1(per_group.sum(axis=0)))
    out = {prefix: value}
    if n_boot and len(per_group):
        lo, hi = intervals({"cm": per_group}, {"f1": lambda t: macro_f1(t["cm"])}, n_boot, seed)[
            "f1"
        ]
        out |= {f"{prefix}_lo": lo, f"{prefix}_hi": hi}
    return out


def unit_confusions(
    classifier: UnitClassifier, units: Sequence[Unit], groups: Sequence[str]
) -> tuple[list[str], np.ndarray]:
    """Groups in first-seen order and one sentiment confusion matrix per group."""
    predicted = classifier.predict(units)
    order = list(dict.fromkeys(groups))
    index = {g: i for i, g in enumerate(order)}
    out = np.zeros((len(order), len(SENTIMENTS), len(SENTIMENTS)), dtype=np.int64)
    for unit, pred, group in zip(units, predicted, groups, strict=True):
        out[index[group]] += confusion_matrix([unit.sentiment], [pred], SENTIMENTS)
    return order, out


def score_newsmtsc(
    classifier: UnitClassifier, units: Sequence[Unit], split: str, cfg: DictConfig
) -> dict[str, float | None]:
    # Each target is its own resampling unit, as the published figures are per target.
    _, per_target = unit_confusions(classifier, units, [str(i) for i in range(len(units))])
    metrics = macro_f1_scores(
        per_target, cfg.newsmtsc.n_boot, cfg.newsmtsc.boot_seed, f"newsmtsc_{split}_macro_f1"
    )
    cm = per_target.sum(axis=0)
    metrics[f"newsmtsc_{split}_accuracy"] = float(np.trace(cm) / cm.sum())
    return metrics


def score_transfer(
    classifier: UnitClassifier, builder: UnitBuilder, cfg: DictConfig
) -> dict[str, float | None]:
    """The NewsMTSC model alone on our corpus's oracle units (train+dev, none trained on):
    sentiment macro-F1 over all of them, per language, and on dev only (comparable with
    `dev_oracle_sentiment_macro_f1` of the corpus experiments). Intervals over documents."""
    ensure_corpus()
    docs = {split: load_gold(split) for split in ("train", "dev")}
    metrics: dict[str, float | None] = {}
    boot = (cfg.newsmtsc.n_boot, cfg.newsmtsc.boot_seed)
    scopes = {"transfer_oracle_sentiment_macro_f1": [*docs["train"], *docs["dev"]]}
    scopes["transfer_dev_oracle_sentiment_macro_f1"] = docs["dev"]
    for prefix, scope in scopes.items():
        units = [u for doc in scope for u in builder.from_gold(doc)]
        order, per_doc = unit_confusions(classifier, units, [u.doc_id for u in units])
        metrics |= macro_f1_scores(per_doc, *boot, prefix)
        lang_of = {d.doc_id: d.lang for d in scope}
        for lang in sorted(set(lang_of.values())):
            rows = [i for i, doc_id in enumerate(order) if lang_of[doc_id] == lang]
            metrics[f"{prefix}_{lang}"] = optional(macro_f1(per_doc[rows].sum(axis=0)))
    return metrics
