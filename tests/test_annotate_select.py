"""`armstance annotate select`: only the speech and briefing sources, never a news document;
the champion's uncertainty spread over strata; quotas; reproducible with a seed."""

import csv
import datetime
import json

import pytest

from annotate_helpers import NEWS, run_cli, write_jsonl
from armstance.annotate.select import (
    Quota,
    Scored,
    entropy,
    favor_against,
    margin,
    party_spellings,
    select,
)
from armstance.annotate.sources import (
    MetadataFields,
    SourceDocument,
    parse_date,
    period_of,
    read_source_documents,
)
from armstance.errors import DataError
from armstance.schema import Document

pytest_plugins = ["fixtures_annotate"]


@pytest.mark.parametrize(
    "doc_id",
    ["tagesschau-0001", "guardian-001", "nyt-002", "seed-0001", "bundestagx-1", "bundestag"],
)
def test_select_refuses_any_other_source_before_loading_a_model(project, capsys, doc_id):
    news = project.root / "news.jsonl"
    write_jsonl(news, [{**NEWS, "doc_id": doc_id}])
    out = project.root / "selection.jsonl"
    code, _, err = run_cli(
        capsys, "select", "--input", project.raw / "bundestag.jsonl", news,
        "--model", "models:/does-not-exist@champion", "--output", out,
    )  # fmt: skip
    assert code == 2
    assert f"'{doc_id}' is not from a source open to annotation" in err
    assert "blind evaluation set" in err and "news.jsonl:1" in err
    assert not out.exists()


