"""Per-task confusion matrix, per-class report, calibration and error table of oracle
predictions."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import mlflow
import numpy as np
from sklearn.metrics import classification_report

from armstance.evaluation.calibration import (
    Reliability,
    proba_matrix,
    reliability,
    reliability_figure,
)
from armstance.evaluation.confusion import ARTIFACT as CONFUSION_ARTIFACT
from armstance.evaluation.confusion import predicted_actor_confusion
from armstance.jsonl import dumps
from armstance.pipeline import TASKS
from armstance.schema import LANGS, TASK_LABELS, DocumentPrediction, GoldDocument
from armstance.tracking.plots import confusion_figure
from armstance.tracking.runs import log_metrics


def oracle_pairs(gold: Sequence[GoldDocument], predictions: Sequence[DocumentPrediction]):
    """(gold doc, gold actor, judgement) triples; oracle predictions keep the gold order."""
    by_id = {p.doc_id: p for p in predictions}
    for doc in gold:
        judged = {j.actor: j for j in by_id[doc.doc_id].actors}
        for actor in doc.actors:
            yield doc, actor, judged[actor.actor]


def calibration_curves(
    gold: Sequence[GoldDocument], predictions: Sequence[DocumentPrediction], task: str
) -> dict[str, Reliability]:
    """Reliability of the `task` probabilities over all units (`all`) and per language."""
    pairs = list(oracle_pairs(gold, predictions))
    labels = TASK_LABELS[task]
    proba = proba_matrix([getattr(j, f"{task}_proba") for _, _, j in pairs], labels)
    gold_index = np.array([labels.index(getattr(a, task)) for _, a, _ in pairs], dtype=int)
    langs = np.array([doc.lang for doc, _, _ in pairs])
    curves = {"all": reliability(proba, gold_index)}
    for lang in LANGS:
        if lang in langs:
            curves[lang] = reliability(proba[langs == lang], gold_index[langs == lang])
    return curves


def log_calibration(
    prefix: str, gold: Sequence[GoldDocument], predictions: Sequence[DocumentPrediction]
) -> None:
    """`{prefix}_{task}_ece[_{lang}]` metrics and a `{prefix}_{task}_reliability.png`."""
    metrics: dict[str, float | None] = {}
    for task in TASKS:
        curves = calibration_curves(gold, predictions, task)
        for scope, curve in curves.items():
            suffix = "" if scope == "all" else f"_{scope}"
            metrics[f"{prefix}_{task}_ece{suffix}"] = curve.ece
        fig = reliability_figure(curves, f"{prefix} {task} reliability (units)")
        mlflow.log_figure(fig, f"{prefix}_{task}_reliability.png")
        plt.close(fig)
    log_metrics(metrics)


def log_oracle_diagnostics(
    prefix: str, gold: Sequence[GoldDocument], predictions: Sequence[DocumentPrediction]
) -> None:
    pairs = list(oracle_pairs(gold, predictions))
    errors: dict[str, list] = {
        k: []
        for k in ("doc_id", "lang", "actor", "task", "gold", "predicted", "confidence", "evidence")
    }
    for task in TASKS:
        labels = TASK_LABELS[task]
        y_gold = [getattr(a, task) for _, a, _ in pairs]
        y_pred = [getattr(j, task) for _, _, j in pairs]
        fig = confusion_figure(y_gold, y_pred, labels, f"{prefix} {task} (units)")
        mlflow.log_figure(fig, f"{prefix}_{task}_confusion.png")
        plt.close(fig)
        report = classification_report(y_gold, y_pred, labels=list(labels), zero_division=0)
        mlflow.log_text(report, f"{prefix}_{task}_report.txt")
        for (doc, actor, judgement), g, p in zip(pairs, y_gold, y_pred, strict=True):
            if g != p:
                proba = getattr(judgement, f"{task}_proba")
                row = (
                    doc.doc_id,
                    doc.lang,
                    actor.actor,
                    task,
                    g,
                    p,
                    proba[p],
                    " | ".join(judgement.evidence),
                )
                for key, value in zip(errors, row, strict=True):
                    errors[key].append(value)
    mlflow.log_table(errors, f"{prefix}_errors.json")
    log_calibration(prefix, gold, predictions)
    log_predictions(prefix, predictions)


def log_stance_confusion(
    gold: Sequence[GoldDocument], predictions: Sequence[DocumentPrediction]
) -> None:
    """The CV confusion of the predicted actors (`cv_e2e_stance_confusion.json`), which
    `armstance analyze` uses to correct corpus stance shares."""
    confusion = predicted_actor_confusion(gold, predictions, "cross-validation, news, e2e")
    mlflow.log_text(confusion.to_json(), CONFUSION_ARTIFACT)


def log_predictions(prefix: str, predictions: Sequence[DocumentPrediction]) -> None:
    """Per-document predictions: what paired comparisons between runs resample."""
    mlflow.log_text("".join(dumps(p) + "\n" for p in predictions), f"{prefix}_predictions.jsonl")
