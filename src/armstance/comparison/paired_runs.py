"""Paired bootstrap tests between two runs, on the documents both held out in the same
folds; which pairs the leaderboard tests."""

from __future__ import annotations

from collections.abc import Sequence

from mlflow.entities import Run
from mlflow.tracking import MlflowClient

from armstance.comparison.leaderboard import (
    Row,
)
from armstance.comparison.runs import (
    current_fingerprint,
    oof_predictions,
    predictions_artifact,
    run_label,
)
from armstance.errors import CompareError
from armstance.evaluation.paired import PairedResult, paired_bootstrap

BASELINE = "tfidf_logreg"
"""A candidate replaces the baseline only when the paired interval excludes 0."""


PAIRED_MODES = ("e2e", "oracle")


def paired_test(
    run_a: Run, run_b: Run, mode: str = "e2e", n_boot: int = 1000, seed: int = 0
) -> dict[str, PairedResult]:
    """Paired bootstrap of A − B on the two runs' out-of-fold predictions over the
    documents both scored (train+dev, or a run's `eval_langs`), in `mode`.

    Both runs must have been cross-validated on the labels and folds of this checkout
    (their `dataset_fingerprint` tags), so each document was held out in the same fold.
    """
    from armstance.corpus import load_gold

    expected = current_fingerprint()
    for run in (run_a, run_b):
        tag = run.data.tags.get("dataset_fingerprint")
        if tag != expected:
            raise CompareError(
                f"run {run.info.run_id} was cross-validated on other labels or folds than "
                f"this checkout's (dataset_fingerprint {tag} != {expected}); a paired test "
                "needs both runs on the same documents and folds"
            )
    pred_a, pred_b = oof_predictions(run_a, mode), oof_predictions(run_b, mode)
    scored = {p.doc_id for p in pred_a} & {p.doc_id for p in pred_b}
    gold = [d for split in ("train", "dev") for d in load_gold(split) if d.doc_id in scored]
    return paired_bootstrap(
        [d.to_annotation() for d in gold],
        [p for p in pred_a if p.doc_id in scored],
        [p for p in pred_b if p.doc_id in scored],
        n_boot,
        seed,
        mode=mode,
        texts={d.doc_id: d.text for d in gold},
        source_a=f"run {run_a.info.run_id} {predictions_artifact(mode)}",
        source_b=f"run {run_b.info.run_id} {predictions_artifact(mode)}",
    )


def paired_lines(
    run_a: Run, run_b: Run, results: dict[str, PairedResult], mode: str = "e2e"
) -> list[str]:
    """A head line naming the runs, then one verdict per metric (p = share of resamples
    where A ≤ B, a one-sided p-value for "A is better")."""
    first = next(iter(results.values()))
    head = (
        f"Paired bootstrap, A = {run_label(run_a)} vs B = {run_label(run_b)}: CV {mode}, "
        f"{first.n_docs} documents, {first.n_boot} resamples (seed 0), 95% intervals."
    )
    a, b = (run.data.tags.get("experiment", "?") for run in (run_a, run_b))
    if a == b:
        a, b = "A", "B"
    return [head, *(r.verdict(a, b) for r in results.values())]


def paired_report(run_a: Run, run_b: Run) -> list[str]:
    """Paired verdicts of A − B end to end and with oracle actors; a mode a run did not
    log (or whose labels differ) says why instead."""
    lines = []
    for mode in PAIRED_MODES:
        try:
            lines += paired_lines(run_a, run_b, paired_test(run_a, run_b, mode), mode)
        except CompareError as exc:
            lines.append(f"Paired test ({mode}) of {run_label(run_a)} vs {run_label(run_b)}: {exc}")
    return lines


def contenders(rows: Sequence[Row]) -> list[tuple[Row, Row]]:
    """The best experiment by mean CV e2e F_avg against the baseline (`tfidf_logreg`, the
    model a candidate must beat to be promoted) and against its runner-up.

    The runner-up is the best experiment of another model where there is one: variants of
    the same model (e.g. calibrated or not) often predict the same labels, and the question
    a reader has is whether the best model beats the next kind of model.
    """
    ranked = [r for r in rows if r.score is not None and r.latest_run_id]
    if len(ranked) < 2:
        return []
    best, rest = ranked[0], ranked[1:]
    pairs = [(best, r) for r in rest if r.experiment == BASELINE]
    runner_up = next((r for r in rest if r.model != best.model), rest[0])
    if runner_up.experiment != BASELINE:
        pairs.append((best, runner_up))
    return pairs


def best_pairs(client: MlflowClient, rows: Sequence[Row]) -> list[tuple[Run, Run]]:
    """Latest runs of each pair of `contenders`."""
    return [
        (client.get_run(a.latest_run_id), client.get_run(b.latest_run_id))
        for a, b in contenders(rows)
    ]