def _rows(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_select_ranks_unlabelled_documents_by_the_champions_uncertainty(project, champion, capsys):
    # One speech is labelled already: it must not come back.
    write_jsonl(project.train, [{"doc_id": "bundestag-100", "lang": "de", "text_sha256": "0" * 64,
                                 "actors": []}])  # fmt: skip
    out = project.root / "selection.jsonl"
    code, stdout, _ = run_cli(capsys, "select", "--n", "6", "--seed", "3", "--output", out)
    assert code == 0, stdout
    rows = _rows(out)
    assert [r["rank"] for r in rows] == list(range(1, 7))
    assert "bundestag-100" not in {r["doc_id"] for r in rows}
    assert all(0 < r["score"] <= 1 and r["actor"] for r in rows)
    first = rows[0]
    assert first["stratum"] == f"{first['source']} | {first['party'] or '-'} | {first['period']}"
    assert "models:/armstance@champion (version 1)" in stdout
    assert "selection by stratum" in stdout

    again = project.root / "again.csv"
    assert run_cli(capsys, "select", "--n", "6", "--seed", "3", "--output", again)[0] == 0
    with open(again, newline="") as fh:
        assert [r["doc_id"] for r in csv.DictReader(fh)] == [r["doc_id"] for r in rows]

    # Documents already out for labelling are left out of the next round.
    code, _, _ = run_cli(
        capsys, "select", "--n", "20", "--exclude", out, "--output", project.root / "next.jsonl"
    )
    taken = {r["doc_id"] for r in _rows(project.root / "next.jsonl")}
    assert code == 0 and taken and not taken & {r["doc_id"] for r in rows}


def test_party_quota_reaches_into_the_low_scores(project, champion, capsys):
    out = project.root / "selection.jsonl"
    code, stdout, _ = run_cli(
        capsys, "select", "--n", "4", "--min-party", "BSW=2", "--min-source", "whitehouse=25%",
        "--decay", "1", "--output", out,
    )  # fmt: skip
    rows = _rows(out)
    assert code == 0
    # Source quotas first, then party quotas, then the rest by score.
    assert rows[0]["source"] == "whitehouse"
    assert [r["party"] for r in rows[1:3]] == ["BSW", "BSW"]
    assert [r["reason"] for r in rows] == [
        "quota source whitehouse=25%",
        "quota party BSW=2",
        "quota party BSW=2",
        "score",
    ]
    assert "short" not in stdout


def _candidate(doc_id: str, party: str, score: float) -> Scored:
    doc = SourceDocument(Document(doc_id=doc_id, text="x"), "bundestag", party)
    return Scored(doc, party, "2023", score, "Germany", 1)


POOL = [
    _candidate("bundestag-1", "SPD", 0.9),
    _candidate("bundestag-2", "SPD", 0.8),
    _candidate("bundestag-3", "SPD", 0.7),
    _candidate("bundestag-4", "AfD", 0.5),
    _candidate("bundestag-5", "AfD", 0.1),
    _candidate("bundestag-6", "FDP", 0.2),
]


def _ids(selection) -> list[str]:
    return [s.candidate.doc.doc_id for s in selection.selected]


def test_decay_trades_uncertainty_for_spread_over_parties_and_periods():
    assert _ids(select(POOL, 3, decay=1.0)) == ["bundestag-1", "bundestag-2", "bundestag-3"]
    assert _ids(select(POOL, 3, decay=0.5)) == ["bundestag-1", "bundestag-4", "bundestag-2"]
    # Round-robin: every party once before any twice.
    assert _ids(select(POOL, 4, decay=0.0)) == [
        "bundestag-1",
        "bundestag-4",
        "bundestag-6",
        "bundestag-2",
    ]


def test_quotas_are_filled_first_and_shortfalls_reported():
    selection = select(POOL, 3, [Quota.parse("party", "afd=2"), Quota.parse("party", "BSW=1")])
    assert _ids(selection)[:2] == ["bundestag-4", "bundestag-5"]
    assert selection.shortfalls == {"party BSW=1": 1}
    with pytest.raises(ValueError, match="quotas ask for 4 documents"):
        select(POOL, 3, [Quota.parse("party", "SPD=4")])
    assert Quota.parse("party", "Die Linke=10%").required(25) == 3
    with pytest.raises(ValueError, match="expected VALUE=N or VALUE=P%"):
        Quota.parse("party", "AfD=1.5")


def test_the_seed_breaks_ties_reproducibly():
    ties = [_candidate(f"bundestag-{i}", "SPD", 0.5) for i in range(12)]
    runs = {seed: _ids(select(ties, 5, decay=1.0, seed=seed)) for seed in (0, 0, 1)}
    assert runs[0] == _ids(select(ties, 5, decay=1.0, seed=0))
    assert runs[0] != runs[1]


def test_uncertainty_scores():
    sure = {"favor": 0.98, "against": 0.01, "none": 0.01}
    torn = {"favor": 0.45, "against": 0.45, "none": 0.10}
    stance_or_not = {"favor": 0.5, "against": 0.0, "none": 0.5}
    assert margin(torn) == pytest.approx(1.0) and margin(sure) == pytest.approx(0.03)
    assert margin(stance_or_not) == pytest.approx(1.0)
    assert favor_against(torn) == pytest.approx(0.9) and favor_against(stance_or_not) == 0
    assert entropy({"favor": 1 / 3, "against": 1 / 3, "none": 1 / 3}) == pytest.approx(1.0)
    assert entropy(sure) < 0.15


def test_metadata_is_read_robustly(tmp_path):
    path = tmp_path / "bundestag.jsonl"
    write_jsonl(
        path,
        [
            {"doc_id": "bundestag-1", "text": "a", "fraktion": " AfD\n", "sitzung": "16.03.2023"},
            {"doc_id": "whitehouse-2024-05-02-remarks-1", "text": "b"},
        ],
    )
    fields = MetadataFields().with_overrides({"party": "fraktion", "date": "sitzung"})
    first, second = read_source_documents([path], fields)
    assert (first.party, first.date, first.lang) == ("AfD", datetime.date(2023, 3, 16), "de")
    # The White House date is in its doc_id; no party there.
    assert (second.party, second.date, second.lang) == (None, datetime.date(2024, 5, 2), "en")
    assert parse_date("2023-13-45") is None and parse_date(None) is None
    assert [period_of(second.date, p) for p in ("year", "quarter", "month")] == [
        "2024",
        "2024-Q2",
        "2024-05",
    ]
    write_jsonl(path, [{"doc_id": "bundestag-1", "text": "a"}] * 2)
    with pytest.raises(DataError, match="appears twice"):
        read_source_documents([path])


def test_one_spelling_per_party(tmp_path):
    path = tmp_path / "bundestag.jsonl"
    parties = ["Die Linke", "DIE LINKE", "Die Linke", "BÜNDNIS\xa090/DIE\n    GRÜNEN", None]
    write_jsonl(path, [{"doc_id": f"bundestag-{i}", "text": "x", "party": p}
                       for i, p in enumerate(parties)])  # fmt: skip
    docs = read_source_documents([path])
    assert docs[3].party == "BÜNDNIS 90/DIE GRÜNEN"  # as XML wraps it, made one line
    assert party_spellings(docs) == {
        "die linke": "Die Linke",
        "bündnis 90/die grünen": "BÜNDNIS 90/DIE GRÜNEN",
    }
