"""`armstance compare`: the leaderboard of the experiments logged in MLflow, paired
bootstrap tests between runs, and promotion of a run's model to the `champion` alias.

experiments/README.md has `armstance compare --markdown` as its only writer.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pandas as pd
from mlflow.entities import Run
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient
from rich.console import Console
from rich.table import Table

from armstance.corpus.sources import NEWS_COLLECTIONS
from armstance.errors import CompareError
from armstance.evaluation.paired import PairedResult, paired_bootstrap
from armstance.jsonl import atomic_writer, read_records
from armstance.paths import annotations_dir, folds_path, project_root
from armstance.schema import LANGS, DocumentPrediction
from armstance.tracking.runs import fingerprint
from armstance.tracking.store import use_configured_store

MODEL_NAME = "armstance"
ALIAS = "champion"
RUN_ID = re.compile(r"[0-9a-f]{32}")
HEADLINE = "cv_e2e_stance_f_avg"
"""The compass: cross-validated, end to end (actors extracted, as in real use)."""
BASELINE = "tfidf_logreg"
"""A candidate replaces the baseline only when the paired interval excludes 0."""
PAIRED_MODES = ("e2e", "oracle")


def predictions_artifact(mode: str) -> str:
    return f"cv_{mode}_predictions.jsonl"


@dataclass(frozen=True)
class Column:
    title: str
    metric: str
    digits: int = 3
    ceiling: str | None = None
    """The agreement run's metric shown in this column of the human-ceiling row."""

    @property
    def lang(self) -> str | None:
        """The one language the column scores (metric suffix `_{lang}`), if any."""
        suffix = self.metric.rsplit("_", 1)[-1]
        return suffix if suffix in LANGS else None


COLUMNS = (
    Column("CV F_avg (e2e)", HEADLINE, ceiling="stance_f_avg"),
    Column("CV e2e de", "cv_e2e_stance_f_avg_de"),
    Column("CV e2e en", "cv_e2e_stance_f_avg_en"),
    Column("CV F1 against (e2e)", "cv_e2e_stance_f1_against"),
    Column("CV sentiment (e2e)", "cv_e2e_sentiment_macro_f1", ceiling="sentiment_macro_f1"),
    Column("CV e2e, all documents", "cvall_e2e_stance_f_avg"),
    Column("CV F_avg (oracle)", "cv_oracle_stance_f_avg", ceiling="stance_f_avg"),
    Column("CV F_avg de", "cv_oracle_stance_f_avg_de"),
    Column("CV F_avg en", "cv_oracle_stance_f_avg_en"),
    Column("CV sentiment macro-F1", "cv_oracle_sentiment_macro_f1", ceiling="sentiment_macro_f1"),
    Column("CV sentiment de", "cv_oracle_sentiment_macro_f1_de"),
    Column("CV sentiment en", "cv_oracle_sentiment_macro_f1_en"),
    Column("dev F_avg (oracle)", "dev_oracle_stance_f_avg"),
    Column("dev F_avg (e2e)", "dev_e2e_stance_f_avg"),
    Column("dev e2e de", "dev_e2e_stance_f_avg_de"),
    Column("dev e2e en", "dev_e2e_stance_f_avg_en"),
    Column("seed stances right", "seed_oracle_stance_agree", digits=0),
    Column("seed F_avg (e2e)", "seed_e2e_stance_f_avg"),
    Column("CV ECE stance", "cv_oracle_stance_ece"),
    Column("CV ECE sentiment", "cv_oracle_sentiment_ece"),
    Column("train s", "train_seconds", digits=1),
    Column("dev docs/s", "dev_eval_docs_per_second", digits=1),
)
CEILING_NAME = "human ceiling"
OUTSIDE_VOCABULARY = " †"


@dataclass
class Row:
    experiment: str
    model: str
    n_runs: int
    cells: list[str]
    score: float | None = None
    """Mean CV e2e F_avg over the experiment's runs: the leaderboard order."""
    latest_run_id: str | None = None


