"""`armstance annotate select`: only the speech and briefing sources, never a news document;
the champion's uncertainty spread over strata; quotas; reproducible with a seed."""

import csv
import datetime
import json

import pytest

from annotate_helpers import NEWS, run_cli, write_jsonl
from armstance.annotate.select import (
    ALL_SOURCES,
    Quota,
    Scored,
    entropy,
    favor_against,
    margin,
    party_spellings,
    score_documents,
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
from armstance.schema import ActorJudgement, Document, DocumentPrediction

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


@pytest.mark.slow
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


@pytest.mark.slow
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


# Invented congressional releases: one for aid, one against it, one with both sides.
CONGRESS = [
    {"doc_id": "congress-2023-04-12-X000101-0", "title": "Example Opposes Aid",
     "text": "Example Opposes Aid\n\nBeijing opposes any arms deliveries to Ukraine.",
     "speaker": "Jane Example", "party": "Republican", "date": "2023-04-12"},
    {"doc_id": "congress-2023-04-12-X000102-0", "title": "Example Backs Aid",
     "text": "Example Backs Aid\n\nWashington will send more missiles to Ukraine.",
     "speaker": "John Example", "party": "Democrat", "date": "2023-04-12"},
    {"doc_id": "congress-2023-05-02-X000103-0", "title": "Example on Both Sides",
     "text": "Example on Both Sides\n\nWashington will send more missiles. Beijing opposes any "
     "arms deliveries.", "speaker": "Joan Example", "party": "Republican",
     "date": "2023-05-02"},
]  # fmt: skip


def _max_against(doc_ids) -> dict[str, float]:
    """The champion's largest p(against) over each document's actors, predicted directly."""
    from armstance.prediction.batch import predict_documents
    from armstance.prediction.model_uri import load_pipeline

    docs = [Document(doc_id=d["doc_id"], lang="en", text=d["text"]) for d in CONGRESS]
    results = predict_documents(load_pipeline("models:/armstance@champion"), docs, 8)
    return {r.doc_id: max(a.stance_proba["against"] for a in r.actors) for r in results}


@pytest.mark.slow
def test_seeking_against_ranks_by_the_largest_p_against_not_by_uncertainty(
    project, champion, capsys
):
    write_jsonl(project.raw / "congress.jsonl", CONGRESS)
    out = project.root / "selection.jsonl"
    common = ("--input", project.raw / "congress.jsonl", "--n", "3", "--decay", "1")
    assert run_cli(capsys, "select", *common, "--output", out)[0] == 0
    by_uncertainty = _rows(out)
    assert {r["criterion"] for r in by_uncertainty} == {"margin"}
    code, _, err = run_cli(capsys, "select", *common, "--seek", "against", "--output", out)
    assert code == 0, err
    rows = _rows(out)
    expected = _max_against([d["doc_id"] for d in CONGRESS])
    assert [r["doc_id"] for r in rows] == sorted(expected, key=expected.get, reverse=True)
    assert all(r["score"] == round(expected[r["doc_id"]], 4) for r in rows)
    assert {r["criterion"] for r in rows} == {"p(against)"}
    # The two releases against arms deliveries come first, through the actor opposing them;
    # by uncertainty the release for aid led.
    assert {r["doc_id"] for r in rows[:2]} == {CONGRESS[0]["doc_id"], CONGRESS[2]["doc_id"]}
    assert rows[0]["actor"] == "China" and rows[0]["source"] == "congress"
    assert by_uncertainty[0]["doc_id"] != rows[0]["doc_id"]


@pytest.mark.slow
def test_a_source_can_seek_a_class_while_the_others_rank_by_uncertainty(project, champion, capsys):
    write_jsonl(project.raw / "congress.jsonl", CONGRESS)
    out = project.root / "selection.jsonl"
    code, _, err = run_cli(
        capsys, "select", "--n", "6", "--seek", "congress=against", "--min-source",
        "congress=2", "--output", out,
    )  # fmt: skip
    assert code == 0, err
    rows = _rows(out)
    assert [r["reason"] for r in rows[:2]] == ["quota source congress=2"] * 2
    assert {r["doc_id"] for r in rows[:2]} == {CONGRESS[0]["doc_id"], CONGRESS[2]["doc_id"]}
    for row in rows:
        assert row["criterion"] == ("p(against)" if row["source"] == "congress" else "margin")


@pytest.mark.parametrize("spec", ["pro", "congress=pro", "nyt=against", "=against"])
def test_a_bad_seek_is_refused(project, capsys, spec):
    with pytest.raises(SystemExit):
        run_cli(capsys, "select", "--seek", spec, "--output", project.root / "s.jsonl")
    assert "expected [SOURCE=]CLASS" in capsys.readouterr().err
    code, _, err = run_cli(
        capsys, "select", "--seek", "against", "--seek", "congress=against", "--seek",
        "congress=favor", "--output", project.root / "s.jsonl",
    )  # fmt: skip
    assert code == 2 and "--seek names a source twice" in err


def test_score_documents_seeks_per_source():
    def judged(actor: str, favor: float, against: float) -> ActorJudgement:
        return ActorJudgement(
            actor=actor, type="state", aliases=[actor], stance="none", sentiment="neutral",
            evidence=[], stance_proba={"favor": favor, "against": against,
                                       "none": 1 - favor - against},
            sentiment_proba={"positive": 0.0, "neutral": 1.0, "negative": 0.0},
        )  # fmt: skip

    actors = [judged("A", 0.45, 0.45), judged("B", 0.0, 0.8)]
    docs = [
        SourceDocument(Document(doc_id=f"{source}-1", text="x"), source)
        for source in ("congress", "kremlin")
    ]
    predictions = {
        d.doc_id: DocumentPrediction(doc_id=d.doc_id, lang="en", actors=actors) for d in docs
    }
    congress, kremlin = score_documents(docs, predictions, seek={"congress": "against"})
    assert (congress.score, congress.actor, congress.criterion) == (0.8, "B", "p(against)")
    assert (kremlin.score, kremlin.actor, kremlin.criterion) == (pytest.approx(1.0), "A", "margin")
    (everywhere,) = score_documents(docs[1:], predictions, seek={ALL_SOURCES: "favor"})
    assert (everywhere.score, everywhere.actor) == (0.45, "A")
