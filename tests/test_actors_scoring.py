"""actor_scores on a tiny gold set written for the tests."""

from __future__ import annotations

import math

from armstance.actors.extractor import ActorExtractor
from armstance.actors.scoring import actor_scores
from armstance.schema import GoldActor, GoldDocument


def gold_actor(name: str, kind: str, text: str, alias: str) -> GoldActor:
    start = text.index(alias)
    return GoldActor(
        actor=name,
        type=kind,
        aliases=[alias],
        stance="none",
        sentiment="neutral",
        alias_spans=[(start, start + len(alias))],
    )


def test_scores_by_name_and_by_overlapping_span():
    de = "Berlin liefert Panzer an Kiew. Polen zögert."
    en = "Foreign Minister Tarja Lindqvist said Finland would help."
    docs = [
        GoldDocument(
            doc_id="d1",
            lang="de",
            text=de,
            split="test",
            actors=[
                gold_actor("Germany", "state", de, "Berlin"),
                gold_actor("Ukraine", "state", de, "Kiew"),
                gold_actor("Rheinmetall", "organization", de, "Panzer"),
            ],
        ),
        GoldDocument(
            doc_id="e1",
            lang="en",
            text=en,
            split="test",
            # Another canonical spelling: matched through the overlapping span.
            actors=[gold_actor("T. Lindqvist", "person", en, "Lindqvist")],
        ),
    ]
    scores = actor_scores(docs, ActorExtractor(use_spacy_fr=False))
    # de: predicted Germany, Ukraine, Poland -> 2 of 3 match; gold 2 of 3 found.
    assert scores["actor_precision_de"] == 2 / 3
    assert scores["actor_recall_de"] == 2 / 3
    # en: predicted Tarja Lindqvist (span match), Finland (no gold).
    assert scores["actor_precision_en"] == 1 / 2
    assert scores["actor_recall_en"] == 1.0
    assert scores["actor_precision"] == 3 / 5
    assert scores["actor_recall"] == 3 / 4
    assert math.isclose(scores["actor_f1"], 2 * 0.6 * 0.75 / 1.35)
    assert math.isnan(scores["actor_precision_fr"]) and math.isnan(scores["actor_f1_fr"])
