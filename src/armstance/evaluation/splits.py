"""Scores of a fitted pipeline on labelled documents: a split in oracle and end-to-end mode,
cross-validated predictions with their spread over folds, and the seed article."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from omegaconf import DictConfig

from armstance.corpus import load_gold
from armstance.evaluation.scoring import score
from armstance.pipeline import ArmstancePipeline
from armstance.schema import Document, DocumentPrediction, GoldDocument

HEADLINE = ("stance_f_avg", "stance_macro_f1", "sentiment_macro_f1")


def prefixed(prefix: str, metrics: dict) -> dict:
    return {f"{prefix}_{name}": value for name, value in metrics.items()}


def fold_spread(
    gold: Sequence[GoldDocument],
    predictions: Sequence[DocumentPrediction],
    fold_of: dict,
    mode: str,
) -> dict[str, float | None]:
    """Standard deviation of the headline metrics over the CV folds (`..._sd`)."""
    per_fold: dict[str, list[float]] = {name: [] for name in HEADLINE}
    by_id = {p.doc_id: p for p in predictions}
    for fold in sorted(set(fold_of.values())):
        docs = [d for d in gold if fold_of[d.doc_id] == fold]
        scores = score(
            [d.to_annotation() for d in docs],
            [by_id[d.doc_id] for d in docs],
            {d.doc_id: d.text for d in docs},
            mode=mode,
            n_boot=0,
        )
        for name in HEADLINE:
            if scores.get(name) is not None:
                per_fold[name].append(scores[name])
    return {
        f"{name}_sd": float(np.std(values, ddof=1)) if len(values) > 1 else None
        for name, values in per_fold.items()
    }


def cv_metrics(
    gold: Sequence[GoldDocument],
    predictions: Sequence[DocumentPrediction],
    fold_of: dict,
    mode: str,
    cfg: DictConfig,
    split: str = "cv",
) -> dict:
    """Scores of out-of-fold predictions of the `gold` documents, with intervals and their
    spread over folds, named `{split}_{mode}_...`."""
    predictions = [p for p in predictions if p.doc_id in {d.doc_id for d in gold}]
    scores = score(
        [d.to_annotation() for d in gold],
        predictions,
        {d.doc_id: d.text for d in gold},
        mode=mode,
        n_boot=cfg.evaluation.n_boot,
        seed=cfg.evaluation.boot_seed,
    )
    return prefixed(f"{split}_{mode}", scores | fold_spread(gold, predictions, fold_of, mode))


def seed_metrics(pipeline: ArmstancePipeline, cfg: DictConfig) -> dict:
    """The logged model on the seed article(s): `seed_{oracle,e2e}_*` scores and
    `seed_oracle_stance_agree`, how many gold actors get their gold stance."""
    seed = load_gold("seed")
    metrics = evaluate_split(pipeline, seed, cfg, "seed")
    judged = {(p.doc_id, a.actor): a.stance for p in pipeline.predict_gold(seed) for a in p.actors}
    metrics["seed_oracle_stance_agree"] = sum(
        judged[(d.doc_id, a.actor)] == a.stance for d in seed for a in d.actors
    )
    return metrics


def evaluate_split(
    pipeline: ArmstancePipeline, docs: Sequence[GoldDocument], cfg: DictConfig, split: str
) -> dict:
    """Oracle and (if configured) end-to-end scores of a fitted pipeline on labelled docs."""
    gold = [d.to_annotation() for d in docs]
    texts = {d.doc_id: d.text for d in docs}
    boot = {"n_boot": cfg.evaluation.n_boot, "seed": cfg.evaluation.boot_seed}
    metrics = prefixed(
        f"{split}_oracle", score(gold, pipeline.predict_gold(docs), texts, mode="oracle", **boot)
    )
    if cfg.evaluation.e2e:
        plain = [Document(doc_id=d.doc_id, lang=d.lang, text=d.text) for d in docs]
        predicted = pipeline.predict(plain)
        metrics |= prefixed(f"{split}_e2e", score(gold, predicted, texts, mode="e2e", **boot))
    return metrics
