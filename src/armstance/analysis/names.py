"""One name per actor across the corpus.

Within a document the extractor already merges an actor's aliases (actors.merge). Across
documents two forms may still name one actor:

- **gazetteer forms**: an actor listed under a form the gazetteer knows as an alias or a
  metonym of another actor (e.g. an unknown-actor candidate that is a capital) takes the
  gazetteer's canonical name;
- **lone surnames**: a person listed under one word ("Kamyshin", because only the surname
  appeared in that document) joins the one full name with that surname (actors.merge's
  `surname`), among the persons of the corpus and of the gazetteer. When two or more full
  names share the surname, the lone surname is ambiguous: it is refused (left as it is)
  and listed.

Full names are never merged with each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from armstance.actors.gazetteer import Gazetteer, normalise
from armstance.actors.merge import surname, usable_surname


@dataclass(frozen=True)
class Names:
    canonical: dict[str, str]
    """Merged form -> canonical name (forms that stay as they are are absent)."""
    merged: pd.DataFrame
    """form, canonical, rule, rows: which forms were merged, by which rule."""
    ambiguous: pd.DataFrame
    """surname, candidates, rows: lone surnames refused because several persons carry them."""

    def apply(self, actors: pd.DataFrame) -> pd.DataFrame:
        """`actors` with `actor` replaced by its canonical name (the form kept in `form`)."""
        out = actors.assign(form=actors["actor"])
        out["actor"] = out["actor"].map(lambda name: self.canonical.get(name, name))
        return out


def _gazetteer_name(name: str, lang: str | None, gazetteer: Gazetteer) -> str | None:
    form = normalise(name)
    langs = [lang] if lang in gazetteer.forms else list(gazetteer.forms)
    found = {gazetteer.forms[k][form].actor for k in langs if form in gazetteer.forms[k]}
    return found.pop() if len(found) == 1 else None


def canonical_names(actors: pd.DataFrame, gazetteer: Gazetteer) -> Names:
    """Merge the forms of `actors` (columns actor, type, lang) across documents."""
    rows = actors.groupby(["actor", "type"], dropna=False).agg(
        rows=("actor", "size"), lang=("lang", "first")
    )
    canonical: dict[str, str] = {}
    merged: list[dict] = []
    for (name, _), group in rows.iterrows():
        if name in gazetteer.types:
            continue
        target = _gazetteer_name(name, group["lang"], gazetteer)
        if target is not None and target != name:
            canonical[name] = target
            merged.append({"form": name, "canonical": target, "rule": "gazetteer form"})

    persons = {canonical.get(n, n) for (n, kind) in rows.index if kind == "person"}
    persons |= {n for n, kind in gazetteer.types.items() if kind == "person"}
    full_by_surname: dict[str, set[str]] = {}
    for name in persons:
        if " " in name.strip():
            full_by_surname.setdefault(surname(name), set()).add(name)
    ambiguous: list[dict] = []
    for (name, kind), group in rows.iterrows():
        if kind != "person" or " " in name.strip() or not usable_surname(name):
            continue
        candidates = sorted(full_by_surname.get(name, ()))
        if len(candidates) == 1:
            canonical[name] = candidates[0]
            merged.append({"form": name, "canonical": candidates[0], "rule": "surname"})
        elif len(candidates) > 1:
            ambiguous.append(
                {"surname": name, "candidates": "; ".join(candidates), "rows": group["rows"]}
            )
    counts = actors["actor"].value_counts()
    merged_frame = pd.DataFrame(merged, columns=["form", "canonical", "rule"])
    merged_frame["rows"] = merged_frame["form"].map(counts).fillna(0).astype(int)
    return Names(
        canonical=canonical,
        merged=merged_frame.sort_values(["canonical", "form"]).reset_index(drop=True),
        ambiguous=pd.DataFrame(ambiguous, columns=["surname", "candidates", "rows"]),
    )
