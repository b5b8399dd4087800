"""The leaderboard: one row per experiment (its runs averaged), columns of the metrics every
run logs, the annotator-agreement row beside them. A summary of at most 12 columns (what a
reader compares first) and the full set; as a rich table, Markdown rows or CSV."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from mlflow.entities import Run
from mlflow.tracking import MlflowClient
from rich.table import Table

from armstance.corpus.sources import NEWS_COLLECTIONS
from armstance.schema import LANGS

HEADLINE = "cv_e2e_stance_f_avg"
"""The compass: cross-validated, end to end (actors extracted, as in real use)."""


@dataclass(frozen=True)
class Column:
    title: str
    metric: str
    digits: int = 3
    ceiling: str | None = None
    """The agreement run's metric shown in this column of the annotator-agreement row."""

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
BY_METRIC = {c.metric: c for c in COLUMNS}
# Precision over every predicted actor, stance or not: what a user sees (the annotators'
# agreement counts the same way); `actor P (stance)` counts those given favor or against.
ACTOR_PRECISION = Column(
    "actor P (all)", "cv_e2e_actor_precision_all", 2, ceiling="actor_precision"
)
ACTOR_PRECISION_STANCE = Column("actor P (stance)", "cv_e2e_actor_precision", 2)
ACTOR_RECALL = Column("actor R", "cv_e2e_actor_recall", 2, ceiling="actor_recall")


@dataclass(frozen=True)
class SummaryColumn:
    """A column of the summary table: one metric, or several shown as "a / b"."""

    title: str
    parts: tuple[Column, ...]
    interval: bool = False


SUMMARY = (
    SummaryColumn("CV e2e F_avg [95% interval]", (BY_METRIC[HEADLINE],), interval=True),
    SummaryColumn("F1 against", (BY_METRIC["cv_e2e_stance_f1_against"],)),
    SummaryColumn("sentiment macro-F1", (BY_METRIC["cv_e2e_sentiment_macro_f1"],)),
    SummaryColumn(
        "German / English",
        (BY_METRIC["cv_e2e_stance_f_avg_de"], BY_METRIC["cv_e2e_stance_f_avg_en"]),
    ),
    SummaryColumn("actor precision (all) / recall", (ACTOR_PRECISION, ACTOR_RECALL)),
    SummaryColumn("oracle F_avg", (BY_METRIC["cv_oracle_stance_f_avg"],)),
    SummaryColumn("seed stances right", (BY_METRIC["seed_oracle_stance_agree"],)),
    SummaryColumn("train s", (BY_METRIC["train_seconds"],)),
    SummaryColumn("dev docs/s", (BY_METRIC["dev_eval_docs_per_second"],)),
)
SUMMARY_HEADER = ("experiment", "model", "runs", *(c.title for c in SUMMARY))
FULL_HEADER = ("experiment", "model", "runs", *(c.title for c in COLUMNS))
CSV_METRICS = (*COLUMNS, ACTOR_PRECISION, ACTOR_PRECISION_STANCE, ACTOR_RECALL)
CEILING_NAME = "annotator agreement"
CEILING_MODEL = "second annotation"
OUTSIDE_VOCABULARY = " †"


@dataclass
class Row:
    experiment: str
    model: str
    n_runs: int
    cells: list[str]
    """One per COLUMNS."""
    score: float | None = None
    """Mean CV e2e F_avg over the experiment's runs: the leaderboard order."""
    latest_run_id: str | None = None
    summary: list[str] = field(default_factory=list)
    """One per SUMMARY."""
    numbers: dict[str, float | None] = field(default_factory=dict)
    """Every CSV_METRICS metric's mean, and its `_sd`, `_lo`, `_hi` where defined."""


def cell(runs: pd.DataFrame, metric: str, digits: int = 3, interval: bool = True) -> str:
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
    if not interval:
        return text
    if lo is not None and hi is not None and lo.notna().any() and hi.notna().any():
        text += f" [{lo.mean():.{digits}f}, {hi.mean():.{digits}f}]"
    return text


