"""Whitespace of markup texts (XML labels, Markdown titles) as one reads it."""

from __future__ import annotations


def collapse(text: str) -> str:
    """Runs of whitespace, line breaks and no-break spaces included, as one space; no
    whitespace at either end."""
    return " ".join(text.split())
