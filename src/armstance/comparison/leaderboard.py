"""The leaderboard: one row per experiment (its runs averaged), columns of the metrics every
run logs, the annotator-agreement row beside them; as a rich table or Markdown rows."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

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
