"""`armstance analyze` on predictions written here, every expected figure worked out by hand:
shares, bootstrap intervals, adjusted shares, merged names and network edges."""

from __future__ import annotations

import json
from pathlib import Path

import mlflow
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from armstance.analysis.adjustment import adjust
from armstance.cli import main
from armstance.comparison.runs import is_training_run
from armstance.paths import project_root
from armstance.prediction.table import ModelRef, assemble, core_table, write_table

# (doc_id, date, party, [(actor, type, stance, confidence)]); invented actors and documents.
# Maria Lind / Lind: one person by surname. Anna Kowal and Piotr Kowal: "Kowal" ambiguous.
# "Kremlin" is a gazetteer metonym of Russia; in d2 it is less confident than Russia.
DOCS = [
    ("d1", "2023-01-10", "A", [("Germany", "state", "favor", 0.9),
                               ("Russia", "state", "against", 0.8),
                               ("Maria Lind", "person", "favor", 0.7),
                               ("Anna Kowal", "person", "none", 0.6)]),
    ("d2", "2023-01-20", "A", [("Germany", "state", "favor", 0.8),
                               ("Russia", "state", "against", 0.9),
                               ("Kremlin", "organization", "favor", 0.5),
                               ("Lind", "person", "favor", 0.6)]),
    ("d3", "2023-02-03", "B", [("Germany", "state", "against", 0.7),
                               ("Russia", "state", "against", 0.8),
                               ("Poland", "state", "favor", 0.9),
                               ("Kowal", "person", "none", 0.5)]),
    ("d4", "2023-02-15", "B", [("Germany", "state", "favor", 0.6),
                               ("Russia", "state", "against", 0.7),
                               ("Poland", "state", "favor", 0.8),
                               ("Piotr Kowal", "person", "none", 0.5)]),
    ("d5", "2023-03-01", "A", [("Germany", "state", "favor", 0.9),
                               ("Maria Lind", "person", "favor", 0.8)]),
    ("d6", "2023-03-02", "B", []),
]  # fmt: skip


def _row(doc_id: str, actor: str, kind: str, stance: str, confidence: float) -> dict:
    rest = (1 - confidence) / 2
    proba = {s: confidence if s == stance else rest for s in ("favor", "against", "none")}
    return {
        "doc_id": doc_id,
        "lang": "en",
        "actor": actor,
        "type": kind,
        "aliases": [actor],
        "stance": stance,
        **{f"p_{s}": p for s, p in proba.items()},
        "sentiment": "neutral",
        "p_positive": 0.1,
        "p_neutral": 0.8,
        "p_negative": 0.1,
        "evidence": [f"{actor} said something."],
    }


def write_predictions(path: Path, dated: bool = True) -> Path:
    rows, extras = [], []
    for doc_id, date, party, actors in DOCS:
        fields = {"date": date, "party": party} if dated else {"party": party}
        judged = [_row(doc_id, *a) for a in actors] or [{"doc_id": doc_id, "lang": "en"}]
        rows += judged
        extras += [fields] * len(judged)
    rows.append({"doc_id": "d7", "error": "empty or whitespace-only text"})
    extras.append(None)
    table = assemble(core_table(rows), ModelRef("runs:/0123/model", None), extras)
    write_table(table, path)
    return path


def write_confusion(path: Path, counts: list[list[int]]) -> Path:
    payload = {"labels": ["favor", "against", "none"], "counts": counts, "source": "test"}
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def analyze(tmp_path: Path, *extra: str, name: str = "out") -> tuple[int, Path]:
    out = tmp_path / name
    code = main(["analyze", str(tmp_path / "preds.parquet"), "--out", str(out), *extra])
    return code, out


IDENTITY = [[10, 0, 0], [0, 10, 0], [0, 0, 10]]


@pytest.fixture
def predictions(tmp_path: Path) -> Path:
    write_confusion(tmp_path / "identity.json", IDENTITY)
    return write_predictions(tmp_path / "preds.parquet")


