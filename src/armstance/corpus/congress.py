"""Press releases of members of the US Congress (the sources folder congress/).

Upstream (dwillis/congress-press) holds the releases of a month as one JSON Lines file,
`data/YYYY/YYYY-MM.jsonl`, one release a line: url, title, date, member {bioguide_id, name,
party, state, chamber}, text. The catalogue pins each release as a line of its monthly file
(corpus.sources.Source.line); fetched, each lies alone at its catalogue path. A release that
mentions Ukraine and a weapons term is one document.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from armstance.corpus.releases import UKRAINE, WEAPONS
from armstance.corpus.sources import Source
from armstance.errors import DataError, validation_to_data_error
from armstance.schema import Lang
from armstance.text.whitespace import collapse, tidy_lines


class Member(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    bioguide_id: str = Field(pattern=r"^[A-Z]\d{6}$")
    name: str = Field(min_length=1)
    party: str = Field(min_length=1)
    state: str = Field(min_length=1)
    chamber: str = Field(min_length=1)


class UpstreamRelease(BaseModel):
    """One upstream line, the fields the rebuild reads (others are ignored)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    url: str = Field(min_length=1)
    title: str = Field(min_length=1)
    date: datetime.date
    member: Member
    text: str


class CongressRelease(BaseModel):
    """One line of data/raw/congress.jsonl."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc_id: str
    lang: Lang = "en"
    title: str
    text: str
    date: str  # ISO date
    speaker: str  # the member's name
    party: str  # Republican, Democrat, Independent
    state: str
    chamber: str  # Senate, House
    bioguide_id: str
    url: str  # the release's page
    fold_group: str  # a member's releases share a CV fold (corpus.folds)
    path: str
    upstream: str  # <monthly file>:<0-based line>
    source: str


def congress_docs(root: Path, sources: Sequence[Source]) -> Iterator[dict]:
    """The releases that pass the selection, in catalogue order (by monthly file, then line).

    k of `congress-<date>-<bioguide id>-<k>` counts the member's releases of that date among
    all catalogued ones, before the selection, so that a doc_id does not depend on it.
    """
    counts: Counter[tuple[str, str]] = Counter()
    for source in sources:
        path = root / source.path
        release = read_release(path)
        key = (release.date.isoformat(), release.member.bioguide_id)
        k = counts[key]
        counts[key] += 1
        text = release.title + "\n" + release.text
        if UKRAINE.search(text) and WEAPONS.search(text):
            yield document(release, source, k).model_dump()


def read_release(path: Path) -> UpstreamRelease:
    try:
        content = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(path, None, None, f"not UTF-8 ({exc.reason})") from exc
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise DataError(path, exc.lineno, None, f"malformed JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise DataError(path, 1, None, "expected a JSON object")
    try:
        return UpstreamRelease.model_validate(data)
    except ValidationError as exc:
        raise validation_to_data_error(path, 1, exc) from exc


def document(release: UpstreamRelease, source: Source, k: int) -> CongressRelease:
    member, date = release.member, release.date.isoformat()
    # The monthly file's path in its repository (the raw URL after owner, repo and commit).
    upstream = "/".join(source.url.split("/")[6:])
    if source.line is not None:
        upstream += f":{source.line}"
    return CongressRelease(
        doc_id=f"congress-{date}-{member.bioguide_id}-{k}",
        title=collapse(release.title),
        text=collapse(release.title) + "\n\n" + tidy_lines(release.text),
        date=date,
        speaker=collapse(member.name),
        party=collapse(member.party),
        state=collapse(member.state),
        chamber=collapse(member.chamber),
        bioguide_id=member.bioguide_id,
        url=release.url,
        fold_group=f"congress-{member.bioguide_id}",
        path=source.path,
        upstream=upstream,
        source=f"press release of {collapse(member.name)} (dwillis/congress-press, {upstream})",
    )
