"""The speaker's own stance: of the actors judged in a speech, the one who gave it.

A document's speaker comes from an input column passed through to the predictions (the
Bundestag speeches' `speaker`). An actor is the speaker when its name or one of its
aliases has the speaker's surname (the last word of the name, titles and accents aside):
"Dr. Johann David Wadephul" is the actor "Johann Wadephul" or "Wadephul". A speech whose
speaker the extractor did not find has no row; the report says how many. Pooled by a
column (the speaker's party), the speakers of one value become one actor ("SPD"): the
party's speakers' stance, per period, and party-level networks."""

from __future__ import annotations

import unicodedata

import pandas as pd


def surname(name: object) -> str | None:
    if not isinstance(name, str) or not name.split():
        return None
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return plain.casefold().split()[-1]


def speaker_rows(actors: pd.DataFrame, column: str, pool: str | None = None) -> pd.DataFrame:
    """The rows of `actors` whose actor is the document's value of `column`; with `pool`,
    each named by its value of that column instead."""

    def is_speaker(row: pd.Series) -> bool:
        wanted = surname(row[column])
        names = [row["actor"], *(row["aliases"] if row["aliases"] is not None else [])]
        return wanted is not None and any(surname(n) == wanted for n in names)

    if actors.empty:
        return actors
    kept = actors[actors.apply(is_speaker, axis=1)].reset_index(drop=True)
    if pool is not None:
        kept = kept[kept[pool].notna()].reset_index(drop=True)
        kept["actor"] = kept[pool].astype(str)
        kept["type"] = pool
    return kept
