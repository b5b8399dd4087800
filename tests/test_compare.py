from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from armstance.cli import main
from armstance.comparison.leaderboard import (
    COLUMNS,
    SUMMARY,
    SUMMARY_HEADER,
    Row,
    ceiling_row,
    cell,
    experiment_rows,
)
from armstance.comparison.paired_runs import contenders
from armstance.comparison.runs import is_training_run, resolve_run, training_runs
from armstance.errors import CompareError, DataError
from armstance.evaluation.paired import paired_bootstrap
from armstance.schema import (
    ActorAnnotation,
    ActorJudgement,
    DocumentAnnotation,
    DocumentPrediction,
)
from armstance.tracking.registry import ALIAS, MODEL_NAME

if TYPE_CHECKING:
    from fixtures_store import Store

pytest_plugins = ["fixtures_store"]
INTERVAL = r"\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]"


def experiment_id(client: MlflowClient) -> str:
    return client.get_experiment_by_name("armstance").experiment_id


def by_title(cells: list[str]) -> dict[str, str]:
    return dict(zip((c.title for c in COLUMNS), cells, strict=True))


def summary(row: Row) -> dict[str, str]:
    return dict(zip((c.title for c in SUMMARY), row.summary, strict=True))


def markdown_table(text: str, first_header_cell: str) -> list[list[str]]:
    """The rows (header first) of the Markdown table whose header starts with the cell."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header_cell} |"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        if not line.startswith("|---"):
            rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


@pytest.mark.slow
def test_leaderboard_rows_from_a_real_store(in_store: Store) -> None:
    client = MlflowClient()
    rows = experiment_rows(training_runs(client, experiment_id(client)))
    # Best CV e2e F_avg first.
    assert [r.experiment for r in rows] == ["tfidf_logreg", "majority"]
    tfidf, majority = rows
    assert (majority.n_runs, tfidf.n_runs) == (2, 1)
    cells = by_title(majority.cells)
    # Two seeds: mean ± sd, then the mean of their bootstrap bounds.
    assert re.fullmatch(r"0\.000 ± 0\.000 \[0\.000, 0\.000\]", cells["CV F_avg (oracle)"])
    assert re.fullmatch(r"0\.000 ± 0\.000 \[0\.000, 0\.000\]", cells["CV F_avg (e2e)"])
    assert re.fullmatch(r"\d\.\d{3} ± \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]", cells["CV sentiment de"])
    assert cells["CV F1 against (e2e)"] == "0.000 ± 0.000"  # no interval for class F1
    assert re.fullmatch(r"\d+\.\d ± \d+\.\d", cells["train s"])
    tfidf_cells = by_title(tfidf.cells)
    assert re.fullmatch(INTERVAL, tfidf_cells["CV F_avg en"])
    assert tfidf.score > 0 == majority.score

    # The summary: the headline with its interval, the others as bare means.
    tfidf_summary = summary(tfidf)
    assert re.fullmatch(INTERVAL, tfidf_summary["CV e2e F_avg [95% interval]"])
    assert re.fullmatch(r"\d\.\d{3} / \d\.\d{3}", tfidf_summary["German / English"])
    assert re.fullmatch(r"\d\.\d{2} / \d\.\d{2}", tfidf_summary["actor precision (all) / recall"])
    assert summary(majority)["F1 against"] == "0.000 ± 0.000"

    ceiling = ceiling_row(client, experiment_id(client))
    assert ceiling is not None and re.fullmatch(INTERVAL, ceiling.cells[0])
    assert ceiling.cells[1] == ""  # agreement is not split by language
    assert ceiling.experiment == "annotator agreement"
    ceiling_summary = summary(ceiling)
    assert ceiling_summary["CV e2e F_avg [95% interval]"] == ceiling.cells[0]
    assert ceiling_summary["German / English"] == "" and ceiling_summary["train s"] == ""
    assert ceiling.numbers["cv_e2e_stance_f_avg"] > 0.5


@pytest.mark.slow
def test_compare_markdown_holds_table_ceiling_and_paired_line(in_store: Store, tmp_path) -> None:
    target = tmp_path / "README.md"
    assert main(["compare", "--markdown", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert "Written by `armstance compare --markdown`" in text
    # It opens with the summary: at most 12 columns, one row per experiment and agreement.
    summary_rows = markdown_table(text, "experiment")
    assert summary_rows[0] == list(SUMMARY_HEADER) and len(SUMMARY_HEADER) <= 12
    assert [r[:3] for r in summary_rows[1:]] == [
        ["tfidf_logreg", "tfidf_logreg", "1"],
        ["majority", "majority", "2"],
        ["annotator agreement", "second annotation", ""],
    ]
    assert text.index("| experiment |") < text.index("## Annotator agreement")
    assert "human" not in text.lower()
    assert "not agreement between people" in " ".join(text.split())
    # Every column below it, and the same as numbers in the CSV beside it.
    assert re.search(r"^\| tfidf_logreg \| tfidf_logreg \| 1 \|", text, re.M)
    assert "## All columns" in text and "(leaderboard.csv)" in text
    table = pd.read_csv(tmp_path / "leaderboard.csv")
    assert list(table["experiment"]) == ["tfidf_logreg", "majority", "annotator agreement"]
    tfidf = table.iloc[0]
    assert tfidf["cv_e2e_stance_f_avg_lo"] <= tfidf["cv_e2e_stance_f_avg"]
    assert tfidf["cv_e2e_stance_f_avg"] <= tfidf["cv_e2e_stance_f_avg_hi"]
    assert f"{tfidf['cv_e2e_stance_f_avg']:.3f}" in summary_rows[1][3]
    assert table.iloc[1]["cv_e2e_stance_f_avg_sd"] == 0.0  # two majority seeds
    assert pd.isna(table.iloc[2]["train_seconds"])
    for mode in ("e2e", "oracle"):
        assert re.search(rf"vs B = majority \(\w{{8}}\): CV {mode}, \d+ documents", text)
    assert text.count("stance F_avg: tfidf_logreg − majority = +") == 2
    assert "real, tfidf_logreg is better (the interval excludes 0)" in text
    # The nested selection: the majority model's outer-fold estimate and its optimism.
    nested = text.split("## Nested selection")[1]
    (selected,) = [r for r in markdown_table(nested, "experiment") if r[0] == "majority"]
    assert len(selected) == 10
    assert selected[1].startswith("0.000 [0.000, 0.000]") and selected[3] == "0.000"


@pytest.mark.slow
def test_the_selection_job_logs_its_choices_estimate_and_outer_predictions(in_store) -> None:
    client = MlflowClient()
    (run,) = client.search_runs([experiment_id(client)], "tags.kind = 'selection'")
    params, metrics = run.data.params, run.data.metrics
    assert params["selected.speech_weight"] in ("0.1", "1.0")
    assert {f"fold{k}.speech_weight" for k in range(5)} <= set(params)
    # The majority model never says favor or against: every figure is 0, optimism too.
    assert metrics["nested_cv_e2e_stance_f_avg"] == 0.0
    assert metrics["nested_cv_optimism_e2e_stance_f_avg"] == 0.0
    assert "transfer_de_to_en_e2e_stance_f_avg" in metrics
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert "cv_e2e_predictions.jsonl" in artifacts
    # Not a row of the leaderboard: the training runs are.
    assert run.info.run_id not in set(training_runs(client, experiment_id(client))["run_id"])


@pytest.mark.slow
def test_paired_command_on_two_runs_with_identical_predictions(in_store: Store, capsys) -> None:
    client = MlflowClient()
    runs = client.search_runs([experiment_id(client)], "tags.experiment = 'majority'")
    # The selection run carries the experiment's tag too: it is not a training run.
    seeds = {r.data.tags["seed"]: r.info.run_id for r in runs if is_training_run(r)}
    # The majority baseline ignores its seed: both runs predict the same labels.
    assert main(["compare", "--paired", seeds["0"], seeds["1"]]) == 0
    out = capsys.readouterr().out
    assert re.search(r"\d+ documents, 1000 resamples", out)
    assert "stance F_avg: A − B = +0.000 [+0.000, +0.000], p(A ≤ B) = 1.000" in out
    assert "not distinguishable from noise" in out


@pytest.mark.slow
def test_promote_moves_the_champion_alias(in_store: Store) -> None:
    client = MlflowClient()
    eid = experiment_id(client)
    majority = resolve_run(client, eid, "majority")
    tfidf = resolve_run(client, eid, "tfidf_logreg")
    assert main(["compare", "--promote", majority.info.run_id]) == 0
    assert client.get_model_version_by_alias(MODEL_NAME, ALIAS).run_id == majority.info.run_id
    assert main(["compare", "--promote", "tfidf_logreg"]) == 0
    assert client.get_model_version_by_alias(MODEL_NAME, ALIAS).run_id == tfidf.info.run_id
    # Promoting an already registered run reuses its version.
    assert main(["compare", "--promote", majority.info.run_id]) == 0
    assert client.get_model_version_by_alias(MODEL_NAME, ALIAS).run_id == majority.info.run_id
    assert len(client.search_model_versions(f"name = '{MODEL_NAME}'")) == 2


@pytest.mark.slow
def test_unknown_run_reference_is_a_clear_error(in_store: Store, capsys) -> None:
    client = MlflowClient()
    with pytest.raises(CompareError, match="'no_such_experiment' is neither a run id"):
        resolve_run(client, experiment_id(client), "no_such_experiment")
    assert main(["compare", "--paired", "majority", "0" * 32]) == 2
    assert f"no run with id {'0' * 32}" in capsys.readouterr().err


# Paired bootstrap on hand-made predictions, where the difference is known.

STANCE_OF = ["favor", "against", "none", "favor", "against", "none"]
SENTIMENT_OF = ["positive", "negative", "neutral", "neutral", "negative", "positive"]


def gold_docs() -> list[DocumentAnnotation]:
    docs = []
    for d in range(12):
        actors = [
            ActorAnnotation(
                actor=f"Actor {k}",
                type="state",
                aliases=[f"Actor {k}"],
                stance=STANCE_OF[(d + k) % 6],
                sentiment=SENTIMENT_OF[(d + 2 * k) % 6],
            )
            for k in range(3)
        ]
        docs.append(DocumentAnnotation(doc_id=f"d{d}", lang="en" if d % 2 else "de", actors=actors))
    return docs


def predictions(gold: list[DocumentAnnotation], stance=None, sentiment=None):
    """Gold labels, or a constant `stance`/`sentiment` for every actor."""
    out = []
    for doc in gold:
        actors = [
            ActorJudgement(
                actor=a.actor,
                type=a.type,
                aliases=a.aliases,
                stance=stance or a.stance,
                sentiment=sentiment or a.sentiment,
                evidence=[],
                stance_proba={"favor": 1 / 3, "against": 1 / 3, "none": 1 / 3},
                sentiment_proba={"positive": 1 / 3, "neutral": 1 / 3, "negative": 1 / 3},
            )
            for a in doc.actors
        ]
        out.append(DocumentPrediction(doc_id=doc.doc_id, lang=doc.lang, actors=actors))
    return out


def test_paired_perfect_against_all_none_is_a_real_difference() -> None:
    gold = gold_docs()
    results = paired_bootstrap(
        gold, predictions(gold), predictions(gold, stance="none", sentiment="neutral")
    )
    stance = results["stance_f_avg"]
    assert (stance.a, stance.b, stance.difference) == (1.0, 0.0, 1.0)
    assert stance.lo == stance.hi == 1.0  # B never finds a favor or against actor
    assert stance.p_value == 0.0 and stance.real
    sentiment = results["sentiment_macro_f1"]
    assert sentiment.a == 1.0 and 0 < sentiment.lo <= sentiment.difference <= sentiment.hi
    assert sentiment.real and sentiment.p_value == 0.0
    assert "real, perfect is better" in stance.verdict("perfect", "none")


def test_paired_identical_predictions_differ_by_nothing() -> None:
    gold = gold_docs()
    results = paired_bootstrap(gold, predictions(gold), predictions(gold), n_boot=200)
    for result in results.values():
        assert (result.difference, result.lo, result.hi, result.p_value) == (0.0, 0.0, 0.0, 1.0)
        assert not result.real
        assert result.n_boot == 200 and result.n_docs == 12


def test_paired_swapping_sides_mirrors_the_interval() -> None:
    gold = gold_docs()
    good, bad = predictions(gold), predictions(gold, stance="favor")
    ab = paired_bootstrap(gold, good, bad)["stance_f_avg"]
    ba = paired_bootstrap(gold, bad, good)["stance_f_avg"]
    assert ab.difference == pytest.approx(-ba.difference)
    assert (ab.lo, ab.hi) == pytest.approx((-ba.hi, -ba.lo))


def test_paired_needs_every_gold_actor_judged() -> None:
    gold = gold_docs()
    short = predictions(gold)
    short[3] = short[3].model_copy(update={"actors": short[3].actors[:1]})
    with pytest.raises(DataError, match=r"run X.*no prediction for gold actor 'Actor 1'"):
        paired_bootstrap(gold, predictions(gold), short, source_b="run X")


def row(experiment: str, model: str, score: float | None) -> Row:
    return Row(experiment, model, 1, [], score, f"run-{experiment}")


def test_runner_up_is_the_best_experiment_of_another_model() -> None:
    rows = [
        row("tfidf", "tfidf_logreg", 0.41),
        row("tfidf_calibrated", "tfidf_logreg", 0.41),
        row("minilm", "minilm", 0.15),
        row("majority", "majority", 0.0),
    ]
    ((best, runner_up),) = contenders(rows)
    assert (best.experiment, runner_up.experiment) == ("tfidf", "minilm")


def test_the_best_is_tested_against_the_baseline_and_the_runner_up() -> None:
    rows = [
        row("ensemble", "avg", 0.52),
        row("e5", "e5_logreg", 0.45),
        row("tfidf_logreg", "tfidf_logreg", 0.39),
    ]
    pairs = [(a.experiment, b.experiment) for a, b in contenders(rows)]
    assert pairs == [("ensemble", "tfidf_logreg"), ("ensemble", "e5")]
    # A runner-up that is the baseline is tested once.
    assert len(contenders([rows[0], rows[2]])) == 1


def test_runner_up_falls_back_to_the_same_model_and_needs_two_scored_rows() -> None:
    same = [row("a", "tfidf_logreg", 0.4), row("b", "tfidf_logreg", 0.3)]
    assert [(a.experiment, b.experiment) for a, b in contenders(same)] == [("a", "b")]
    assert contenders([row("a", "tfidf_logreg", 0.4), row("b", "minilm", None)]) == []


def test_figures_outside_the_model_vocabulary_are_marked() -> None:
    runs = pd.DataFrame(
        [
            {
                "run_id": "r1",
                "tags.experiment": "minilm",
                "tags.model": "minilm",
                "tags.vocabulary": "en",
                "metrics.cv_e2e_stance_f_avg": 0.2,
                "metrics.cv_oracle_stance_f_avg": 0.2,
                "metrics.cv_oracle_stance_f_avg_de": 0.1,
                "metrics.cv_oracle_stance_f_avg_en": 0.3,
            },
            {
                "run_id": "r2",
                "tags.experiment": "tfidf",
                "tags.model": "tfidf_logreg",
                "tags.vocabulary": None,
                "metrics.cv_e2e_stance_f_avg": 0.4,
                "metrics.cv_oracle_stance_f_avg": 0.4,
                "metrics.cv_oracle_stance_f_avg_de": 0.4,
            },
        ]
    )
    tfidf, minilm = experiment_rows(runs)
    assert by_title(minilm.cells)["CV F_avg de"] == "0.100 †"
    assert by_title(minilm.cells)["CV F_avg en"] == "0.300"
    assert by_title(minilm.cells)["CV sentiment de"] == "n/a"
    assert by_title(tfidf.cells)["CV F_avg de"] == "0.400"


def test_several_seeds_show_the_mean_of_their_interval_bounds() -> None:
    metric = "metrics.cv_oracle_stance_f_avg"
    runs = pd.DataFrame(
        {
            "run_id": ["s2", "s1", "s0"],
            metric: [0.30, 0.20, 0.10],
            f"{metric}_lo": [0.25, 0.15, 0.05],
            f"{metric}_hi": [0.35, 0.25, 0.15],
        }
    )
    assert cell(runs, "cv_oracle_stance_f_avg") == "0.200 ± 0.100 [0.150, 0.250]"
    assert cell(runs.drop(columns=[f"{metric}_lo"]), "cv_oracle_stance_f_avg") == "0.200 ± 0.100"
    assert cell(runs, "cv_e2e_stance_f_avg") == "n/a"


def test_summary_shows_the_headline_interval_and_bare_means_of_the_rest() -> None:
    runs = pd.DataFrame(
        {
            "run_id": ["s1", "s0"],
            "tags.experiment": ["e5", "e5"],
            "tags.model": ["e5_logreg", "e5_logreg"],
            "tags.vocabulary": [None, None],
            "metrics.cv_e2e_stance_f_avg": [0.40, 0.50],
            "metrics.cv_e2e_stance_f_avg_lo": [0.30, 0.40],
            "metrics.cv_e2e_stance_f_avg_hi": [0.50, 0.60],
            "metrics.cv_e2e_stance_f_avg_de": [0.30, 0.50],
            "metrics.cv_e2e_stance_f_avg_de_lo": [0.20, 0.40],
            "metrics.cv_e2e_actor_precision_all": [0.75, 0.85],
            "metrics.train_seconds": [10.0, 12.0],
        }
    )
    (row,) = experiment_rows(runs)
    cells = summary(row)
    assert len(SUMMARY_HEADER) <= 12
    assert cells["CV e2e F_avg [95% interval]"] == "0.450 ± 0.071 [0.350, 0.550]"
    assert cells["German / English"] == "0.400 ± 0.141 / n/a"  # no interval in the summary
    assert cells["actor precision (all) / recall"] == "0.80 ± 0.07 / n/a"
    assert cells["train s"] == "11.0 ± 1.4"
    assert cells["F1 against"] == "n/a"
    assert row.numbers["cv_e2e_stance_f_avg"] == pytest.approx(0.45)
    assert row.numbers["cv_e2e_stance_f_avg_lo"] == pytest.approx(0.35)
    assert row.numbers["cv_e2e_stance_f_avg_sd"] == pytest.approx(0.0707, abs=1e-4)
    assert row.numbers["cv_e2e_stance_f1_against"] is None


def test_end_to_end_the_pairs_also_compare_the_share_of_predicted_actors_that_are_actors():
    gold = gold_docs()
    texts = {d.doc_id: " ".join(a.actor for a in d.actors) + " Extra Person." for d in gold}
    clean = predictions(gold)
    extra = ActorJudgement(
        actor="Extra Person", type="person", aliases=["Extra Person"], stance="none",
        sentiment="neutral", evidence=[],
        stance_proba={"favor": 0.0, "against": 0.0, "none": 1.0},
        sentiment_proba={"positive": 0.0, "neutral": 1.0, "negative": 0.0},
    )  # fmt: skip
    noisy = [p.model_copy(update={"actors": [*p.actors, extra]}) for p in clean]
    results = paired_bootstrap(gold, clean, noisy, mode="e2e", texts=texts, n_boot=200)
    # A candidate the gold does not list, with no stance: F_avg cannot see it, precision can.
    assert results["stance_f_avg"].difference == 0.0
    precision = results["actor_precision_all"]
    assert (precision.a, precision.b) == (1.0, 0.75) and precision.real
