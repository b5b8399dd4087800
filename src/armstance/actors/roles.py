"""Role-only mentions: "le Président de la République", "der Bundeskanzler", "the Secretary".

A title standing alone is a role description, not a name (GUIDELINES §5): no alias of any
actor. Yet an extractor that reads titles as names reports it as a person of its own. Such
a candidate is resolved to the person the document names in that role ("Emmanuel Macron,
président de la République", "Bundeskanzler Olaf Scholz"): its mentions join that person
as role mentions (context for the person's unit, never an alias). A role the document
names no one in is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from armstance.actors.heuristics import is_title
from armstance.schema import ExtractedActor, Mention

_WORD = re.compile(r"[^\W\d_]+")
# Salutations, the articles and prepositions of role phrases and the words that complete a
# title into an office ("le Président de la République", "the Secretary of State", "der
# Bundesminister der Verteidigung"), beside the titles of the person heuristics.
ROLE_WORDS = frozenset(
    """monsieur madame mme mlle messieurs mesdames m mr mrs ms sir dame herr frau herren
    damen le la les l de du des d der die das den dem of the von vom für et and und
    république state defense defence foreign affairs affaires étrangères armées europe
    intérieur interior treasury national security verteidigung auswärtigen innern finanzen
    staatssekretär sénat senate house chambre assemblée nationale""".split()  # noqa: SIM905
)
# How far from a role phrase a person's name may stand to be the one it names, with no
# sentence end between them.
NEAR = 60
_BREAK = re.compile(r"[.!?;\n]")


def title_only(surfaces: Sequence[str], lang: str) -> bool:
    """Whether every surface is made of titles, salutations and articles only."""
    for surface in surfaces:
        words = _WORD.findall(surface)
        if not words or any(w.lower() not in ROLE_WORDS and not is_title(w, lang) for w in words):
            return False
    return True


def _role_core(surface: str) -> str:
    """The role phrase without leading articles and salutations: what to look for again."""
    words = surface.split()
    while words and words[0].lower().strip("'’") in ROLE_WORDS:
        words.pop(0)
    return " ".join(words)


def _distance(text: str, span: tuple[int, int], other: Mention) -> int | None:
    """Characters between a role phrase and a name, None if a sentence ends between."""
    start, end = span
    if other.start >= end:
        gap = text[end : other.start]
    elif other.end <= start:
        gap = text[other.end : start]
    else:
        return 0
    return None if len(gap) > NEAR or _BREAK.search(gap) else len(gap)


def _holder(
    text: str, role: ExtractedActor, persons: Sequence[ExtractedActor]
) -> ExtractedActor | None:
    """The person whose name stands closest to an occurrence of the role phrase."""
    best: tuple[int, ExtractedActor] | None = None
    for surface in {m.surface for m in role.mentions}:
        core = _role_core(surface)
        if not core:
            continue
        for found in re.finditer(re.escape(core), text, re.IGNORECASE):
            for person in persons:
                for mention in person.mentions:
                    gap = _distance(text, found.span(), mention)
                    if gap is not None and (best is None or gap < best[0]):
                        best = (gap, person)
    return None if best is None else best[1]


def resolve_roles(text: str, lang: str, actors: Sequence[ExtractedActor]) -> list[ExtractedActor]:
    """The actors with every role-only person resolved to the person it names, or dropped."""
    roles = [a for a in actors if a.type == "person" and title_only(a.aliases, lang)]
    if not roles:
        return list(actors)
    persons = [a for a in actors if a.type == "person" and a not in roles]
    joined: dict[str, list[Mention]] = {}
    for role in roles:
        holder = _holder(text, role, persons)
        if holder is not None:
            joined.setdefault(holder.actor, []).extend(
                m.model_copy(update={"role": True}) for m in role.mentions
            )
    out = []
    for actor in actors:
        if actor in roles:
            continue
        if actor.actor in joined:
            mentions = sorted([*actor.mentions, *joined[actor.actor]], key=lambda m: m.start)
            actor = actor.model_copy(update={"mentions": mentions})
        out.append(actor)
    return out
