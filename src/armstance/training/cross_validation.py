"""Grouped k-fold cross-validation by document, within a language scope."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from joblib import Parallel, delayed
from joblib.externals.loky import get_reusable_executor
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


Fit = Callable[[Sequence[GoldDocument]], ArmstancePipeline]
FoldPredictions = tuple[list[DocumentPrediction], list[DocumentPrediction]]


@contextmanager
def fold_workers(n_jobs: int) -> Iterator[Callable]:
    """`run(f, argument tuples)`: the results as they come, from `n_jobs` worker processes
    (loky; each limits its BLAS/OpenMP threads to its share of the cores) or in this process.
    Afterwards the workers are stopped and joblib's KMP_INIT_AT_FORK is taken back out of
    this process's environment: jobs started later inherit it, and with it their results
    changed (measured: two runs of the same seed, each in a fresh process, disagreed)."""
    if n_jobs <= 1:
        yield lambda f, calls: (f(*args) for args in calls)
        return
    kmp = os.environ.get("KMP_INIT_AT_FORK")
    try:
        yield lambda f, calls: Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
            delayed(f)(*args) for args in calls
        )
    finally:
        get_reusable_executor().shutdown(wait=True)
        if kmp is None:
            os.environ.pop("KMP_INIT_AT_FORK", None)
        else:
            os.environ["KMP_INIT_AT_FORK"] = kmp


def predict_fold(
    fit: Fit, train: Sequence[GoldDocument], test: Sequence[GoldDocument], e2e: bool
) -> FoldPredictions:
    """One fold: fit on `train`, predict `test` with its gold actors and, with `e2e`, from
    its text alone."""
    pipeline = fit(train)
    oracle = pipeline.predict_gold(test)
    if not e2e:
        return oracle, []
    plain = [Document(doc_id=d.doc_id, lang=d.lang, text=d.text) for d in test]
    return oracle, pipeline.predict(plain)


def cross_validate(
    fit: Fit,
    docs: Sequence[GoldDocument],
    fold_of: dict[str, int],
    max_train_docs: int | None = None,
    scope: LanguageScope = LanguageScope(),
    e2e: bool = False,
    scored_ids: Collection[str] | None = None,
    n_jobs: int = 1,
) -> CrossValidation:
    """Grouped k-fold: each fold's documents are judged by a model fitted on the others.

    Predictions cover the documents of `scope.eval_langs` only, and of `scored_ids` where
    given (every document still trains the folds it is not in). `n_jobs` > 1 fits that many
    folds at once in worker processes (`fit` must pickle with cloudpickle); the folds are
    independent, so the predictions are the same as one after the other."""
    folds = sorted({fold_of[d.doc_id] for d in docs})
    scored = [d for d in scope.evaluated(docs) if scored_ids is None or d.doc_id in scored_ids]
    tasks = [
        (
            scope.trained([d for d in docs if fold_of[d.doc_id] != fold])[:max_train_docs],
            [d for d in scored if fold_of[d.doc_id] == fold],
        )
        for fold in folds
    ]
    oracle: dict[str, DocumentPrediction] = {}
    end_to_end: dict[str, DocumentPrediction] = {}
    with fold_workers(n_jobs if len(tasks) > 1 else 1) as run:
        done = run(predict_fold, [(fit, train, test, e2e) for train, test in tasks])
        for fold_oracle, fold_e2e in tqdm(
            done, total=len(tasks), desc="cross-validation", unit="fold"
        ):
            oracle |= {p.doc_id: p for p in fold_oracle}
            end_to_end |= {p.doc_id: p for p in fold_e2e}
    return CrossValidation(
        oracle=[oracle[d.doc_id] for d in scored],
        e2e=[end_to_end[d.doc_id] for d in scored] if e2e else None,
        fold_of=dict(fold_of),
    )
