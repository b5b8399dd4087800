"""The model card is written from the run: the documents the model was fitted on, their
labels' provenance, the run's metrics and the limits that follow from the data."""

from __future__ import annotations

import json
import re

import pytest
from omegaconf import OmegaConf

from armstance.schema import GoldActor, GoldDocument
from armstance.tracking import model_card as card_module
from armstance.tracking.model_card import model_card

CFG = OmegaConf.create(
    {"model": {"name": "tfidf_logreg"}, "data": {"fit_on": "train", "unlisted_as_none": True}}
)
METRICS = {
    "cv_e2e_stance_f_avg": 0.5,
    "cv_e2e_stance_f_avg_lo": 0.4,
    "cv_e2e_stance_f_avg_hi": 0.6,
    "cv_e2e_stance_f1_against": 0.25,
    "cv_e2e_sentiment_macro_f1": 0.61,
    "cv_e2e_stance_f_avg_de": 0.55,
    "cv_e2e_stance_f_avg_en": 0.35,
}
PROVENANCE = {
    "annotator": "ann-07",
    "annotator_kind": "model",
    "pass": 1,
    "revision": 1,
    "model_assisted": True,
    "guidelines": "1.2",
    "date": "2026-01-02",
}


def doc(doc_id: str, lang: str, stances: list[str]) -> GoldDocument:
    text = "Das Land A liefert. " * len(stances)
    return GoldDocument(
        doc_id=doc_id,
        lang=lang,
        text=text,
        split="train",
        actors=[
            GoldActor(
                actor=f"Actor {k}",
                type="state",
                aliases=["A"],
                stance=stance,
                sentiment="neutral",
                alias_spans=[[9 + 20 * k, 10 + 20 * k]],
            )
            for k, stance in enumerate(stances)
        ],
    )


DOCS = [
    doc("tagesschau-0001", "de", ["favor", "against", "none"]),
    doc("bundestag-0001", "de", ["against", "none"]),
    doc("bundestag-0002", "de", ["favor"]),
    doc("whitehouse-0001", "en", ["favor", "none", "none", "none"]),
    doc("guardian-001", "en", ["none", "favor"]),
]


@pytest.fixture(scope="module")
def cards(tmp_path_factory) -> dict[str, str]:
    """The card of a model fitted on DOCS and of one fitted on their English documents,
    with stand-off records of the speeches and briefing passages holding provenance (the
    news has none). Made once: reading the source catalogue takes a while."""
    path = tmp_path_factory.mktemp("labels") / "train.jsonl"
    records = []
    for d in DOCS:
        record = {
            "doc_id": d.doc_id,
            "lang": d.lang,
            "text_sha256": "0" * 64,
            "actors": [
                a.model_dump(include={"actor", "type", "stance", "sentiment", "alias_spans"})
                for a in d.actors
            ],
        }
        if d.doc_id.startswith(("bundestag", "whitehouse")):
            record["provenance"] = PROVENANCE
        records.append(json.dumps(record))
    path.write_text("\n".join(records) + "\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(card_module, "labels_paths", lambda split: [path])
        return {
            "all": model_card(CFG, "my_experiment", METRICS, DOCS),
            "english": model_card(CFG, "my_experiment", METRICS, DOCS[3:]),
        }


def flat(text: str) -> str:
    return " ".join(text.split())


def test_card_tells_the_training_data_per_collection_and_language(cards):
    card = cards["all"]
    assert card.startswith("# armstance model card: my_experiment (tfidf_logreg)")
    assert "5 documents in English, German" in flat(card)
    assert "| `tagesschau` | de | 1 | 3 |" in card
    assert "| `bundestag` | de | 2 | 3 |" in card
    assert "| `whitehouse` | en | 1 | 4 |" in card
    assert "| all | | 5 | 12 |" in card
    assert "extracted actors the labels do not list" in flat(card)
    # Licences only of the collections trained on.
    assert "`bundestag`:" in card and "`congress`:" not in card


def test_card_gives_the_headline_with_interval_and_per_language_figures(cards):
    card = cards["all"]
    assert "0.500 [0.400, 0.600] (`cv_e2e_stance_f_avg`" in flat(card)
    assert "| F1 against, CV e2e | `cv_e2e_stance_f1_against` | 0.250 |" in card
    assert "| stance F_avg, CV e2e, German | `cv_e2e_stance_f_avg_de` | 0.550 |" in card
    assert "| stance F_avg, CV e2e, French | `cv_e2e_stance_f_avg_fr` | n/a |" in card
    assert "overestimated the score on held-out news by about 0.09 to 0.12" in flat(card)


def test_card_tells_label_provenance_and_never_says_people_labelled(cards):
    text = flat(cards["all"])
    assert "3 documents (`bundestag`, `whitehouse`): language-model annotators ann-07" in text
    assert "guidelines 1.2, pass 1" in text and "model_assisted: true" in text
    assert "2 documents (`guardian`, `tagesschau`) carry no provenance record" in text
    assert "no person labelled them" in text
    assert not re.search(r"by hand|human|expert", text, re.IGNORECASE)


def test_limits_follow_from_the_training_data(cards):
    card = flat(cards["all"])
    assert "French is zero-shot: no French training labels." in card
    assert "`against` is rare in the English training units (0 of 6)" in card
    assert "rare in the German" not in card
    english_only = flat(cards["english"])
    assert "German is zero-shot" in english_only and "French is zero-shot" in english_only
    assert "2 documents in English," in english_only
