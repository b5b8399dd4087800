"""`armstance compare`: show the leaderboard (and write experiments/README.md), test two
runs against each other, or promote a run's model to the champion alias."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlflow.tracking import MlflowClient
from rich.console import Console

from armstance.comparison.leaderboard import (
    ceiling_row,
    experiment_rows,
    leaderboard_table,
)
from armstance.comparison.paired_runs import best_pairs, paired_report
from armstance.comparison.report import leaderboard_csv, learning_curve_lines, markdown
from armstance.comparison.runs import (
    resolve_run,
    run_label,
    training_runs,
)
from armstance.comparison.selection import selection_lines
from armstance.errors import CompareError
from armstance.jsonl import atomic_writer
from armstance.paths import project_root
from armstance.tracking.registry import ALIAS, MODEL_NAME, promote
from armstance.tracking.store import use_configured_store

CSV_NAME = "leaderboard.csv"


def show_leaderboard(client: MlflowClient, experiment_id: str, args: argparse.Namespace) -> None:
    rows = experiment_rows(training_runs(client, experiment_id))
    ceiling = ceiling_row(client, experiment_id)
    console = Console(width=max(Console().width, 200))
    console.print(leaderboard_table(rows, ceiling))
    paired: list[str] = []
    for pair in [] if args.no_paired else best_pairs(client, rows):
        paired += paired_report(*pair)
    if paired:
        console.print("\n".join(paired), markup=False, highlight=False)
    if args.markdown:
        target = Path(args.markdown)
        curve = learning_curve_lines(client, experiment_id, target.with_name("learning_curve.png"))
        table = target.with_name(CSV_NAME)
        with atomic_writer(table) as fh:
            fh.write(leaderboard_csv(rows, ceiling))
        selection = selection_lines(client, experiment_id)
        with atomic_writer(target) as fh:
            fh.write(markdown(rows, ceiling, paired, curve, CSV_NAME, selection))
        print(f"wrote {target} and {table}")


def command(args: argparse.Namespace) -> int:
    experiment_id = use_configured_store()
    client = MlflowClient()
    try:
        if args.paired:
            run_a, run_b = (resolve_run(client, experiment_id, ref) for ref in args.paired)
            print("\n".join(paired_report(run_a, run_b)))
        elif args.promote:
            run = resolve_run(client, experiment_id, args.promote)
            version = promote(client, run)
            print(f"{MODEL_NAME}@{ALIAS} -> version {version} ({run_label(run)})")
        else:
            show_leaderboard(client, experiment_id, args)
    except CompareError as exc:
        print(f"armstance compare: error: {exc}", file=sys.stderr)
        return 2
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="leaderboard of the experiments logged in MLflow, paired tests, promotion",
        description="Show the leaderboard of the training runs in the MLflow store (the "
        "latest run of each experiment, ranked by cross-validated end-to-end stance F_avg) "
        "with paired bootstrap tests of the best experiment; --markdown also writes the "
        "results table. --paired tests two runs; --promote moves the champion alias.\n\n"
        "Examples:\n\n"
        "  armstance compare --markdown\n"
        "  armstance compare --paired tfidf_mention_avg tfidf_logreg\n"
        "  armstance compare --promote tfidf_mention_avg",
    )
    action = p.add_mutually_exclusive_group()
    action.add_argument(
        "--paired",
        nargs=2,
        metavar=("RUN_A", "RUN_B"),
        help="paired bootstrap of A − B (run ids, or experiment names: their latest runs)",
    )
    action.add_argument(
        "--promote",
        metavar="RUN",
        help=f"point {MODEL_NAME}@{ALIAS} at this run's model (a run id or experiment name)",
    )
    p.add_argument(
        "--markdown",
        nargs="?",
        const=str(project_root() / "experiments" / "README.md"),
        metavar="PATH",
        help="also write the results report (default path: experiments/README.md) and the "
        f"full table as numbers beside it ({CSV_NAME})",
    )
    p.add_argument(
        "--no-paired",
        action="store_true",
        help="leave out the paired test of the best experiment against the runner-up",
    )
    p.set_defaults(func=command)