def cell(runs: pd.DataFrame, metric: str, digits: int = 3) -> str:
    """mean (± sd over runs) [bootstrap interval]; n/a when never defined.

    With several runs (seeds) the interval is the mean of the runs' bounds: the document
    sampling uncertainty of a typical run, centred near the mean, while the sd is the
    spread over seeds. One run's own interval could lie beside the mean it follows.
    """
    column = f"metrics.{metric}"
    if column not in runs or runs[column].isna().all():
        return "n/a"
    values = runs[column].dropna()
    text = f"{values.mean():.{digits}f}"
    if len(values) > 1:
        text += f" ± {values.std(ddof=1):.{digits}f}"
    lo, hi = runs.get(f"{column}_lo"), runs.get(f"{column}_hi")
    if lo is not None and hi is not None and lo.notna().any() and hi.notna().any():
        text += f" [{lo.mean():.{digits}f}, {hi.mean():.{digits}f}]"
    return text


def is_training_run(run: Run) -> bool:
    tags = run.data.tags
    kinds = ("evaluation", "agreement", "learning_curve")
    return tags.get("sweep") != "parent" and tags.get("kind") not in kinds


def training_runs(client: MlflowClient, experiment_id: str) -> pd.DataFrame:
    """Finished training runs, newest first (sweep parents and evaluations left out)."""
    runs = client.search_runs(
        [experiment_id], "attributes.status = 'FINISHED'", order_by=["attributes.start_time DESC"]
    )
    rows = []
    for run in filter(is_training_run, runs):
        tags = run.data.tags
        rows.append(
            {
                "run_id": run.info.run_id,
                "tags.experiment": tags.get("experiment"),
                "tags.model": tags.get("model"),
                "tags.vocabulary": tags.get("vocabulary"),
                **{f"metrics.{k}": v for k, v in run.data.metrics.items()},
            }
        )
    return pd.DataFrame(rows)


def outside_vocabulary(text: str, column: Column, vocabulary: str | None) -> str:
    """Mark a per-language figure of a model whose vocabulary (e.g. "en") lacks the language."""
    if text == "n/a" or not column.lang or not isinstance(vocabulary, str):
        return text
    return text if column.lang in vocabulary.split(",") else text + OUTSIDE_VOCABULARY


def experiment_rows(runs: pd.DataFrame) -> list[Row]:
    """One row per experiment, its seeds' runs averaged; best mean CV e2e F_avg first."""
    out = []
    if runs.empty:
        return out
    for experiment, group in runs.groupby("tags.experiment", sort=True):
        vocab = group.iloc[0].get("tags.vocabulary")
        cells = [outside_vocabulary(cell(group, c.metric, c.digits), c, vocab) for c in COLUMNS]
        column = f"metrics.{HEADLINE}"
        score = group[column].mean() if column in group else math.nan
        out.append(
            Row(
                str(experiment),
                str(group.iloc[0]["tags.model"]),
                len(group),
                cells,
                None if math.isnan(score) else float(score),
                str(group.iloc[0]["run_id"]),
            )
        )
    return sorted(out, key=lambda r: (r.score is None, -(r.score or 0.0), r.experiment))


def on_news(run: Run) -> bool:
    """Whether an agreement run covers news documents (no `collections` tag: all)."""
    collections = run.data.tags.get("collections")
    return collections is None or bool(set(collections.split(",")) & set(NEWS_COLLECTIONS))


def ceiling_row(client: MlflowClient, experiment_id: str) -> Row | None:
    """The latest agreement run (second annotator against gold) on the news documents, the
    ones the leaderboard scores, as a row (runs restricted to speeches and briefings by
    their `collections` tag are left out)."""
    runs = client.search_runs(
        [experiment_id], "tags.kind = 'agreement'", order_by=["attributes.start_time DESC"]
    )
    runs = [run for run in runs if on_news(run)]
    if not runs:
        return None
    metrics = pd.DataFrame([{f"metrics.{k}": v for k, v in runs[0].data.metrics.items()}])
    cells = [cell(metrics, c.ceiling, c.digits) if c.ceiling else "" for c in COLUMNS]
    return Row(CEILING_NAME, "second annotator", 1, cells, latest_run_id=runs[0].info.run_id)


