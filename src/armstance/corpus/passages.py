"""Ukraine passages of long texts, shared by the rebuilds that split a text (corpus.whitehouse,
corpus.releases).

A text is a sequence of units (paragraphs, or sentences where the source kept no paragraph
breaks). Each unit that mentions Ukraine is taken with NEIGHBOURS units on either side;
windows that overlap or touch are one passage. The speaker of a passage is the turn label in
force at its first unit: that unit's own label, else the nearest one before it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

UKRAINE = re.compile("Ukrain", re.IGNORECASE)
NEIGHBOURS = 1


def ukraine_hits(units: Sequence[str]) -> list[int]:
    """Indices of the units that mention Ukraine."""
    return [i for i, unit in enumerate(units) if UKRAINE.search(unit)]


def windows(hits: list[int], count: int) -> list[tuple[int, int]]:
    """[first, last] unit ranges: each hit with NEIGHBOURS on either side, merged where
    they overlap or touch."""
    merged: list[tuple[int, int]] = []
    for hit in hits:
        start, end = max(0, hit - NEIGHBOURS), min(count - 1, hit + NEIGHBOURS)
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def label_in_force(labels: Sequence[str | None], first: int) -> str | None:
    """The label of unit `first`, else of the nearest unit before it that has one."""
    return next((label for label in reversed(labels[: first + 1]) if label), None)
