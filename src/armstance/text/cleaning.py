"""A view of a text without the marks that are not language: interview turn markers and
footnote digits glued to words.

Transcripts and government statements open turns with "Q -", "R -", "Question :",
"Réponse :", "Q:", "A:", "Frage:", "Antwort:", and their web copies glue footnote numbers to
words ("à Bruxelles2", "l'Ukraine3."). Read as text, a marker next to a salutation becomes
a person ("Q - Monsieur") and a glued digit hides a name from the gazetteer. The view
replaces those characters with spaces, so it has the length of the text and every offset
found in it is an offset into the text itself: the extractor reads the view, mentions
point into the original.
"""

from __future__ import annotations

import re

# At the start of a line: a turn marker, then its separator, a dash or a colon ("Q." too:
# "A." could be an initial).
TURN_MARKER = re.compile(
    r"(?m)^[ \t]*(?:(?:Q|R|A|Question|Réponse|Reponse|Frage|Antwort|QUESTION|RÉPONSE|FRAGE|"
    r"ANTWORT)[ \t]*[-–—:]|Q\.)[ \t]?"
)
# One or two digits right after a word of three lower-case letters or more (or after its
# closing punctuation), before a space, punctuation or the end: "Bruxelles2", "hier.3".
# Upper-case and short words keep their digits: "G7", "F-16", "M777", "T-72", "Su-25".
FOOTNOTE = re.compile(
    r"(?:(?<=[a-zß-ÿ]{3})|(?<=[a-zß-ÿ]{3}[.,;:!?»”\"')]))\d{1,2}(?=[\s.,;:!?»”\"')\]]|$)"
)


def turn_markers(text: str) -> list[tuple[int, int]]:
    """Spans of the turn markers that open lines."""
    return [m.span() for m in TURN_MARKER.finditer(text)]


def clean_view(text: str) -> str:
    """`text` with turn markers and footnote digits replaced by spaces (same length)."""
    chars = list(text)
    spans = turn_markers(text) + [m.span() for m in FOOTNOTE.finditer(text)]
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)
