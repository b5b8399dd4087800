"""Texts of every labelled document, for scoring files that carry labels but no text."""

from __future__ import annotations

from pathlib import Path

from armstance.corpus.load import SPLITS, load_gold


def load_texts(raw_dir: Path | None = None) -> dict[str, str]:
    """doc_id -> text for the documents of every labelled split (never the blind ones)."""
    return {doc.doc_id: doc.text for split in SPLITS for doc in load_gold(split, raw_dir)}
