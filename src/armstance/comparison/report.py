"""The results report, experiments/README.md: the leaderboard, the annotator agreement,
the paired tests and the learning curve, as Markdown."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import mlflow
from mlflow.tracking import MlflowClient

from armstance.comparison.leaderboard import (
    CEILING_NAME,
    COLUMNS,
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
        " seeded share of one collection's labelled documents added to every training fold;"
        " only news documents are scored.",
        "",
        *([f"![learning curve]({image.name})", ""] if image is not None else []),
        "| added | share | documents | training units | CV e2e F_avg | CV oracle F_avg |"
        " CV sentiment (e2e) |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in points:
        e2e = _interval(
            p["cv_e2e_stance_f_avg"], p["cv_e2e_stance_f_avg_lo"], p["cv_e2e_stance_f_avg_hi"]
        )
        lines.append(
            f"| {p['collection']} | {p['fraction']:.2f} | {p['docs_added']} | "
            f"{p['units_added']} | {e2e} | {_number(p['cv_oracle_stance_f_avg'])} | "
            f"{_number(p['cv_e2e_sentiment_macro_f1'])} |"
        )
    return lines


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _interval(value: float | None, lo: float | None, hi: float | None) -> str:
    if value is None or lo is None or hi is None:
        return _number(value)
    return f"{value:.3f} [{lo:.3f}, {hi:.3f}]"


def markdown(
    rows: Sequence[Row],
    ceiling: Row | None,
    paired: Sequence[str] = (),
    curve: Sequence[str] = (),
) -> str:
    header = ["experiment", "model", "runs", *(c.title for c in COLUMNS)]
    lines = [
        "# Results",
        "",
        "Written by `armstance compare --markdown` from the MLflow store; do not edit by hand.",
        "Cells: mean ± sd over runs (seeds) [95% bootstrap interval over documents; with"
        " several runs, the mean of their bounds]. CV = grouped 5-fold cross-validation"
        " over train+dev (data/folds.json); e2e = actors extracted by the model, as in real"
        " use (the order of the table), oracle = the gold actors given."
        " F_avg = mean of F1(favor) and F1(against). n/a = undefined or not logged"
        " (e2e needs `evaluation.e2e=true`). train s = seconds to fit on train; dev docs/s ="
        " documents scored per second on dev. ECE = expected calibration error of the CV"
        " probabilities (15 bins; lower is better). † = a language outside the model's"
        " vocabulary (run tag `vocabulary`), e.g. MiniLM's English vocabulary reading German.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for row in [*rows, *([ceiling] if ceiling else [])]:
        runs = "" if row.experiment == CEILING_NAME else str(row.n_runs)
        lines.append("| " + " | ".join([row.experiment, row.model, runs, *row.cells]) + " |")
    lines += ["", "## Human ceiling", ""]
    if ceiling is None:
        lines.append("No agreement run logged yet (`armstance agreement … --log`).")
    else:
        lines.append(
            f"The `{CEILING_NAME}` row: the second annotator against the gold labels with the"
            " same matcher (e2e), on the documents both annotated."
        )
    lines += ["", f"## Best against the baseline ({BASELINE}) and the runner-up", ""]
    lines += [f"- {line}" for line in paired] if paired else ["Fewer than two experiments."]
    if curve:
        lines += ["", "## Learning curve: speeches and briefings added to the news", "", *curve]
    return "\n".join(lines) + "\n"
