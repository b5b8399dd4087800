"""One-to-one matching of predicted actors to gold actors of the same document.

Protocol (DESIGN.md, Scoring): first by canonical name after NFKC, casefold and ’ -> ';
then, among the actors still unmatched, greedily by the largest overlap of mention
positions (every occurrence of every alias) in the text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


class HasAliases(Protocol):
    @property
    def actor(self) -> str: ...

    @property
    def aliases(self) -> list[str]: ...


@dataclass(frozen=True)
class Matching:
    """Index pairs (gold, pred), sorted by gold index, and what stayed unmatched."""

    pairs: list[tuple[int, int]] = field(default_factory=list)
    unmatched_gold: list[int] = field(default_factory=list)
    unmatched_pred: list[int] = field(default_factory=list)


def normalise_name(name: str) -> str:
    """NFKC, casefold, and the typographic apostrophe ’ as a plain one."""
    return unicodedata.normalize("NFKC", name).casefold().replace("’", "'")


def mention_positions(aliases: Sequence[str], text: str) -> set[int]:
    """Every character position covered by some occurrence of some alias in `text`."""
    covered: set[int] = set()
    for alias in aliases:
        if not alias:
            continue
        start = text.find(alias)
        while start != -1:
            covered.update(range(start, start + len(alias)))
            # Step by one, not by len(alias): overlapping occurrences are occurrences too.
            start = text.find(alias, start + 1)
    return covered


def match_actors(
    gold: Sequence[HasAliases], pred: Sequence[HasAliases], text: str | None
) -> Matching:
    """Match `pred` to `gold` one-to-one. Without `text` only the name step runs."""
    pairs: list[tuple[int, int]] = []
    free_pred: dict[str, list[int]] = {}
    for j, p in enumerate(pred):
        free_pred.setdefault(normalise_name(p.actor), []).append(j)
    left_gold = []
    for i, g in enumerate(gold):
        candidates = free_pred.get(normalise_name(g.actor))
        if candidates:
            pairs.append((i, candidates.pop(0)))
        else:
            left_gold.append(i)
    left_pred = sorted(j for js in free_pred.values() for j in js)

    if text is not None and left_gold and left_pred:
        gold_pos = {i: mention_positions(gold[i].aliases, text) for i in left_gold}
        pred_pos = {j: mention_positions(pred[j].aliases, text) for j in left_pred}
        candidates = sorted(
            (-len(gold_pos[i] & pred_pos[j]), i, j)
            for i in left_gold
            for j in left_pred
            if gold_pos[i] & pred_pos[j]
        )
        taken_gold: set[int] = set()
        taken_pred: set[int] = set()
        for _, i, j in candidates:
            if i not in taken_gold and j not in taken_pred:
                pairs.append((i, j))
                taken_gold.add(i)
                taken_pred.add(j)
        left_gold = [i for i in left_gold if i not in taken_gold]
        left_pred = [j for j in left_pred if j not in taken_pred]

    return Matching(sorted(pairs), left_gold, left_pred)