def test_shares_intervals_and_adjusted_shares_by_month(tmp_path, predictions):
    confusion = str(tmp_path / "identity.json")
    code, out = analyze(tmp_path, "--min-docs", "2", "--confusion", confusion, "--seed", "3")
    assert code == 0
    table = pd.read_csv(out / "stance_table.csv").set_index(["actor", "period"])
    # Cells of at least two documents only: Maria Lind (d1, d2 as "Lind") in January,
    # Poland in February; Maria Lind in March (d5 alone) is left out.
    assert sorted(table.index) == [
        ("Germany", "2023-01"),
        ("Germany", "2023-02"),
        ("Maria Lind", "2023-01"),
        ("Poland", "2023-02"),
        ("Russia", "2023-01"),
        ("Russia", "2023-02"),
    ]
    germany_feb = table.loc[("Germany", "2023-02")]
    assert germany_feb["n_docs"] == 2
    assert (germany_feb["favor"], germany_feb["against"], germany_feb["none"]) == (0.5, 0.5, 0.0)
    # Two documents, one favor: a resample holds 0, 1 or 2 favor documents with chances
    # 1/4, 1/2, 1/4, so the 2.5th and 97.5th percentiles of 1,000 resamples are 0 and 1.
    assert (germany_feb["favor_lo"], germany_feb["favor_hi"]) == (0.0, 1.0)
    assert (germany_feb["none_lo"], germany_feb["none_hi"]) == (0.0, 0.0)
    # In d2, Russia (against, 0.9) and the Kremlin (favor, 0.5) are one actor: the more
    # confident label counts.
    russia_jan = table.loc[("Russia", "2023-01")]
    assert (russia_jan["n_docs"], russia_jan["against"]) == (2, 1.0)
    assert (russia_jan["against_lo"], russia_jan["against_hi"]) == (1.0, 1.0)
    # An identity confusion matrix changes nothing.
    for stance in ("favor", "against", "none"):
        assert np.allclose(table[f"adj_{stance}"], table[stance])
    settings = json.loads((out / "settings.json").read_text())
    assert settings["seed"] == 3 and settings["period"] == "month"
    report = (out / "report.md").read_text()
    assert "1 documents the model could not judge" in report
    assert "seed 3" in report and "| favor | 1.000 | 1.000 | 10 |" in report