def resolve_run(client: MlflowClient, experiment_id: str, ref: str) -> Run:
    """A run id, or an experiment name meaning that experiment's latest finished run."""
    if RUN_ID.fullmatch(ref):
        try:
            return client.get_run(ref)
        except MlflowException as exc:
            raise CompareError(f"no run with id {ref} in the store") from exc
    runs = client.search_runs(
        [experiment_id],
        f"tags.experiment = '{ref}' and attributes.status = 'FINISHED'",
        order_by=["attributes.start_time DESC"],
    )
    runs = [run for run in runs if is_training_run(run)]
    if not runs:
        raise CompareError(f"'{ref}' is neither a run id nor an experiment with a finished run")
    return runs[0]


def oof_predictions(run: Run, mode: str) -> list[DocumentPrediction]:
    """The run's out-of-fold predictions (`cv_{mode}_predictions.jsonl`)."""
    artifact = predictions_artifact(mode)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            path = mlflow.artifacts.download_artifacts(
                run_id=run.info.run_id, artifact_path=artifact, dst_path=tmp
            )
        except (MlflowException, OSError) as exc:
            raise CompareError(
                f"run {run.info.run_id} has no {artifact} (logged by runs with "
                "evaluation.cv=true" + (" and evaluation.e2e=true)" if mode == "e2e" else ")")
            ) from exc
        return [doc for _, doc in read_records(Path(path), DocumentPrediction)]


def current_fingerprint() -> str:
    return fingerprint([*annotations_dir().glob("*.jsonl"), folds_path()])


def run_label(run: Run) -> str:
    return f"{run.data.tags.get('experiment', '?')} ({run.info.run_id[:8]})"


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


def promote(client: MlflowClient, run: Run, name: str = MODEL_NAME, alias: str = ALIAS) -> str:
    """Point `name@alias` at the run's logged model, registering it first if needed.

    Returns the model version.
    """
    outputs = run.outputs.model_outputs if run.outputs else []
    if not outputs:
        raise CompareError(f"run {run.info.run_id} logged no model (tracking.log_model=false?)")
    model_ids = {o.model_id for o in outputs}
    versions = [
        v
        for v in client.search_model_versions(f"name = '{name}'")
        if v.run_id == run.info.run_id or getattr(v, "model_id", None) in model_ids
    ]
    if versions:
        version = max(versions, key=lambda v: int(v.version)).version
    else:
        version = mlflow.register_model(f"runs:/{run.info.run_id}/model", name).version
    client.set_registered_model_alias(name, alias, str(version))
    return str(version)


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


def leaderboard_table(rows: Sequence[Row], ceiling: Row | None) -> Table:
    table = Table(title="armstance experiments (best CV e2e F_avg first)")
    for name in ("experiment", "model", "runs"):
        table.add_column(name, no_wrap=True)
    for column in COLUMNS:
        table.add_column(column.title, overflow="fold")
    for row in rows:
        table.add_row(row.experiment, row.model, str(row.n_runs), *row.cells)
    if ceiling is not None:
        table.add_row(ceiling.experiment, ceiling.model, "", *ceiling.cells, style="italic")
    return table


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
        with atomic_writer(target) as fh:
            fh.write(markdown(rows, ceiling, paired, curve))
        print(f"wrote {target}")


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
        help="also write the results table (default path: experiments/README.md)",
    )
    p.add_argument(
        "--no-paired",
        action="store_true",
        help="leave out the paired test of the best experiment against the runner-up",
    )
    p.set_defaults(func=command)
