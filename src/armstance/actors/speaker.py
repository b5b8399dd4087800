"""Whose first person a text speaks in: the speaker of a speech, a statement or the answers
of an interview, and the spans where the speaker says "I" or "we".

GUIDELINES §9.1: the speaker is an actor, and "I" and "we" are the speaker's stance (and,
for "we", the stance of the state they speak for, §8.1). A unit built from the speaker's
mentions alone would hold the header that names them and nothing they said; the first-
person spans of their turns join their mentions (as context, not aliases), and the plural
ones join the mentions of their state where the text or the gazetteer says which it is.

Who speaks, in this order:
1. a label line ("Name (Party):", "THE PRESIDENT:", "Vladimir Putin:") opens a turn that
   lasts until the next label line; a journalist's "Q" label or turn marker closes it;
2. a title (the first line) naming the speaker of an interview, statement, speech or
   address ("Entretien de M. X, ministre …", "Interview with X", "Remarks by X", "Rede von
   X"): the whole text after the title is theirs, except the questions where turn markers
   ("Q -", "Question :") tell questions from answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from armstance.actors.heuristics import is_title
from armstance.schema import Span

_NAME = r"[^\W\d_][\w'’.-]*(?:[ \t]+[^\W\d_][\w'’.-]*){0,5}"
LABEL_LINE = re.compile(rf"(?m)^[ \t]*(?P<name>{_NAME})(?:[ \t]*\([^)\n]{{1,60}}\))?[ \t]*:[ \t]*$")
QUESTION_LABELS = frozenset({"q", "question", "frage", "remark", "journalist"})
TITLE_SPEAKER = re.compile(
    r"(?i)\b(?:entretien|interview|entrevue|gespräch|déclaration|discours|allocution|tribune|"
    r"remarks|statement|address|speech|rede|erklärung|ansprache)\b[^\n]{0,40}?\b"
    r"(?:de|du|d['’]|by|with|of|von|mit|avec)\s+"
    r"(?:(?:M\.|Mme|Monsieur|Madame|Mr\.?|Mrs\.?|Ms\.?|Herr|Frau|President|Président|"
    r"Präsident|Chancellor|Kanzler|Minister|Ministre|Secretary)\s+)*"
    r"(?P<name>[A-ZÀ-Ý][\w'’-]+(?:[ \t]+[A-ZÀ-Ý][\w'’-]+){0,3})"
)
QUESTION_MARKER = re.compile(r"(?m)^[ \t]*(?:Q|Question|QUESTION|Frage|FRAGE)[ \t]*[-–—:]|^Q\.")
ANSWER_MARKER = re.compile(
    r"(?m)^[ \t]*(?:R|A|Réponse|Reponse|RÉPONSE|Antwort|ANTWORT)[ \t]*[-–—:]"
)
# Words of an office that are no titles of their own ("Foreign Secretary", "Prime Minister").
OFFICE_WORDS = re.compile(
    r"(?i)^(?:foreign|defen[cs]e|prime|vice|deputy|federal|home|interior|state|first|"
    r"premier|auswärtig\w*|bundes\w*)$"
)
FIRST_PERSON = {
    "fr": (r"\b(?:[Jj]e|[Jj]['’]|[Mm]oi)\b", r"\b(?:[Nn]ous|[Nn]otre|[Nn]os)\b"),
    "en": (r"\b(?:I|[Mm]y|me)\b", r"\b(?:[Ww]e|[Oo]ur|us)\b"),
    "de": (r"\b(?:[Ii]ch|[Mm]ein\w*|mir|mich)\b", r"\b(?:[Ww]ir|[Uu]ns\w*)\b"),
}


@dataclass(frozen=True)
class Speaker:
    """Where the text names its speaker, and the spans of their turns."""

    name: Span
    turns: tuple[Span, ...]


def _label_speakers(text: str) -> list[Speaker]:
    labels = list(LABEL_LINE.finditer(text))
    out = []
    for k, label in enumerate(labels):
        end = labels[k + 1].start() if k + 1 < len(labels) else len(text)
        if label["name"].strip(" .").lower() in QUESTION_LABELS:
            continue
        out.append(Speaker(label.span("name"), ((label.end(), end),)))
    return out


def _without_titles(text: str, span: Span) -> Span:
    """The name in `span` without the office words before it ("Foreign Secretary Jane Doe")."""
    start, end = span
    for word in re.finditer(r"\S+", text[start:end]):
        bare = word.group().strip(".,")
        if not (OFFICE_WORDS.match(bare) or any(is_title(bare, lang) for lang in FIRST_PERSON)):
            return start + word.start(), end
    return span


def _title_speaker(text: str) -> Speaker | None:
    first_line = text.split("\n", 1)[0]
    found = TITLE_SPEAKER.search(first_line)
    if found is None:
        return None
    body = len(first_line)
    questions = [m.start() for m in QUESTION_MARKER.finditer(text, body)]
    answers = [m.start() for m in ANSWER_MARKER.finditer(text, body)]
    if not questions:
        return Speaker(_without_titles(text, found.span("name")), ((body, len(text)),))
    turns = []
    for start in answers:
        ends = [q for q in questions if q > start]
        turns.append((start, ends[0] if ends else len(text)))
    return Speaker(_without_titles(text, found.span("name")), tuple(turns))


def find_speakers(text: str) -> list[Speaker]:
    """The speakers of a text with their turns (label lines first, else the title's)."""
    labelled = _label_speakers(text)
    if labelled:
        return labelled
    titled = _title_speaker(text)
    return [titled] if titled else []


def first_person(text: str, lang: str, turns: Sequence[Span]) -> tuple[list[Span], list[Span]]:
    """(singular, plural) first-person spans inside `turns`."""
    patterns = [re.compile(p) for p in FIRST_PERSON.get(lang, ())]
    if not patterns:
        return [], []
    singular, plural = patterns
    return (
        [m.span() for start, end in turns for m in singular.finditer(text, start, end)],
        [m.span() for start, end in turns for m in plural.finditer(text, start, end)],
    )
