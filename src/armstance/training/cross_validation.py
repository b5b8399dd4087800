"""Grouped k-fold cross-validation by document, within a language scope."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from tqdm.auto import tqdm

from armstance.pipeline import ArmstancePipeline
from armstance.schema import Document, DocumentPrediction, GoldDocument


@dataclass(frozen=True)
class LanguageScope:
    """Which languages a model trains on and is scored on: cross-lingual experiments train
    on one language and score another, on the same folds and metrics."""

    train_langs: tuple[str, ...] | None = None
    eval_langs: tuple[str, ...] | None = None

    def trained(self, docs: Sequence[GoldDocument]) -> list[GoldDocument]:
        return [d for d in docs if self.train_langs is None or d.lang in self.train_langs]

    def evaluated(self, docs: Sequence[GoldDocument]) -> list[GoldDocument]:
        return [d for d in docs if self.eval_langs is None or d.lang in self.eval_langs]


@dataclass
class CrossValidation:
    """Out-of-fold predictions for every scored document: with gold actors (oracle) and,
    where the pipeline extracts actors, end to end."""

    oracle: list[DocumentPrediction]
    e2e: list[DocumentPrediction] | None
    fold_of: dict[str, int]


def cross_validate(
    fit: Callable[[Sequence[GoldDocument]], ArmstancePipeline],
    docs: Sequence[GoldDocument],
    fold_of: dict[str, int],
    max_train_docs: int | None = None,
    scope: LanguageScope = LanguageScope(),
    e2e: bool = False,
    scored_ids: Collection[str] | None = None,
) -> CrossValidation:
    """Grouped k-fold: each fold's documents are judged by a model fitted on the others.

    Predictions cover the documents of `scope.eval_langs` only, and of `scored_ids` where
    given (every document still trains the folds it is not in)."""
    folds = sorted({fold_of[d.doc_id] for d in docs})
    scored = [d for d in scope.evaluated(docs) if scored_ids is None or d.doc_id in scored_ids]
    oracle: dict[str, DocumentPrediction] = {}
    end_to_end: dict[str, DocumentPrediction] = {}
    for fold in tqdm(folds, desc="cross-validation", unit="fold"):
        train = scope.trained([d for d in docs if fold_of[d.doc_id] != fold])[:max_train_docs]
        test = [d for d in scored if fold_of[d.doc_id] == fold]
        pipeline = fit(train)
        oracle |= {p.doc_id: p for p in pipeline.predict_gold(test)}
        if e2e:
            plain = [Document(doc_id=d.doc_id, lang=d.lang, text=d.text) for d in test]
            end_to_end |= {p.doc_id: p for p in pipeline.predict(plain)}
    return CrossValidation(
        oracle=[oracle[d.doc_id] for d in scored],
        e2e=[end_to_end[d.doc_id] for d in scored] if e2e else None,
        fold_of=dict(fold_of),
    )
