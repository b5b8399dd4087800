"""Rank unlabelled documents for labelling (active learning with diversity).

A document's score is the champion's largest stance uncertainty over the actors it
extracts: labelling it teaches the model where it is least sure. To find a rare class
instead (the `against` releases of members of Congress who oppose aid), a source's
documents can be scored by the largest probability of that class over their actors
(`seek`). Taken alone that would
fill a round with one party's speeches from one month, so documents are picked greedily
with their score discounted for every document already picked of the same source and
party, and of the same source and period, after any quotas (e.g. enough AfD speeches)
are met.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from armstance.annotate.sources import SourceDocument, period_of
from armstance.schema import DocumentPrediction


def margin(proba: Mapping[str, float]) -> float:
    """1 - (p1 - p2) over the stance classes: high where the model cannot tell favor from
    against, or either from none (the two leading classes always include one of them)."""
    first, second = sorted(proba.values(), reverse=True)[:2]
    return 1.0 - (first - second)


def entropy(proba: Mapping[str, float]) -> float:
    """Entropy of the stance distribution, scaled to [0, 1]."""
    return -sum(p * math.log(p) for p in proba.values() if p > 0) / math.log(len(proba))


def favor_against(proba: Mapping[str, float]) -> float:
    """2 min(p_favor, p_against): high only where favor and against both get weight."""
    return 2.0 * min(proba["favor"], proba["against"])


UNCERTAINTY: dict[str, Callable[[Mapping[str, float]], float]] = {
    "margin": margin,
    "entropy": entropy,
    "favor_against": favor_against,
}
NO_PARTY = "-"
ALL_SOURCES = "*"


def probability_of(label: str) -> Callable[[Mapping[str, float]], float]:
    """p(label): what a document scores when its source seeks that class."""

    def probability(proba: Mapping[str, float]) -> float:
        return proba[label]

    return probability


@dataclass(frozen=True)
class Scored:
    """A candidate with its uncertainty and stratum."""

    doc: SourceDocument
    party: str  # one spelling per party across the candidates; NO_PARTY if none
    period: str
    score: float
    actor: str | None  # the actor the score comes from (least sure, or likeliest of a class)
    n_actors: int
    criterion: str = "margin"  # the uncertainty, or `p(<class>)` when a class is sought

    def field(self, name: str) -> str:
        return {"source": self.doc.source, "party": self.party}[name]

    @property
    def stratum(self) -> str:
        # " | " because party names hold slashes (BÜNDNIS 90/DIE GRÜNEN).
        return " | ".join((self.doc.source, self.party, self.period))

    @property
    def groups(self) -> tuple[tuple[str, str, str], ...]:
        """What diversity counts: its party and its period, each within its source."""
        source = self.doc.source
        return ("party", source, self.party), ("period", source, self.period)


def party_spellings(docs: Sequence[SourceDocument]) -> dict[str, str]:
    """Casefolded party -> its most frequent spelling: the records spell one party several
    ways ("DIE LINKE", "Die Linke"; "Fraktionslos", "fraktionslos")."""
    counts = Counter(doc.party for doc in docs if doc.party)
    spellings: dict[str, str] = {}
    for party, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        spellings.setdefault(party.casefold(), party)
    return spellings


def score_documents(
    docs: Sequence[SourceDocument],
    predictions: Mapping[str, DocumentPrediction],
    method: str = "margin",
    period: str = "year",
    seek: Mapping[str, str] | None = None,
) -> list[Scored]:
    """One Scored per document; a document without extracted actors scores 0.

    `seek` maps a source (or ALL_SOURCES) to a stance class: that source's documents score
    the largest probability of the class over their actors instead of the uncertainty.
    """
    seek = seek or {}
    spelling = party_spellings(docs)
    scored = []
    for doc in docs:
        label = seek.get(doc.source, seek.get(ALL_SOURCES))
        criterion = f"p({label})" if label else method
        score = probability_of(label) if label else UNCERTAINTY[method]
        actors = predictions[doc.doc_id].actors
        best = max(actors, key=lambda a: score(a.stance_proba), default=None)
        scored.append(
            Scored(
                doc=doc,
                party=spelling[doc.party.casefold()] if doc.party else NO_PARTY,
                period=period_of(doc.date, period),
                score=score(best.stance_proba) if best else 0.0,
                actor=best.actor if best else None,
                n_actors=len(actors),
                criterion=criterion,
            )
        )
    return scored


_QUOTA = re.compile(r"^(?P<value>.+)=(?P<amount>\d+(?:\.\d+)?)(?P<pct>%?)$")


@dataclass(frozen=True)
class Quota:
    """At least `count` documents, or `percent` % of the selection, whose `field` (source or
    party) is `value` (compared case-insensitively)."""

    field: str
    value: str
    count: int | None = None
    percent: float | None = None

    @classmethod
    def parse(cls, field: str, spec: str) -> Quota:
        """`AfD=5` (documents) or `AfD=10%` (of the selection)."""
        m = _QUOTA.match(spec)
        if m is None or (not m["pct"] and "." in m["amount"]):
            raise ValueError(f"quota {spec!r}: expected VALUE=N or VALUE=P%")
        if m["pct"]:
            return cls(field, m["value"].strip(), percent=float(m["amount"]))
        return cls(field, m["value"].strip(), count=int(m["amount"]))

    def required(self, n: int) -> int:
        return self.count if self.count is not None else math.ceil(n * self.percent / 100)

    def matches(self, candidate: Scored) -> bool:
        return candidate.field(self.field).casefold() == self.value.casefold()

    def __str__(self) -> str:
        amount = f"{self.count}" if self.count is not None else f"{self.percent:g}%"
        return f"{self.field} {self.value}={amount}"


@dataclass(frozen=True)
class Selected:
    rank: int
    candidate: Scored
    reason: str  # the quota it filled, or "score"


@dataclass(frozen=True)
class Selection:
    selected: list[Selected]
    shortfalls: dict[str, int]  # quota -> documents it still lacks (pool exhausted)


def select(
    candidates: Sequence[Scored],
    n: int,
    quotas: Sequence[Quota] = (),
    decay: float = 0.5,
    seed: int = 0,
) -> Selection:
    """Pick `n` candidates greedily by score x decay^k, k = the documents already picked of
    the same source and party plus those of the same source and period: decay 1 ranks by
    uncertainty alone, decay 0 goes round-robin over parties and periods. Quotas are
    filled first, in the order given. Ties are broken by a shuffle seeded with `seed`, so
    a run reproduces."""
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"decay must lie in [0, 1], got {decay}")
    wanted = sum(q.required(n) for q in quotas)
    if wanted > n:
        raise ValueError(f"the quotas ask for {wanted} documents, more than the {n} selected")
    pool = list(candidates)
    random.Random(seed).shuffle(pool)
    # Sorted once, stably: among equal gains the earlier (shuffled) candidate wins.
    pool.sort(key=lambda c: c.score, reverse=True)
    taken: Counter[tuple[str, str, str]] = Counter()
    picked: list[Selected] = []

    def take(eligible: Callable[[Scored], bool], reason: str) -> bool:
        best, best_key = None, None
        for i, candidate in enumerate(pool):
            k = sum(taken[group] for group in candidate.groups)
            # Equal gains go to the groups picked least: with decay 0, round-robin.
            key = (candidate.score * decay**k, -k)
            if eligible(candidate) and (best_key is None or key > best_key):
                best, best_key = i, key
        if best is None:
            return False
        candidate = pool.pop(best)
        taken.update(candidate.groups)
        picked.append(Selected(len(picked) + 1, candidate, reason))
        return True

    shortfalls = {}
    for quota in quotas:
        need = quota.required(n) - sum(quota.matches(s.candidate) for s in picked)
        while need > 0 and take(quota.matches, f"quota {quota}"):
            need -= 1
        if need > 0:
            shortfalls[str(quota)] = need
    while len(picked) < n and take(lambda _: True, "score"):
        pass
    return Selection(picked, shortfalls)
