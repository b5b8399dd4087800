"""Whitespace of markup texts (XML labels, Markdown titles) and scraped texts as one reads it."""

from __future__ import annotations


def collapse(text: str) -> str:
    """Runs of whitespace, line breaks and no-break spaces included, as one space; no
    whitespace at either end."""
    return " ".join(text.split())


def tidy_lines(text: str) -> str:
    """Plain text with its paragraphs kept and its whitespace made regular: line breaks
    ("\\r\\n", "\\r") made "\\n"; in each line, runs of whitespace (tabs and no-break spaces
    included) one space, none at either end; runs of blank lines one blank line, none at
    either end of the text. Lines inside a paragraph stay lines."""
    lines = [collapse(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    paragraphs, current = [], []
    for line in [*lines, ""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    return "\n\n".join(paragraphs)
