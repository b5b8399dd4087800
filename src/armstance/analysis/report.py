"""The Markdown report of an analysis: what was analysed, with which model and how well
that model does, the caveats, and the files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from armstance.analysis.adjustment import ConfusionLookup
from armstance.analysis.loading import Predictions
from armstance.schema import STANCES

CAVEATS = (
    "Every stance here is a model's output, not a reading of the texts: the labels the model"
    " learnt from were themselves made by language-model annotators following the"
    " guidelines.",
    "Raw shares are biased: at the model's cross-validated accuracy, classes the model"
    " over-predicts (usually `none` or `favor`) are inflated and rare ones (`against`)"
    " deflated. The adjusted shares correct this on average, assuming the corpus's errors"
    " look like the cross-validation's; they are noisier, and unreliable where the CV"
    " matrix rests on few examples of a class.",
    "Intervals cover the sampling of documents only, not the model's errors nor the"
    " uncertainty of the confusion matrix.",
    "Actors are what the extractor found: a missed mention is no document for its actor,"
    " and the names merged across documents are listed in names_merged.csv.",
    "A cell with few documents says little: cells under --min-docs are left out.",
)


@dataclass(frozen=True)
class Summary:
    predictions: Predictions
    period_kind: str
    window_kind: str
    group_by: str | None
    speaker: str | None
    pool: str | None
    speaker_docs: int | None
    min_docs: int
    n_boot: int
    seed: int
    confusion: ConfusionLookup
    warnings: Sequence[str]
    cells: int
    network_edges: dict[str, int]
    ambiguous: int
    merged: int
    files: Sequence[str]


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _model_section(summary: Summary) -> list[str]:
    p = summary.predictions
    lines = [
        "## Model",
        "",
        f"- model: `{p.model_uri or 'not recorded (JSONL predictions)'}`"
        + (f", registry version {p.model_version}" if p.model_version else ""),
        f"- confusion matrix: {summary.confusion.note}",
    ]
    confusion = summary.confusion.confusion
    if confusion is None:
        lines += ["", "No CV confusion matrix: the adjusted columns are empty."]
        return lines
    lines += [
        "",
        "Cross-validated stance precision and recall of the actors the model lists (gold"
        " rows, predicted columns below):",
        "",
        "| class | precision | recall | gold actors |",
        "|---|---|---|---|",
    ]
    for label, (precision, recall) in confusion.precision_recall().items():
        gold = int(confusion.counts[STANCES.index(label)].sum())
        lines.append(f"| {label} | {_fmt(precision)} | {_fmt(recall)} | {gold} |")
    lines += ["", "| gold \\ predicted | " + " | ".join(STANCES) + " |", "|---|---|---|---|"]
    for k, label in enumerate(STANCES):
        counts = " | ".join(str(int(c)) for c in confusion.counts[k])
        lines.append(f"| {label} | {counts} |")
    return lines


def render(summary: Summary, table: pd.DataFrame, top: list[str]) -> str:
    p = summary.predictions
    lines = [
        "# Stance toward arming Ukraine: corpus analysis",
        "",
        f"Predictions: `{p.path.name}`: {len(p.documents)} judged documents,"
        f" {len(p.actors)} (document, actor) rows, {p.n_errors} documents the model could"
        " not judge (left out).",
        *(
            [
                f"Speakers only (`--speaker {summary.speaker}`): the actor who gave the"
                f" document, found among its actors in {summary.speaker_docs} of"
                f" {len(p.documents)} documents; the others have no row"
                + (f"; speakers pooled by {summary.pool}." if summary.pool else "."),
            ]
            if summary.speaker
            else []
        ),
        f"Cells by {summary.period_kind}"
        + (f" and {summary.group_by}" if summary.group_by else "")
        + f", at least {summary.min_docs} documents each: {summary.cells}."
        f" Networks by {summary.window_kind}: "
        + ", ".join(f"{name} {n} edges" for name, n in summary.network_edges.items())
        + ".",
        f"Bootstrap: {summary.n_boot} resamples of documents, seed {summary.seed}."
        f" Names: {summary.merged} forms merged, {summary.ambiguous} ambiguous surnames"
        " refused (names_ambiguous.csv).",
        "",
    ]
    if summary.warnings:
        lines += ["## Warnings", "", *(f"- {w}" for w in summary.warnings), ""]
    lines += [*_model_section(summary), "", "## Caveats", "", *(f"- {c}" for c in CAVEATS)]
    lines += ["", "## Top actors", "", "| actor | documents | favor | against | none |"]
    lines.append("|---|---|---|---|---|")
    for actor in top:
        cells = table[table["actor"] == actor]
        n = int(cells["n_docs"].sum())
        shares = [(cells[s] * cells["n_docs"]).sum() / n for s in STANCES]
        lines.append(f"| {actor} | {n} | " + " | ".join(f"{s:.2f}" for s in shares) + " |")
    lines += ["", "(raw shares over all cells shown; per period in stance_table.csv)", ""]
    lines += ["## Files", "", *(f"- `{name}`" for name in summary.files), ""]
    return "\n".join(lines)
