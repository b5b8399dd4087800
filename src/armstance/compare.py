"""`armstance compare [--markdown]`: one row per experiment, read from MLflow.

experiments/README.md has this command as its only writer.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from mlflow.tracking import MlflowClient
from rich.console import Console
from rich.table import Table

from armstance.jsonl import atomic_writer
from armstance.paths import project_root
from armstance.tracking.store import use_configured_store

COLUMNS = (
    ("CV F_avg", "cv_oracle_stance_f_avg"),
    ("CV F_avg de", "cv_oracle_stance_f_avg_de"),
    ("CV F_avg en", "cv_oracle_stance_f_avg_en"),
    ("CV stance macro-F1", "cv_oracle_stance_macro_f1"),
    ("CV sentiment macro-F1", "cv_oracle_sentiment_macro_f1"),
    ("dev F_avg (oracle)", "dev_oracle_stance_f_avg"),
    ("dev F_avg (e2e)", "dev_e2e_stance_f_avg"),
    ("dev sentiment macro-F1", "dev_oracle_sentiment_macro_f1"),
)
AGREEMENT = (("stance F_avg", "stance_f_avg"), ("sentiment macro-F1", "sentiment_macro_f1"))


@dataclass
class Row:
    experiment: str
    model: str
    n_runs: int
    cells: list[str]


def cell(runs: pd.DataFrame, metric: str) -> str:
    """mean (± sd over runs) [interval of the latest run]; n/a when never defined."""
    column = f"metrics.{metric}"
    if column not in runs or runs[column].isna().all():
        return "n/a"
    values = runs[column].dropna()
    text = f"{values.mean():.3f}"
    if len(values) > 1:
        text += f" ± {values.std(ddof=1):.3f}"
    latest = runs.iloc[0]
    lo, hi = latest.get(f"{column}_lo"), latest.get(f"{column}_hi")
    if lo is not None and hi is not None and not (math.isnan(lo) or math.isnan(hi)):
        text += f" [{lo:.3f}, {hi:.3f}]"
    return text


def training_runs(client: MlflowClient, experiment_id: str) -> pd.DataFrame:
    """Finished training runs, newest first (sweep parents and evaluations left out)."""
    runs = client.search_runs(
        [experiment_id], "attributes.status = 'FINISHED'", order_by=["attributes.start_time DESC"]
    )
    rows = []
    for run in runs:
        tags = run.data.tags
        if tags.get("sweep") == "parent" or tags.get("kind") in ("evaluation", "agreement"):
            continue
        rows.append(
            {
                "run_id": run.info.run_id,
                "tags.experiment": tags.get("experiment"),
                "tags.model": tags.get("model"),
                **{f"metrics.{k}": v for k, v in run.data.metrics.items()},
            }
        )
    return pd.DataFrame(rows)


def experiment_rows(runs: pd.DataFrame) -> list[Row]:
    """Latest configuration of each experiment; its seeds' runs are averaged."""
    out = []
    if runs.empty:
        return out
    for experiment, group in runs.groupby("tags.experiment", sort=True):
        cells = [cell(group, metric) for _, metric in COLUMNS]
        out.append(Row(str(experiment), str(group.iloc[0]["tags.model"]), len(group), cells))
    return out


def agreement_cells(client: MlflowClient, experiment_id: str) -> list[str] | None:
    runs = client.search_runs(
        [experiment_id],
        "tags.kind = 'agreement'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    if not runs:
        return None
    metrics = pd.DataFrame([{f"metrics.{k}": v for k, v in runs[0].data.metrics.items()}])
    return [cell(metrics, metric) for _, metric in AGREEMENT]


def markdown(rows: Sequence[Row], ceiling: list[str] | None) -> str:
    header = ["experiment", "model", "runs", *(name for name, _ in COLUMNS)]
    lines = [
        "# Results",
        "",
        "Written by `armstance compare --markdown` from the MLflow store; do not edit by hand.",
        "Cells: mean ± sd over runs (seeds) [95% bootstrap interval over documents, latest"
        " run]. CV = grouped 5-fold cross-validation over train+dev (data/folds.json), oracle"
        " actors. F_avg = mean of F1(favor) and F1(against). n/a = undefined (class absent).",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for row in rows:
        lines.append(
            "| " + " | ".join([row.experiment, row.model, str(row.n_runs), *row.cells]) + " |"
        )
    lines += ["", "## Human ceiling", ""]
    if ceiling is None:
        lines.append("No agreement run logged yet (`armstance agreement … --log`).")
    else:
        lines += [
            "Second annotator against the gold labels, same matcher (e2e):",
            "",
            "| " + " | ".join(name for name, _ in AGREEMENT) + " |",
            "|" + "---|" * len(AGREEMENT),
            "| " + " | ".join(ceiling) + " |",
        ]
    return "\n".join(lines) + "\n"


def command(args: argparse.Namespace) -> int:
    experiment_id = use_configured_store()
    client = MlflowClient()
    rows = experiment_rows(training_runs(client, experiment_id))
    ceiling = agreement_cells(client, experiment_id)
    table = Table(title="armstance experiments")
    for name in ["experiment", "model", "runs", *(n for n, _ in COLUMNS)]:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(row.experiment, row.model, str(row.n_runs), *row.cells)
    console = Console(width=max(Console().width, 200))
    console.print(table)
    if ceiling:
        console.print(f"human ceiling: stance F_avg {ceiling[0]}, sentiment {ceiling[1]}")
    if args.markdown:
        target = project_root() / "experiments" / "README.md"
        with atomic_writer(target) as fh:
            fh.write(markdown(rows, ceiling))
        print(f"wrote {target}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="leaderboard of the experiments logged in MLflow")
    p.add_argument("--markdown", action="store_true", help="also write experiments/README.md")
    p.set_defaults(func=command)
