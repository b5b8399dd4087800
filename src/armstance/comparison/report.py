"""The results report, experiments/README.md: the summary leaderboard, the annotator
agreement, the paired tests, the learning curve and the full table, as Markdown; the full
table as numbers in experiments/leaderboard.csv."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import mlflow
from mlflow.tracking import MlflowClient

from armstance.comparison.leaderboard import (
    CEILING_NAME,
    CSV_METRICS,
    FULL_HEADER,
    SUMMARY_HEADER,
    Row,
)
from armstance.comparison.paired_runs import BASELINE
from armstance.comparison.runs import (
    run_label,
)


def learning_curve_lines(client: MlflowClient, experiment_id: str, image: Path | None) -> list[str]:
    """The latest learning-curve run as a table (and its plot copied to `image`)."""
    runs = client.search_runs(
        [experiment_id],
        "tags.kind = 'learning_curve' and attributes.status = 'FINISHED'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    if not runs:
        return ["No learning-curve run logged yet (`python -m armstance.learning_curve`)."]
    run = runs[0]
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(mlflow.artifacts.download_artifacts(run_id=run.info.run_id, dst_path=tmp))
        points = json.loads((local / "learning_curve.json").read_text(encoding="utf-8"))
        if image is not None:
            shutil.copyfile(local / "learning_curve.png", image)
    lines = [
        f"`python -m armstance.learning_curve` (run {run_label(run)}, model "
        f"`{run.data.tags.get('model', '?')}`): CV on the news folds with a growing, nested,"
        " seeded share of one collection's labelled documents added to every training fold"
        " (the news alone is share 0); e2e de / en: the German and English news;"
        " only news documents are scored.",
        "",
        *([f"![learning curve]({image.name})", ""] if image is not None else []),
        "| added | share | documents | training units | CV e2e F_avg | e2e de | e2e en |"
        " F1 against en | CV oracle F_avg | CV sentiment (e2e) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in points:
        e2e = _interval(
            p["cv_e2e_stance_f_avg"], p["cv_e2e_stance_f_avg_lo"], p["cv_e2e_stance_f_avg_hi"]
        )
        lines.append(
            f"| {p['collection']} | {p['fraction']:.2f} | {p['docs_added']} | "
            f"{p['units_added']} | {e2e} | {_number(p.get('cv_e2e_stance_f_avg_de'))} | "
            f"{_number(p.get('cv_e2e_stance_f_avg_en'))} | "
            f"{_number(p.get('cv_e2e_stance_f1_against_en'))} | "
            f"{_number(p['cv_oracle_stance_f_avg'])} | "
            f"{_number(p['cv_e2e_sentiment_macro_f1'])} |"
        )
    return lines


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _interval(value: float | None, lo: float | None, hi: float | None) -> str:
    if value is None or lo is None or hi is None:
        return _number(value)
    return f"{value:.3f} [{lo:.3f}, {hi:.3f}]"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def _runs(row: Row) -> str:
    return "" if row.experiment == CEILING_NAME else str(row.n_runs)


def markdown(
    rows: Sequence[Row],
    ceiling: Row | None,
    paired: Sequence[str] = (),
    curve: Sequence[str] = (),
    csv_name: str | None = None,
    selection: Sequence[str] = (),
) -> str:
    every = [*rows, *([ceiling] if ceiling else [])]
    full = [[row.experiment, row.model, _runs(row), *row.cells] for row in every]
    lines = [
        "# Results",
        "",
        "Written by `armstance compare --markdown` from the MLflow store; do not edit by hand.",
        "One row per experiment (its runs averaged), best cross-validated end-to-end stance"
        " F_avg first. CV = grouped 5-fold cross-validation over train+dev (data/folds.json),"
        " scored on the news documents; e2e = actors extracted by the model, as in real use;"
        " oracle = the gold actors given. F_avg = mean of F1(favor) and F1(against).",
        "",
        *_table(
            SUMMARY_HEADER,
            [[row.experiment, row.model, _runs(row), *row.summary] for row in every],
        ),
        "",
        "Cells: mean ± sd over runs (seeds); [95% bootstrap interval over documents; with"
        " several runs, the mean of their bounds]. F1 against, sentiment macro-F1, German /"
        " English (stance F_avg by language) and actor precision (over every predicted actor,"
        " stance or not) / recall are CV e2e;"
        " oracle F_avg is CV with the gold actors; seed stances right = the French seed"
        " article's actors whose stance the final model gets right (zero-shot: no French"
        " training labels); train s = seconds to fit on train; dev docs/s = documents scored"
        " per second on dev. n/a = undefined or not logged (e2e needs"
        " `evaluation.e2e=true`). † = a language outside the model's vocabulary (run tag"
        " `vocabulary`), e.g. MiniLM's English vocabulary reading German.",
        "",
        f"## {CEILING_NAME.capitalize()}",
        "",
    ]
    if ceiling is None:
        lines.append("No agreement run logged yet (`armstance agreement … --log`).")
    else:
        lines.append(
            f"The `{CEILING_NAME}` row scores the second annotation of the news documents"
            " against the first with the models' matcher and metrics (e2e), on the documents"
            " both annotated. Both were made by language-model annotators applying the same"
            " guidelines: the row measures how consistently the guidelines are applied, not"
            " agreement between people."
        )
    if selection:
        lines += ["", "## Nested selection: the honest estimate", "", *selection]
    lines += ["", f"## Best against the baseline ({BASELINE}) and the runner-up", ""]
    lines += [f"- {line}" for line in paired] if paired else ["Fewer than two experiments."]
    if curve:
        lines += ["", "## Learning curve: labelled collections added to the news", "", *curve]
    lines += [
        "",
        "## All columns",
        "",
        "Also CV over all documents (news, speeches and briefings), oracle and sentiment by"
        " language, dev, the seed, and the expected calibration error (ECE) of the CV"
        " probabilities (15 bins; lower is better)"
        + (
            f"; the same as numbers (mean, sd, bounds) in [{csv_name}]({csv_name})."
            if csv_name
            else "."
        ),
        "",
        *_table(FULL_HEADER, full),
    ]
    return "\n".join(lines) + "\n"


def leaderboard_csv(rows: Sequence[Row], ceiling: Row | None) -> str:
    """Every experiment (and the agreement row) with every metric's mean, sd over runs and
    interval bounds, as numbers: the full table for a spreadsheet or pandas."""
    every = [*rows, *([ceiling] if ceiling else [])]
    metrics = [f"{c.metric}{suffix}" for c in CSV_METRICS for suffix in ("", "_sd", "_lo", "_hi")]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["experiment", "model", "runs", "latest_run_id", *metrics])
    for row in every:
        values = ["" if row.numbers.get(m) is None else f"{row.numbers[m]:.6g}" for m in metrics]
        writer.writerow([row.experiment, row.model, _runs(row), row.latest_run_id or "", *values])
    return out.getvalue()
