"""Turn gazetteer hits and name candidates into one actor per referent of a document.

Rules, applied in this order:

1. **Locations are not actors.** A metonym (a capital or building standing for a state,
   marked `metonyms` in the gazetteer) preceded by a locative preposition ("in", "im",
   "at", "à", "en", "dans", "nach", "bei", "near") names a place and is dropped: "a forum in
   Seoul" is not Seoul acting, "Seoul refused" is.
2. **The gazetteer wins.** A candidate from spaCy or the heuristics that overlaps any
   gazetteer hit (kept or dropped) is discarded; news agencies and outlets (`not_actors`,
   or a name containing "press", "presse", "news", "agency", "agence",
   "Nachrichtenagentur") are discarded.
3. **Surnames join full names.** Persons are keyed by their last name: "Stoltenberg" joins
   "Jens Stoltenberg", an unknown "Kamyshin" joins "Oleksandr Kamyshin". A weak candidate
   (a lone word only next to a speech verb) that joins no one is dropped.
4. **Every occurrence counts.** The surfaces of the persons and organisations found, and
   the surnames of the persons, are searched again in the whole text, so a name found once
   by a cue is found wherever it recurs.
5. **Role phrases name the person, not the organisation.** A state or organisation mention
   that sits in a title phrase introducing a person ("NATO Secretary General Jens
   Stoltenberg", "le secrétaire général de l'OTAN, Jens Stoltenberg", "US-Außenminister
   Antony Blinken") is a *role mention*. The person is never merged into the organisation;
   an organisation or state whose every mention is a role mention is not listed (with
   `drop_role_only`), since nothing in the text shows it acting.

An unknown actor's canonical name is its longest surface form in the document. Actors are
ordered by their first mention, mentions by position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from armstance.actors.gazetteer import Gazetteer, GazetteerHit, normalise
from armstance.actors.heuristics import Candidate, cues
from armstance.schema import ExtractedActor, Mention

LOCATIVES = frozenset({"in", "im", "at", "near", "à", "en", "dans", "nach", "bei"})
_AGENCY = re.compile(r"(?i)\b(?:press|presse|news|agency|agence|nachrichtenagentur)\b")


@cache
def _title_pattern(lang: str) -> re.Pattern:
    words = "|".join(map(re.escape, cues().titles[lang]))
    # German titles end compounds ("US-Außenminister"); elsewhere they are whole words.
    return re.compile(rf"(?i)(?:{words})\b" if lang == "de" else rf"(?i)\b(?:{words})\b")


_CLAUSE_BREAK = re.compile(r"[.!?;:\"«»“”\n]|\b(?:and|und|et|or|oder|ou)\b")
_ROLE_GAP = 60
_ROLE_LEAD = 40


@dataclass
class _Actor:
    name: str | None  # canonical name; None until chosen (unknown actors)
    type: str
    spans: dict[tuple[int, int], str]
    roles: int = 0


def _locative(text: str, start: int) -> bool:
    before = re.search(r"(\w+)\W*$", text[max(0, start - 20) : start])
    return before is not None and before.group(1).lower() in LOCATIVES


def _is_agency(surface: str, gazetteer: Gazetteer) -> bool:
    return normalise(surface) in gazetteer.not_actors or bool(_AGENCY.search(surface))


def surname(surface: str) -> str:
    """The last word of a name: what a lone mention of the person is."""
    return re.split(r"\s+", surface.strip())[-1]


def usable_surname(word: str) -> bool:
    # "Un" (Kim Jong Un) or "III" (Lloyd Austin III) alone would match ordinary words.
    return len(word) >= 3 and any(ch.islower() for ch in word)


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _role_mention(text: str, lang: str, hit: GazetteerHit, persons: list[int]) -> bool:
    """Whether `hit` belongs to a title phrase that introduces the person starting next."""
    following = [p for p in persons if hit.end <= p <= hit.end + _ROLE_GAP]
    if not following:
        return False
    gap = text[hit.end : min(following)]
    if _CLAUSE_BREAK.search(gap) or len(gap.split()) > 6:
        return False
    lead = text[max(0, hit.start - _ROLE_LEAD) : hit.start]
    lead = re.split(r"[.!?;:\n]", lead)[-1]
    titles = _title_pattern(lang)
    return bool(titles.search(gap) or titles.search(lead))


def merge(
    text: str,
    lang: str,
    hits: list[GazetteerHit],
    candidates: list[Candidate],
    gazetteer: Gazetteer,
    drop_role_only: bool = True,
) -> list[ExtractedActor]:
    actors: dict[str, _Actor] = {}
    hit_spans = [(h.start, h.end) for h in hits]
    kept = [h for h in hits if not (h.entry.metonym and _locative(text, h.start))]
    for hit in kept:
        actor = actors.setdefault(hit.entry.actor, _Actor(hit.entry.actor, hit.entry.type, {}))
        actor.spans[(hit.start, hit.end)] = hit.surface

    surnames = {
        surname(surface): key
        for key, actor in actors.items()
        if actor.type == "person"
        for surface in [actor.name or "", *actor.spans.values()]
        if usable_surname(surname(surface))
    }
    fresh = [
        c
        for c in candidates
        if not _overlaps(c.start, c.end, hit_spans) and not _is_agency(c.surface, gazetteer)
    ]
    # Full names first, so that lone surnames can join them.
    fresh.sort(key=lambda c: (c.type != "person" or " " not in c.surface, c.start))
    for cand in fresh:
        if cand.type == "person":
            last = surname(cand.surface)
            key = surnames.get(last)
            if key is None:
                if not cand.strong:
                    continue
                key = "person:" + last
                if usable_surname(last):
                    surnames[last] = key
        else:
            key = "org:" + normalise(cand.surface).casefold()
        actor = actors.setdefault(key, _Actor(None, cand.type, {}))
        actor.spans[(cand.start, cand.end)] = cand.surface

    _rescan(text, actors, surnames)
    if drop_role_only:
        _drop_role_only(text, lang, kept, actors)
    return _finish(actors)


def _rescan(text: str, actors: dict[str, _Actor], surnames: dict[str, str]) -> None:
    """Find again, everywhere in the text, the names found once (rule 4)."""
    lookup = dict(surnames)
    for key, actor in actors.items():
        if key.startswith(("person:", "org:")):
            lookup.update({surface: key for surface in actor.spans.values()})
    if not lookup:
        return
    taken = [span for actor in actors.values() for span in actor.spans]
    forms = sorted(lookup, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, forms)) + r")(?!\w)")
    for m in pattern.finditer(text):
        if not _overlaps(m.start(), m.end(), taken):
            actors[lookup[m.group()]].spans[(m.start(), m.end())] = m.group()
            taken.append((m.start(), m.end()))


def _drop_role_only(
    text: str, lang: str, hits: list[GazetteerHit], actors: dict[str, _Actor]
) -> None:
    persons = sorted(s for a in actors.values() if a.type == "person" for s, _ in a.spans)
    for hit in hits:
        actor = actors[hit.entry.actor]
        if actor.type in ("state", "organization") and _role_mention(text, lang, hit, persons):
            actor.roles += 1
    for key in [k for k, a in actors.items() if a.roles and a.roles == len(a.spans)]:
        del actors[key]


def _finish(actors: dict[str, _Actor]) -> list[ExtractedActor]:
    out = []
    for actor in actors.values():
        spans = sorted(actor.spans)
        name = actor.name or max(actor.spans.values(), key=len)
        mentions = [Mention(start=s, end=e, surface=actor.spans[(s, e)]) for s, e in spans]
        out.append(ExtractedActor(actor=name, type=actor.type, mentions=mentions))
    return sorted(out, key=lambda a: (a.mentions[0].start, a.actor))
