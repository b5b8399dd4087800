"""Rule-based sentence splitting for French, English and German, with character spans.

A boundary is a run of `.`, `!`, `?` or `…`, optionally followed by closing quotes or
brackets (German „…“ and ‚…‘, »…«, French « … », English “…”, ‘…’, "…", '…'), then
whitespace, then something that can open a sentence (an upper-case letter, a digit, an
opening quote, bracket or dash). Line breaks always end a sentence: news feeds use them
between paragraphs, headlines and list items. A full stop is no boundary after:

- an abbreviation that never ends a sentence ("Dr.", "z.B.", "M.", "Gen.", "Nr."),
- an initial ("J. Biden", "Olaf S. Scholz"),
- a German ordinal ("am 24. Februar"), or a list number at the start of a line ("1. Leopard"),
- an omission in brackets ("[...]");

and after an abbreviation that may end one ("usw.", "etc.", "U.S.", "Mrd.") it is a boundary
only when the next word is one that typically opens a sentence ("The", "Die", "Les").
The choice of this splitter over pysbd and spaCy, with the figures: docs/DECISIONS.md.
"""

from __future__ import annotations

import re
from functools import cache

from armstance.schema import Span


def _words(text: str) -> list[str]:
    return text.split()


# Abbreviations that are followed by what they qualify, so never end a sentence.
_TITLES = {"dr", "prof", "st", "nr", "no", "vol", "ca", "vs", "gen"}
NEVER_END: dict[str, frozenset[str]] = {
    "en": frozenset(
        _TITLES
        | {"mr", "mrs", "ms", "col", "lt", "sgt", "gov", "sen", "rep", "e.g", "i.e", "mt"}
        | {"rev", "hon", "capt", "maj", "adm", "pres", "jan", "feb", "mar", "apr", "aug"}
        | {"sept", "oct", "nov", "dec", "cf", "approx"}
    ),
    "de": frozenset(
        _TITLES
        | {"z.b", "bzw", "u.a", "d.h", "vgl", "ggf", "evtl", "sog", "bspw", "hr", "fr", "abs"}
        | {"str", "oberst", "z.t", "dt", "jan", "feb", "aug", "sept", "okt", "nov", "dez"}
        | {"bzgl", "inkl", "gem", "lt", "o.ä"}
    ),
    "fr": frozenset(
        _TITLES
        | {"m", "mm", "mme", "mmes", "mlle", "gén", "gal", "av", "bd", "env", "p.ex", "ex"}
        | {"cf", "janv", "févr", "avr", "juil", "sept", "oct", "nov", "déc", "art", "éd"}
    ),
}
# Abbreviations that also end sentences ("built in the U.S. They ..."); besides these, any
# dotted acronym ("U.N.", "a.m.", "D.C.").
MAY_END: dict[str, frozenset[str]] = {
    "en": frozenset({"etc", "inc", "ltd", "corp", "co", "jr", "sr", "bros"}),
    "de": frozenset({"etc", "usw", "mio", "mrd", "min", "max", "jh"}),
    "fr": frozenset({"etc", "cie", "min", "max"}),
}
# Words that open a sentence far more often than they follow an abbreviation inside one:
# articles, pronouns, conjunctions and adverbs that start clauses.
SENTENCE_OPENERS: dict[str, frozenset[str]] = {
    "en": frozenset(
        _words(
            "The A An He She It They We I You This That These Those There But And So Yet Its"
            " His Her Their Our In On At After Before When While If As Some Many Most"
            " Officials Meanwhile However Then Now"
        )
    ),
    "de": frozenset(
        _words(
            "Der Die Das Den Dem Des Ein Eine Einen Er Sie Es Wir Ich Man Dies Diese Dieser"
            " Dieses Doch Aber Und Auch Dann Danach Zudem Am Im In Auf Bei Nach Wie Was Wer"
            " Wenn Als So Seine Ihre Damit Deshalb Dabei Nun"
        )
    ),
    "fr": frozenset(
        _words(
            "Le La Les L' L’ Un Une Des Il Elle Ils Elles On Nous Vous Je Ce Cette Ces Cet"
            " Mais Et Puis En Au Aux Dans Selon Pour Son Sa Ses Leur Leurs Alors Ainsi"
        )
    ),
}

_CLOSERS = "»\"”’'“‘)\\]"  # after the final punctuation; « only when attached (»…«)
_BOUNDARY = re.compile(
    rf"""(?P<end>[.!?…]+(?:[ \u00a0\u202f]?[{_CLOSERS}]|«)*)"""
    r"""(?P<gap>[ \t\u00a0\u202f]+)"""
    r"""(?=[«»"“„‘‚'(\[\-–—]?\s?[0-9A-ZÀ-ÖØ-Þ])"""  # what may open the next sentence
)
_LINE_BREAK = re.compile(r"\n+")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_ACRONYM = re.compile(r"^(?:\w\.)+\w$")
_OMISSION = re.compile(r"\[(?:\.\.\.|…)\]|\((?:\.\.\.|…)\)")
_LIST_NUMBER = re.compile(r"\s*\d{1,3}$")  # matched from the line's start
_NEXT_WORD = re.compile(r"""[«»"“„‘‚'(\[\-–—\s]*([^\W\d_]+['’]?)""")


_TABLES = {"never_end": NEVER_END, "may_end": MAY_END, "openers": SENTENCE_OPENERS}


@cache
def _vocabulary(kind: str, lang: str | None) -> frozenset[str]:
    table = _TABLES[kind]
    if lang in table:
        return table[lang]
    return frozenset().union(*table.values())


def _vetoed(text: str, block_start: int, dot: int, next_start: int, lang: str | None) -> bool:
    if dot > block_start and _OMISSION.match(text, dot - 1):
        return True  # an omission: "Er sagte, [...] Deutschland werde liefern."
    if text[dot] != ".":
        return False
    # A bounded look-back: searching from the block's start would make long texts quadratic.
    window = max(block_start, dot - 64)
    if _LIST_NUMBER.match(text, block_start, dot):
        return True  # a list item: "1. Leopard 2"
    match = _WORD_BEFORE.search(text, window, dot)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. Biden", "M. Macron"
    if lang == "de" and word.isdigit() and len(word) <= 2:
        return True  # ordinal: "am 24. Februar"
    if word in _vocabulary("never_end", lang):
        return True
    if word in _vocabulary("may_end", lang) or _ACRONYM.match(word):
        opener = _NEXT_WORD.match(text, next_start)
        return not (opener and opener.group(1) in _vocabulary("openers", lang))
    return False


def split_sentences(text: str, lang: str | None = None) -> list[Span]:
    """Return [start, end) spans of the sentences of `text`, whitespace trimmed."""
    spans: list[Span] = []
    for block_start, block_end in _blocks(text):
        start = block_start
        for match in _BOUNDARY.finditer(text, block_start, block_end):
            if _vetoed(text, block_start, match.start("end"), match.end("gap"), lang):
                continue
            spans.append((start, match.end("end")))
            start = match.end("gap")
        spans.append((start, block_end))
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
