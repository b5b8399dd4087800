"""Per-task confusion matrix, per-class report and error table of oracle predictions."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import mlflow
from sklearn.metrics import classification_report

from armstance.jsonl import dumps
from armstance.pipeline import TASKS
from armstance.schema import TASK_LABELS, DocumentPrediction, GoldDocument
from armstance.tracking.plots import confusion_figure


def oracle_pairs(gold: Sequence[GoldDocument], predictions: Sequence[DocumentPrediction]):
    """(gold doc, gold actor, judgement) triples; oracle predictions keep the gold order."""
    by_id = {p.doc_id: p for p in predictions}
    for doc in gold:
        judged = {j.actor: j for j in by_id[doc.doc_id].actors}
        for actor in doc.actors:
            yield doc, actor, judged[actor.actor]


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
    # Per-document predictions: what paired comparisons between runs resample.
    mlflow.log_text("".join(dumps(p) + "\n" for p in predictions), f"{prefix}_predictions.jsonl")
