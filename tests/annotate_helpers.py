"""Invented speeches and briefings in the shape of the rebuilt sources, and helpers for the
annotation-loop tests. Every text here is written for the tests; none comes from a source."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from armstance.cli import main
from armstance.schema import GoldActor, GoldDocument

MODEL = {"name": "tfidf_logreg", "_target_": "armstance.models.tfidf_logreg.TfidfLogReg", "C": 10.0}

# (alias, actor, type, stance, sentiment, sentence) for the tiny model's training documents.
TRAINING = [
    ("Berlin", "Germany", "state", "favor", "neutral", "{} liefert weitere Panzer an die Ukraine."),
    ("Moskau", "Russia", "state", "against", "negative", "{} warnt vor neuen Waffenlieferungen."),
    ("Wien", "Austria", "state", "none", "neutral", "{} meldet gutes Wetter für das Wochenende."),
    ("Washington", "United States", "state", "favor", "neutral", "{} will send more missiles."),
    ("Beijing", "China", "state", "against", "neutral", "{} opposes any arms deliveries."),
]

SPEECH_SENTENCES = [
    "Die Bundesregierung liefert weitere Panzer an die Ukraine.",
    "Wir lehnen jede weitere Waffenlieferung an die Ukraine ab.",
    "Moskau warnt vor neuen Waffenlieferungen.",
    "Die NATO unterstützt die Ukraine mit Munition und Luftverteidigung.",
    "Frankreich hat Haubitzen geschickt, Polen prüft weitere Hilfe.",
    "Russland greift weiter zivile Ziele an.",
]
CLOSING = "Wir werden die Antwort aus Moskau genau prüfen. Vielen Dank."
PARTIES = ["SPD", "CDU/CSU", "BÜNDNIS 90/DIE GRÜNEN", "FDP", "AfD", "Die Linke", "BSW"]
BRIEFING_SENTENCES = [
    "The United States will send more air defense systems to Ukraine.",
    "Moscow warned against further deliveries of weapons.",
    "Germany pledged additional tanks last week.",
    "The Pentagon announced a new package of artillery ammunition.",
]


def speeches() -> list[dict]:
    docs = []
    for i in range(14):
        party = PARTIES[i % len(PARTIES)]
        speaker = f"Abgeordnete Nummer {i}"
        body = " ".join(SPEECH_SENTENCES[(i + k) % len(SPEECH_SENTENCES)] for k in range(4))
        docs.append(
            {
                "doc_id": f"bundestag-{100 + i}",
                "lang": "de",
                "title": f"Tagesordnungspunkt {i}",
                "text": f"{speaker} ({party}): Frau Präsidentin! {body} {CLOSING}",
                "speaker": speaker,
                "party": party,
                "date": f"{2022 + i % 3}-0{1 + i % 9}-15",
            }
        )
    return docs


def briefings() -> list[dict]:
    docs = []
    for i in range(4):
        body = " ".join(BRIEFING_SENTENCES[(i + k) % len(BRIEFING_SENTENCES)] for k in range(2))
        date = f"2023-0{i + 2}-10"
        docs.append(
            {
                "doc_id": f"whitehouse-{date}-press-briefing-{i}",
                "lang": "en",
                "title": f"Press Briefing {i}",
                "text": f"MS. SPOKESPERSON: Good afternoon. {body}",
                "speaker": "MS. SPOKESPERSON",
                "date": date,
            }
        )
    return docs


# Invented, in the shape of a news item: what the commands must refuse.
NEWS = {"doc_id": "tagesschau-0001", "lang": "de", "text": "Berlin liefert Panzer an Kiew."}


def gold_doc(i: int) -> GoldDocument:
    text, actors = "", []
    for alias, name, kind, stance, sentiment, template in TRAINING:
        start = len(text)
        text += template.format(alias) + " "
        actors.append(
            GoldActor(
                actor=name,
                type=kind,
                aliases=[alias],
                stance=stance,
                sentiment=sentiment,
                alias_spans=[(start, start + len(alias))],
            )
        )
    return GoldDocument(doc_id=f"g{i}", lang="de", text=text, split="train", actors=actors)


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def train(self) -> Path:
        return self.root / "data" / "annotations" / "train.jsonl"

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"


def run_cli(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(["annotate", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err
