"""The readable prediction table beside gold labels: matching, missed and extra actors."""

import json

from rich.console import Console

from armstance.corpus import load_gold
from armstance.corpus.load import read_seed_text, seed_text_path
from armstance.paths import seeds_dir
from armstance.prediction.console_table import gold_for_inputs, lines, render
from armstance.schema import ActorJudgement, Document, DocumentPrediction

TEXT = "Warschau schickt Panzer. Moskau protestiert. Das Wetter in Wien bleibt mild."
GOLD = {
    "doc_id": "own-1",
    "lang": "de",
    "actors": [
        {"actor": "Poland", "type": "state", "aliases": ["Warschau"], "stance": "favor",
         "sentiment": "neutral"},
        {"actor": "Russia", "type": "state", "aliases": ["Moskau"], "stance": "against",
         "sentiment": "negative"},
        {"actor": "Hungary", "type": "state", "aliases": ["Budapest"], "stance": "against",
         "sentiment": "neutral"},
    ],
}  # fmt: skip


def judgement(actor: str, alias: str, stance: str, sentiment: str) -> ActorJudgement:
    return ActorJudgement(
        actor=actor,
        type="state",
        aliases=[alias],
        stance=stance,
        sentiment=sentiment,
        evidence=[f"{alias} …"],
        stance_proba={"favor": 0.2, "against": 0.2, "none": 0.2} | {stance: 0.6},
        sentiment_proba={"positive": 0.2, "neutral": 0.2, "negative": 0.2} | {sentiment: 0.6},
    )


PREDICTION = DocumentPrediction(
    doc_id="own-1",
    lang="de",
    actors=[
        # Named differently from gold: paired through the shared mention "Warschau".
        judgement("Republic of Poland", "Warschau", "favor", "neutral"),
        judgement("Russia", "Moskau", "none", "negative"),
        judgement("Austria", "Wien", "none", "neutral"),
    ],
)


def test_lines_pair_by_the_scoring_matcher_and_list_missed_gold_last(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(GOLD) + "\n", encoding="utf-8")
    docs = [Document(doc_id="own-1", lang="de", text=TEXT)]
    gold = gold_for_inputs(docs, path)
    rows = lines(PREDICTION, gold["own-1"], TEXT)
    assert [(r.pred and r.pred.actor, r.gold and r.gold.actor) for r in rows] == [
        ("Republic of Poland", "Poland"),
        ("Russia", "Russia"),
        ("Austria", None),
        (None, "Hungary"),
    ]


def test_table_shows_gold_columns_and_a_summary(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(GOLD) + "\n", encoding="utf-8")
    docs = [Document(doc_id="own-1", lang="de", text=TEXT)]
    console = Console(width=200, record=True)
    render([PREDICTION], console, docs, gold_for_inputs(docs, path), evidence_chars=20)
    out = console.export_text()
    assert "gold stance" in out and "Hungary (missed)" in out
    assert "2 actors matched (stance agrees on 1, sentiment on 2), 1 missed, 1 not in gold" in out


def test_table_without_gold_has_no_gold_columns():
    console = Console(width=200, record=True)
    render([PREDICTION], console, [Document(doc_id="own-1", lang="de", text=TEXT)])
    out = console.export_text()
    assert "gold" not in out and "Austria" in out


def test_split_labels_join_a_text_file_by_its_content():
    """A .txt input is named after its file; the seed's labels carry another doc_id."""
    [labels] = sorted(seeds_dir().glob("*.labels.jsonl"))
    text = read_seed_text(seed_text_path(labels))
    [seed] = load_gold("seed")
    docs = [Document(doc_id=labels.name.split(".")[0], lang="fr", text=text)]
    gold = gold_for_inputs(docs, "split:seed")
    assert [a.actor for a in gold[docs[0].doc_id]] == [a.actor for a in seed.actors]
    other = Document(doc_id="x", lang="fr", text="Autre texte.")
    assert gold_for_inputs([other], "split:seed") == {}