def test_adjustment_solves_the_confusion_by_hand():
    # The model calls 20% of favor actors none and is right otherwise: M = [[.8, 0, .2],
    # [0, 1, 0], [0, 0, 1]]. Observed favor .4, none .6 means true favor .4 / .8 = .5 and
    # true none .6 - .2 * .5 = .5.
    rates = np.array([[0.8, 0.0, 0.2], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert np.allclose(adjust(np.array([0.4, 0.0, 0.6]), rates), [0.5, 0.0, 0.5])
    # Observed favor above what any truth can give is clipped to 1 and renormalised.
    assert np.allclose(adjust(np.array([0.9, 0.0, 0.1]), rates), [1.0, 0.0, 0.0])


def test_adjusted_column_from_a_confusion_file(tmp_path, predictions):
    confusion = write_confusion(tmp_path / "m.json", [[8, 0, 2], [0, 5, 0], [0, 0, 10]])
    code, out = analyze(tmp_path, "--min-docs", "2", "--confusion", str(confusion))
    assert code == 0
    table = pd.read_csv(out / "stance_table.csv").set_index(["actor", "period"])
    # Germany in February: observed favor .5, against .5, none 0. Solving
    # .8 f = .5, a = .5, .2 f + n = 0 gives f = .625, a = .5, n = -.125; clipped n = 0
    # and renormalised: f = .625 / 1.125, a = .5 / 1.125.
    cell = table.loc[("Germany", "2023-02")]
    assert cell["adj_favor"] == pytest.approx(0.625 / 1.125)
    assert cell["adj_against"] == pytest.approx(0.5 / 1.125)
    assert cell["adj_none"] == pytest.approx(0.0)
    assert cell["adj_favor_lo"] <= cell["adj_favor"] <= cell["adj_favor_hi"]
    report = (out / "report.md").read_text()
    # precision of favor 8 / 8, recall 8 / 10.
    assert "| favor | 1.000 | 0.800 | 10 |" in report


def test_names_are_merged_across_documents_and_ambiguous_surnames_refused(tmp_path, predictions):
    code, out = analyze(tmp_path, "--min-docs", "1", "--confusion", str(tmp_path / "identity.json"))
    assert code == 0
    merged = pd.read_csv(out / "names_merged.csv")
    assert merged.to_dict("records") == [
        {"form": "Lind", "canonical": "Maria Lind", "rule": "surname", "rows": 1},
        {"form": "Kremlin", "canonical": "Russia", "rule": "gazetteer form", "rows": 1},
    ]
    ambiguous = pd.read_csv(out / "names_ambiguous.csv")
    assert ambiguous.to_dict("records") == [
        {"surname": "Kowal", "candidates": "Anna Kowal; Piotr Kowal", "rows": 1}
    ]
    actors = set(pd.read_csv(out / "stance_table.csv")["actor"])
    assert {"Kowal", "Anna Kowal", "Piotr Kowal", "Maria Lind"} <= actors
    assert not {"Lind", "Kremlin"} & actors


def _edges(path: Path) -> set[tuple]:
    return {tuple(r) for r in pd.read_csv(path).itertuples(index=False)}


def test_networks_by_month(tmp_path, predictions):
    code, out = analyze(tmp_path, "--confusion", str(tmp_path / "identity.json"))
    assert code == 0
    # Documents per actor and stance (Lind counted as Maria Lind, Kremlin as Russia with
    # Russia's label in d2); none makes no edge.
    assert _edges(out / "network_two_mode_edges.csv") == {
        ("Germany", "favor", 4),
        ("Russia", "against", 4),
        ("Maria Lind", "favor", 3),
        ("Poland", "favor", 2),
        ("Germany", "against", 1),
    }
    # Majorities: January Germany favor, Russia against, Maria Lind favor (Anna Kowal none);
    # February Germany tied (no majority), Russia against, Poland favor; March Germany and
    # Maria Lind favor.
    assert _edges(out / "network_congruence_edges.csv") == {("Germany", "Maria Lind", 2)}
    assert _edges(out / "network_conflict_edges.csv") == {
        ("Germany", "Russia", 1),
        ("Maria Lind", "Russia", 1),
        ("Poland", "Russia", 1),
    }
    graph = nx.read_graphml(out / "network_congruence.graphml")
    assert graph["Germany"]["Maria Lind"]["weight"] == 2
    for name in ("timeline", "network_two_mode", "network_congruence", "network_conflict"):
        assert (out / f"{name}.png").stat().st_size > 1000


def test_a_wider_window_and_a_group_column(tmp_path, predictions):
    confusion = str(tmp_path / "identity.json")
    code, out = analyze(
        tmp_path, "--window", "year", "--group-by", "party", "--min-docs", "1",
        "--confusion", confusion,
    )  # fmt: skip
    assert code == 0
    # 2023 as one period: Germany favor (4 of 5), Maria Lind and Poland favor, Russia against.
    assert _edges(out / "network_congruence_edges.csv") == {
        ("Germany", "Maria Lind", 1),
        ("Germany", "Poland", 1),
        ("Maria Lind", "Poland", 1),
    }
    table = pd.read_csv(out / "stance_table.csv")
    germany = table[table["actor"] == "Germany"].set_index(["party", "period"])["n_docs"]
    assert germany.to_dict() == {("A", "2023-01"): 2, ("A", "2023-03"): 1, ("B", "2023-02"): 2}


def test_predictions_without_dates_are_analysed_by_document(tmp_path, capsys, monkeypatch):
    # An empty store: the predictions' model run is not in it.
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlruns.db'}")
    write_predictions(tmp_path / "preds.parquet", dated=False)
    code, out = analyze(tmp_path, "--min-docs", "1")
    assert code == 0
    assert "the analysis is by document" in capsys.readouterr().err
    table = pd.read_csv(out / "stance_table.csv")
    assert set(table["period"]) == {"d1", "d2", "d3", "d4", "d5"}
    # No model in the store and no --confusion: adjusted columns empty, the report says so.
    assert table["adj_favor"].isna().all()
    assert "the adjusted columns are empty" in (out / "report.md").read_text()


def test_jsonl_predictions_are_read(tmp_path):
    record = {
        "doc_id": "j1",
        "lang": "de",
        "actors": [
            {
                "actor": "Germany",
                "type": "state",
                "aliases": ["Berlin"],
                "stance": "favor",
                "sentiment": "neutral",
                "evidence": ["Berlin hilft."],
                "stance_proba": {"favor": 0.7, "against": 0.1, "none": 0.2},
                "sentiment_proba": {"positive": 0.2, "neutral": 0.7, "negative": 0.1},
            }
        ],
    }
    (tmp_path / "preds.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert (
        main(["analyze", str(tmp_path / "preds.jsonl"), "--out", str(out), "--min-docs", "1"]) == 0
    )
    table = pd.read_csv(out / "stance_table.csv")
    assert table[["actor", "period", "n_docs", "favor"]].to_dict("records") == [
        {"actor": "Germany", "period": "j1", "n_docs": 1, "favor": 1.0}
    ]


def test_bad_input_is_a_clear_error(tmp_path, predictions, capsys):
    code, _ = analyze(tmp_path, "--by", "outlet")
    assert code == 2
    assert (
        "no column 'outlet' in the predictions; available: date, party" in capsys.readouterr().err
    )
    code, _ = analyze(tmp_path, "--group-by", "speaker")
    assert code == 2 and "'--group-by'" in capsys.readouterr().err
    (tmp_path / "empty.jsonl").write_text("", encoding="utf-8")
    code = main(["analyze", str(tmp_path / "empty.jsonl"), "--out", str(tmp_path / "e")])
    assert code == 2 and "empty.jsonl: holds no predictions" in capsys.readouterr().err
    assert not (tmp_path / "e").exists()


def test_the_output_folder_is_fresh_or_replaced_whole(tmp_path, predictions, capsys):
    confusion = ("--confusion", str(tmp_path / "identity.json"))
    assert analyze(tmp_path, *confusion)[0] == 0
    (tmp_path / "out" / "stale.txt").write_text("old")
    code, _ = analyze(tmp_path, *confusion)
    assert code == 2 and "exists" in capsys.readouterr().err
    assert analyze(tmp_path, *confusion, "--overwrite")[0] == 0
    assert not (tmp_path / "out" / "stale.txt").exists()
    # Nothing half-written beside it.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_log_keeps_the_analysis_out_of_the_leaderboard(tmp_path, predictions, monkeypatch):
    home = tmp_path / "project"
    home.mkdir()
    (home / "configs").symlink_to(project_root() / "configs")
    monkeypatch.setenv("ARMSTANCE_HOME", str(home))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlruns.db'}")
    previous = mlflow.get_tracking_uri()
    try:
        code, _ = analyze(tmp_path, "--confusion", str(tmp_path / "identity.json"), "--log")
        assert code == 0
        client = mlflow.tracking.MlflowClient()
        experiment = client.get_experiment_by_name("armstance-analysis")
        (run,) = client.search_runs([experiment.experiment_id])
    finally:
        mlflow.set_tracking_uri(previous)
    assert run.data.tags["kind"] == "analysis" and not is_training_run(run)
    assert run.data.params["min_docs"] == "5"
    assert {a.path for a in client.list_artifacts(run.info.run_id)} >= {
        "report.md",
        "stance_table.csv",
        "network_two_mode.graphml",
        "timeline.png",
    }


def test_speaker_keeps_only_the_speakers_own_stance(tmp_path, capsys):
    # (doc_id, speaker, party, actors); invented speeches.
    speeches = [
        ("s1", "Dr. Maria Lind", "A", [("Maria Lind", "person", "favor", 0.8),
                                       ("Germany", "state", "favor", 0.9)]),
        ("s2", "Jonas Berg", "B", [("Berg", "person", "against", 0.7),
                                   ("Russia", "state", "against", 0.9)]),
        ("s3", "Eva Holm", "B", [("Germany", "state", "favor", 0.6)]),
    ]  # fmt: skip
    rows, extras = [], []
    for doc_id, speaker, party, actors in speeches:
        rows += [_row(doc_id, *a) for a in actors]
        extras += [{"speaker": speaker, "party": party}] * len(actors)
    write_table(assemble(core_table(rows), ModelRef("runs:/0123/model", None), extras),
                tmp_path / "preds.parquet")  # fmt: skip
    write_confusion(tmp_path / "identity.json", IDENTITY)
    common = ("--by", "speaker", "--group-by", "party", "--min-docs", "1")
    code, out = analyze(
        tmp_path, *common, "--speaker", "speaker", "--confusion", str(tmp_path / "identity.json")
    )
    assert code == 0
    table = pd.read_csv(out / "stance_table.csv")
    cells = table[["actor", "party", "favor", "against"]].itertuples(index=False, name=None)
    assert sorted(cells) == [
        ("Berg", "B", 0.0, 1.0),
        ("Maria Lind", "A", 1.0, 0.0),
    ]
    assert "found among its actors in 2 of 3 documents" in (out / "report.md").read_text()

    code, out = analyze(
        tmp_path, "--by", "speaker", "--min-docs", "1", "--speaker", "speaker",
        "--pool", "party", "--confusion", str(tmp_path / "identity.json"), name="pooled",
    )  # fmt: skip
    assert code == 0
    table = pd.read_csv(out / "stance_table.csv")
    cells = table[["actor", "favor", "against"]].itertuples(index=False, name=None)
    assert sorted(cells) == [("A", 1.0, 0.0), ("B", 0.0, 1.0)]

    code, _ = analyze(tmp_path, *common, "--speaker", "orator", name="bad")
    assert code != 0 and "orator" in capsys.readouterr().err
    code, _ = analyze(tmp_path, *common, "--pool", "party", name="bad")
    assert code != 0 and "--pool needs --speaker" in capsys.readouterr().err
