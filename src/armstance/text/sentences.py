"""Rule-based sentence splitting for French, English and German, with character spans.

A boundary is a run of `.`, `!`, `?` or `…` (optionally followed by closing quotes or
brackets), then whitespace, then something that can open a sentence (an upper-case letter,
a digit, an opening quote or dash). Line breaks always end a sentence: news feeds use them
between paragraphs. The boundary is vetoed when the token before the dot is a known
abbreviation of the language ("Dr.", "z.B.", "M.", "Gen."), an initial ("J. Biden") or an
ordinal number in German ("am 24. Februar").
"""

from __future__ import annotations

import re
from functools import cache

from armstance.schema import Span

_COMMON = {"dr", "prof", "st", "nr", "no", "vol", "ca", "etc", "vs", "jr", "sr", "inc", "ltd"}
ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": frozenset(
        _COMMON
        | {
            "mr",
            "mrs",
            "ms",
            "gen",
            "col",
            "lt",
            "sgt",
            "gov",
            "sen",
            "rep",
            "u.s",
            "u.k",
            "e.g",
            "i.e",
            "jan",
            "feb",
            "mar",
            "apr",
            "aug",
            "sept",
            "oct",
            "nov",
            "dec",
            "corp",
            "co",
            "mt",
            "rev",
            "hon",
            "capt",
            "maj",
            "adm",
            "pres",
        }
    ),
    "de": frozenset(
        _COMMON
        | {
            "z.b",
            "bzw",
            "usw",
            "u.a",
            "d.h",
            "vgl",
            "ggf",
            "inkl",
            "evtl",
            "sog",
            "bspw",
            "mio",
            "mrd",
            "hr",
            "fr",
            "abs",
            "str",
            "gen",
            "oberst",
            "z.t",
            "u.s",
            "dt",
            "jan",
            "feb",
            "aug",
            "sept",
            "okt",
            "nov",
            "dez",
            "min",
            "max",
            "bzgl",
        }
    ),
    "fr": frozenset(
        _COMMON
        | {
            "m",
            "mm",
            "mme",
            "mmes",
            "mlle",
            "gén",
            "gal",
            "av",
            "bd",
            "env",
            "p.ex",
            "cf",
            "janv",
            "févr",
            "avr",
            "juil",
            "sept",
            "oct",
            "nov",
            "déc",
            "art",
            "éd",
        }
    ),
}

_BOUNDARY = re.compile(
    r"""(?P<end>[.!?…]+(?:[ \u00a0\u202f]?[»"”’'\)\]])*)"""  # terminal, closing quotes
    r"""(?P<gap>[ \t\u00a0]+)"""
    r"""(?=[«"“„‘'(\[\-–—]?\s?[0-9A-ZÀ-ÖØ-Þ])"""  # what may open the next sentence
)
_LINE_BREAK = re.compile(r"\n+")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


@cache
def _abbreviations(lang: str | None) -> frozenset[str]:
    if lang in ABBREVIATIONS:
        return ABBREVIATIONS[lang]
    return frozenset().union(*ABBREVIATIONS.values())


def _vetoed(text: str, dot: int, lang: str | None) -> bool:
    if text[dot] != ".":
        return False
    # A bounded look-back: searching from 0 would make long texts quadratic.
    match = _WORD_BEFORE.search(text, max(0, dot - 64), dot)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. Biden", "M. Macron"
    if lang == "de" and word.isdigit() and len(word) <= 2:
        return True  # ordinal: "am 24. Februar"
    return word in _abbreviations(lang)


def split_sentences(text: str, lang: str | None = None) -> list[Span]:
    """Return [start, end) spans of the sentences of `text`, whitespace trimmed."""
    spans: list[Span] = []
    for block in _blocks(text):
        start = block[0]
        for match in _BOUNDARY.finditer(text, block[0], block[1]):
            if _vetoed(text, match.start("end"), lang):
                continue
            spans.append((start, match.end("end")))
            start = match.end("gap")
        spans.append((start, block[1]))
    return [_trim(text, s, e) for s, e in spans if text[s:e].strip()]


def _blocks(text: str) -> list[Span]:
    blocks, start = [], 0
    for match in _LINE_BREAK.finditer(text):
        blocks.append((start, match.start()))
        start = match.end()
    blocks.append((start, len(text)))
    return blocks


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