def outside_vocabulary(text: str, column: Column, vocabulary: str | None) -> str:
    """Mark a per-language figure of a model whose vocabulary (e.g. "en") lacks the language."""
    if text == "n/a" or not column.lang or not isinstance(vocabulary, str):
        return text
    return text if column.lang in vocabulary.split(",") else text + OUTSIDE_VOCABULARY


def summary_cells(runs: pd.DataFrame, vocabulary: str | None, ceiling: bool = False) -> list[str]:
    """The SUMMARY cells of an experiment's runs (or of the agreement run: `ceiling`)."""
    out = []
    for column in SUMMARY:
        parts = []
        for part in column.parts:
            metric = part.ceiling if ceiling else part.metric
            if metric is None:
                parts.append("")
                continue
            text = cell(runs, metric, part.digits, interval=column.interval)
            parts.append(outside_vocabulary(text, part, vocabulary))
        out.append("" if not any(parts) else " / ".join(parts))
    return out


def _defined(runs: pd.DataFrame, metric: str | None) -> pd.Series:
    column = runs.get(f"metrics.{metric}") if metric else None
    return pd.Series(dtype=float) if column is None else column.dropna()


def numbers(runs: pd.DataFrame, ceiling: bool = False) -> dict[str, float | None]:
    """Mean, sd over runs and mean interval bounds of every CSV metric, by metric name
    (the agreement run's values under the models' names: `ceiling`)."""
    out: dict[str, float | None] = {}
    for column in CSV_METRICS:
        metric = column.ceiling if ceiling else column.metric
        for suffix in ("", "_lo", "_hi"):
            values = _defined(runs, metric and metric + suffix)
            out[column.metric + suffix] = float(values.mean()) if len(values) else None
        values = _defined(runs, metric)
        out[column.metric + "_sd"] = float(values.std(ddof=1)) if len(values) > 1 else None
    return out


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
                summary_cells(group, vocab),
                numbers(group),
            )
        )
    return sorted(out, key=lambda r: (r.score is None, -(r.score or 0.0), r.experiment))


def on_news(run: Run) -> bool:
    """Whether an agreement run covers news documents (no `collections` tag: all)."""
    collections = run.data.tags.get("collections")
    return collections is None or bool(set(collections.split(",")) & set(NEWS_COLLECTIONS))


def ceiling_row(client: MlflowClient, experiment_id: str) -> Row | None:
    """The latest agreement run (the second annotation against the first) on the news
    documents, the ones the leaderboard scores, as a row (runs restricted to speeches and
    briefings by their `collections` tag are left out). Both annotations were made by
    language-model annotators: the row measures how consistently the guidelines are
    applied, not agreement between people."""
    runs = client.search_runs(
        [experiment_id], "tags.kind = 'agreement'", order_by=["attributes.start_time DESC"]
    )
    runs = [run for run in runs if on_news(run)]
    if not runs:
        return None
    metrics = pd.DataFrame([{f"metrics.{k}": v for k, v in runs[0].data.metrics.items()}])
    cells = [cell(metrics, c.ceiling, c.digits) if c.ceiling else "" for c in COLUMNS]
    return Row(
        CEILING_NAME,
        CEILING_MODEL,
        1,
        cells,
        latest_run_id=runs[0].info.run_id,
        summary=summary_cells(metrics, None, ceiling=True),
        numbers=numbers(metrics, ceiling=True),
    )


def leaderboard_table(rows: Sequence[Row], ceiling: Row | None) -> Table:
    """The summary columns, for a terminal."""
    table = Table(title="armstance experiments (best CV e2e F_avg first)")
    for name in SUMMARY_HEADER:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(row.experiment, row.model, str(row.n_runs), *row.summary)
    if ceiling is not None:
        table.add_row(ceiling.experiment, ceiling.model, "", *ceiling.summary, style="italic")
    return table
