"""French persons and organisations from spaCy's fr_core_news_md named entities.

The model is loaded once per process, on first use, with only the pipes NER needs
(tok2vec, ner). Only sentences that hold a capitalised word after their first word, outside
the gazetteer's hits, are parsed: other sentences cannot hold a new name (a name that only
opens sentences is still found by the merge's rescan when it is found once elsewhere), and
skipping them cuts the time by more than half.
Entities kept: PER as person, ORG as organization. PER entities lose trailing lower-case
words ("Park Jin dimanche" -> "Park Jin"); an ORG written all in capitals with five or more
letters is a dateline ("SÉOUL"), not an organisation; a single-word PER is a weak
candidate (kept only if it is the surname of a person found elsewhere in the document).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from armstance.actors.heuristics import Candidate
from armstance.text.sentences import split_sentences

MODEL = "fr_core_news_md"
_EXCLUDE = ["tagger", "parser", "attribute_ruler", "lemmatizer", "morphologizer", "senter"]
_INNER_CAPITAL = re.compile(r"(?<=\W)[A-ZÀ-ÖØ-Þ]")
_TYPES = {"PER": "person", "ORG": "organization"}


@cache
def _nlp():
    import spacy

    return spacy.load(MODEL, exclude=_EXCLUDE)


def _trim_person(text: str, start: int, end: int) -> tuple[int, int]:
    words = list(re.finditer(r"\S+", text[start:end]))
    while len(words) > 1 and not words[-1].group()[0].isupper():
        words.pop()
    return start, start + words[-1].end()


def _may_hold_new_name(text: str, start: int, end: int, known: Sequence[tuple[int, int]]) -> bool:
    return any(
        not any(s <= m.start() < e for s, e in known)
        for m in _INNER_CAPITAL.finditer(text, start + 1, end)
    )


def find(text: str, known: Sequence[tuple[int, int]] = ()) -> list[Candidate]:
    """PER and ORG entities of a French text as candidates; spans index `text`.

    `known` spans (gazetteer hits) hold no new name: a sentence whose only inner capitals
    fall in them is not parsed.
    """
    spans = [
        (s, e) for s, e in split_sentences(text, "fr") if _may_hold_new_name(text, s, e, known)
    ]
    out = []
    for (offset, _), doc in zip(spans, _nlp().pipe(text[s:e] for s, e in spans), strict=True):
        for ent in doc.ents:
            kind = _TYPES.get(ent.label_)
            if kind is None:
                continue
            start, stop = offset + ent.start_char, offset + ent.end_char
            if kind == "person":
                start, stop = _trim_person(text, start, stop)
            surface = text[start:stop]
            if kind == "organization" and surface.isupper() and len(surface) >= 5:
                continue
            strong = kind == "organization" or " " in surface
            out.append(Candidate(start, stop, surface, kind, strong))
    return out
