"""Invented documents for the prediction-table tests (every text written for the tests),
with the fields a corpus passes through (date, outlet, party, url) and bad records."""

from __future__ import annotations

import json
from pathlib import Path

SUBJECTS = [
    ("de", "Berlin"), ("de", "Moskau"), ("de", "Wien"),
    ("en", "Washington"), ("en", "Beijing"), ("en", "Paris"),
]  # fmt: skip
PREDICATES = {
    "de": [
        "liefert weitere Panzer an die Ukraine.",
        "warnt vor neuen Waffenlieferungen.",
        "meldet gutes Wetter für das Wochenende.",
        "prüft die Lieferung von Haubitzen.",
    ],
    "en": [
        "will send more missiles to Ukraine.",
        "opposes any arms deliveries.",
        "reported a quiet weekend.",
        "is considering more air defence systems.",
    ],
}
OUTLETS = ("Morgenblatt", "Evening Courier", "Tagespost")
PARTIES = ("A", "B", "C")


def documents(n: int) -> list[dict]:
    """`n` well-formed documents of one to three sentences; some without `lang`, some
    without any actor."""
    docs = []
    for i in range(n):
        lang, first = SUBJECTS[i % len(SUBJECTS)]
        sentences = [f"{first} {PREDICATES[lang][i % 4]}"]
        if i % 3:
            other = [s for k, s in SUBJECTS if k == lang and s != first][i % 2]
            sentences.append(f"{other} {PREDICATES[lang][(i // 4) % 4]}")
        if i % 17 == 5:
            sentences = ["Es regnet den ganzen Tag." if lang == "de" else "It rained all day."]
        doc = {
            "doc_id": f"doc-{i:04d}",
            "text": " ".join(sentences),
            "date": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "outlet": OUTLETS[i % len(OUTLETS)],
            "party": PARTIES[(i // 3) % len(PARTIES)],
            "url": f"https://example.org/{i}",
        }
        if i % 5:
            doc["lang"] = lang
        docs.append(doc)
    return docs


BAD_LINE = {"doc_id": "no-text", "date": "2023-05-05", "outlet": "Tagespost"}
EMPTY_TEXT = {"doc_id": "blank", "lang": "en", "text": "   ", "outlet": "Tagespost"}


def write_inputs(path: Path, n: int) -> Path:
    """JSONL of `n` documents, then an empty text (judged as an error) and a line without
    text (an input problem)."""
    rows = [*documents(n), EMPTY_TEXT, BAD_LINE]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path
