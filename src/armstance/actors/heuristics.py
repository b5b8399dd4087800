"""Person names in English and German text, found by rules (no statistical model).

There is no trustworthy English or German NER model to install offline, so persons the
gazetteer does not know are found by three cues around a *run* of capitalised words
(consecutive capitalised tokens, possibly joined by name particles such as "von der"):

1. **Title or role before the name**: the run starts with, or directly follows, a word that
   is or ends in a title ("President", "Chancellor", "Minister", "spokesman", "Mr",
   "Secretary General"; "Kanzler", "Bundeskanzler", "Präsident", "Ministerin",
   "Außenminister", "US-Außenminister", "Sprecher", "SPD-Fraktionschef"). The name starts
   after the run's last title ("Foreign Minister Tarja Lindqvist"), and leading articles,
   weekdays or demonyms ("Russian President") are stripped.
2. **Speech verb next to the name**: the run directly precedes or follows a verb of saying
   ("said", "told", "warned"; "sagte", "erklärte", "betonte", "forderte").
3. **Known first name**: the run starts with a first name from the gazetteer's
   `first_names` list.

A name is cut at the first capitalised word that cannot belong to it: an article or
weekday, an all-capital word, or, since German capitalises every noun, a German word with a
noun ending ("-ung", "-heit", "-keit", "-schaft", "-ion", "-tät", ...; after the first word
also plural "-e", "-en": "Präsident Putin Waffen" yields "Putin"). Names keep at most three
words in English, two in German. A candidate is *strong* when it has a first name or a
title, or (English only) two or more words next to a speech verb; a lone surname next to a
speech verb is *weak*: it is kept only if it is the surname of a person found elsewhere in
the document (armstance.actors.merge). Cues count only when separated from the run by a
single space ("Präsident. »Alle" is no title before a name). The word lists (titles,
speech verbs, words that are never names, name particles) are in cues.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from armstance.actors.gazetteer import normalise

_TOKEN = re.compile(r"[^\W\d_]\w*(?:-[^\W\d_]\w*)*")
# German nouns that a title or speech verb may precede; names rarely end like this.
_GERMAN_NOUN = re.compile(
    r"(?:ung|ungen|heit|heiten|keit|keiten|schaft|schaften|ion|ionen|tät|täten|ismus|nis|"
    r"nisse|tum|ment|mente)$"
)
_GERMAN_PLURAL = re.compile(r"(?:en|e)$")


@dataclass(frozen=True)
class Cues:
    """The word lists of cues.yaml."""

    titles: dict[str, tuple[str, ...]]
    speech_verbs: dict[str, frozenset[str]]
    non_names: frozenset[str]
    particles: frozenset[str]


@cache
def cues() -> Cues:
    data = yaml.safe_load((resources.files("armstance.actors") / "cues.yaml").read_text("utf-8"))
    return Cues(
        titles={lang: tuple(words) for lang, words in data["titles"].items()},
        speech_verbs={lang: frozenset(words) for lang, words in data["speech_verbs"].items()},
        non_names=frozenset(data["non_names"]),
        particles=frozenset(data["particles"]),
    )


@dataclass(frozen=True)
class Candidate:
    """An actor found outside the gazetteer; `strong` is False for a lone surname."""

    start: int
    end: int
    surface: str
    type: str
    strong: bool


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str

    @property
    def capitalised(self) -> bool:
        return self.text[0].isupper()


def is_title(word: str, lang: str) -> bool:
    low = word.lower()
    titles = cues().titles[lang]
    if lang == "de":
        # German compounds carry the title at the end: "Bundesaußenministerin", "SPD-Chef".
        return low.endswith(titles)
    return low in titles


def _runs(tokens: list[_Token], text: str) -> list[list[int]]:
    """Indices of maximal runs of capitalised tokens separated by single spaces."""
    runs: list[list[int]] = []
    current: list[int] = []
    for i, tok in enumerate(tokens):
        joined = bool(current) and text[tokens[current[-1]].end : tok.start] == " "
        if (tok.capitalised and (not current or joined)) or (
            tok.text in cues().particles
            and current
            and joined
            and i + 1 < len(tokens)
            and tokens[i + 1].capitalised
        ):
            current.append(i)
        else:
            if current:
                runs.append(current)
            current = [i] if tok.capitalised else []
    if current:
        runs.append(current)
    return runs


class PersonHeuristics:
    """Finds person candidates in English or German text (see the module docstring)."""

    def __init__(self, first_names: frozenset[str], demonyms: frozenset[str]):
        self.first_names = first_names
        self.demonyms = demonyms

    def find(self, text: str, lang: str) -> list[Candidate]:
        if lang not in cues().speech_verbs:
            return []
        norm = normalise(text)
        tokens = [_Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(norm)]
        out = []
        for run in _runs(tokens, norm):
            cand = self._candidate(tokens, run, norm, lang)
            if cand is not None:
                out.append(cand)
        return out

    def _candidate(
        self, tokens: list[_Token], run: list[int], text: str, lang: str
    ) -> Candidate | None:
        # Cues count only when adjacent: "Präsident. »Alle" is not a title before a name.
        before = tokens[run[0] - 1] if run[0] > 0 else None
        if before is not None and text[before.end : tokens[run[0]].start] != " ":
            before = None
        after = tokens[run[-1] + 1] if run[-1] + 1 < len(tokens) else None
        if after is not None and text[tokens[run[-1]].end : after.start] != " ":
            after = None
        titled = before is not None and is_title(before.text, lang)
        # "Foreign Minister Tarja Lindqvist": the name starts after the run's last title.
        inner = [k for k, i in enumerate(run[:-1]) if is_title(tokens[i].text, lang)]
        rest = run[inner[-1] + 1 :] if inner else list(run)
        titled = titled or bool(inner)
        while rest and (
            tokens[rest[0]].text in cues().non_names
            or tokens[rest[0]].text in self.demonyms
            or is_title(tokens[rest[0]].text, lang)
        ):
            titled = titled or is_title(tokens[rest[0]].text, lang)
            rest.pop(0)
        # "Sprecher der Regierung": what follows the particle is not the person's name.
        if not rest or tokens[rest[0]].text in cues().particles:
            return None
        speech = (after is not None and after.text in cues().speech_verbs[lang]) or (
            before is not None and before.text in cues().speech_verbs[lang]
        )
        first = tokens[rest[0]].text
        first_name = first in self.first_names or first.split("-")[0] in self.first_names
        if not (titled or speech or first_name):
            return None
        name = self._name_tokens(tokens, rest, 3 if lang == "en" else 2, lang)
        if not name or (first_name and len(name) == 1):
            return None
        strong = titled or first_name or (lang == "en" and len(name) >= 2)
        start, end = tokens[name[0]].start, tokens[name[-1]].end
        return Candidate(start, end, text[start:end], "person", strong)

    @staticmethod
    def _name_tokens(tokens: list[_Token], rest: list[int], limit: int, lang: str) -> list[int]:
        """The name proper: at most `limit` words, cut at the first word that is no name."""
        name: list[int] = []
        proper = 0
        for i in rest:
            word = tokens[i].text
            if word in cues().particles:
                name.append(i)
                continue
            if proper == limit or word in cues().non_names or (len(word) > 1 and word.isupper()):
                break
            # German capitalises nouns: "Präsident Putin Waffen", "Präsident Waffenlieferungen".
            if lang == "de" and (
                _GERMAN_NOUN.search(word) or (proper and _GERMAN_PLURAL.search(word))
            ):
                break
            name.append(i)
            proper += 1
        while name and tokens[name[-1]].text in cues().particles:
            name.pop()
        return name
