"""Press releases of the Kremlin and of the President of Ukraine (the sources folder
kremlin_ua/): two corpora, `kremlin` and `ukpresident`, from one collection.

Upstream holds each site's releases as one CSV (`press_release_data/putin.csv`: link,
headline, date, location, summary, body; `zelenskyy.csv`: link, headline, date, body), the
body scraped into one line: the sites' paragraph breaks are lost. A release that mentions
Ukraine and a weapons term is one document; one longer than MAX_CHARS (a forum's transcript
runs to 175,000 characters) is split into its Ukraine passages (corpus.passages) with the
body's sentences as the units, since it has no paragraphs left.
"""

from __future__ import annotations

import csv
import datetime
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict

from armstance.corpus.passages import label_in_force, ukraine_hits, windows
from armstance.corpus.sources import Source
from armstance.errors import DataError
from armstance.schema import Lang
from armstance.text.sentences import split_sentences
from armstance.text.whitespace import collapse, tidy_lines

# Selection (the shared data README): Ukraine and a weapons term in headline + summary + body.
UKRAINE = re.compile("ukrain", re.IGNORECASE)
WEAPONS = re.compile(
    r"weapon|\barms\b|\btanks?\b|missile|ammunition|artillery|military aid"
    r"|military assistance|security assistance|munitions",
    re.IGNORECASE,
)
# A release whose whole document is longer is split into its Ukraine passages.
MAX_CHARS = 20_000
# Upstream's mark of a missing value (location, in the Kremlin's CSV).
MISSING = ("", "NA")
# A transcript's turn label at the start of a sentence: two to seven capitalised words, with
# particles between them ("President of Russia Ivan Testov:", "Ana bin Example Al-Name:"),
# or a journalist's "Question:" / "Remark:". One capitalised word alone before a colon
# ("Look:") opens ordinary sentences.
_WORD = r"[A-Z][\w'’-]*"
_PARTICLE = r"(?:of|the|and|bin|al|de|von|van|der|da|la|le|el)"
LABEL = re.compile(rf"({_WORD}(?:(?: {_PARTICLE})* {_WORD}){{1,6}}|Question|Remark):(?:\s|$)")
# The speaker a headline names: "... – address by President Petro Inventenko", "Speech by
# the President of Ukraine at ...": the words after "address/speech/appeal by (the)" up to a
# preposition, a punctuation mark or the end.
HEADLINE_SPEAKER = re.compile(
    r"\b(?:address|speech|appeal) by (?:the )?(.+?)"
    r"(?= (?:to|at|in|on|during|before|for|after|with|from)\b|[.,:;!?–—]|$)",
    re.IGNORECASE,
)
DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(?::\d{2})?Z$")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Site:
    corpus: str  # the raw file's stem and doc_id prefix
    upstream: str  # the CSV's path in the collection's folder
    publisher: str
    link: re.Pattern[str]  # a release's URL; group `id` is the number the doc_id takes


KREMLIN = Site(
    corpus="kremlin",
    upstream="press_release_data/putin.csv",
    publisher="President of Russia (en.kremlin.ru)",
    link=re.compile(r"^http://en\.kremlin\.ru/events/president/news/(?P<id>\d+)$"),
)
# president.gov.ua/en/news/<transliterated Ukrainian title>-<number>: the number is the
# site's id of the news item, the slug before it is not unique across releases.
UKPRESIDENT = Site(
    corpus="ukpresident",
    upstream="press_release_data/zelenskyy.csv",
    publisher="President of Ukraine (president.gov.ua)",
    link=re.compile(r"^https://www\.president\.gov\.ua/en/news/[a-z0-9-]+-(?P<id>\d+)$"),
)


class Release(BaseModel):
    """One line of data/raw/kremlin.jsonl or ukpresident.jsonl."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc_id: str
    lang: Lang = "en"
    title: str  # the headline, whitespace collapsed
    text: str
    date: str  # ISO date of the CSV's UTC timestamp
    speaker: str | None  # transcript label in force, else the headline's speaker
    url: str
    location: str | None
    summary: str | None
    release: str  # the number at the end of the URL
    passage: int  # k of the doc_id: 0 for a whole release
    sentences: tuple[int, int] | None  # first and last sentence of a passage, 0-based
    fold_group: str  # documents of one ISO week share a CV fold (corpus.folds)
    path: str
    source: str


def release_docs(site: Site):
    """The builder (corpus.rebuild.Builder) of one site's corpus."""

    def build(root: Path, sources: Sequence[Source]) -> Iterator[dict]:
        source = _site_source(site, sources)
        yield from (release.model_dump() for release in read_releases(site, root, source))

    return build


def read_releases(site: Site, root: Path, source: Source) -> Iterator[Release]:
    """The documents of the releases that pass the selection, in CSV order; an id seen twice
    is an error."""
    path = root / source.path
    seen: dict[str, int] = {}
    for line, row in _rows(path):
        text = "\n".join(row.get(field) or "" for field in ("headline", "summary", "body"))
        if not (UKRAINE.search(text) and WEAPONS.search(text)):
            continue
        link = row.get("link") or ""
        match = site.link.match(link)
        if match is None:
            raise DataError(path, line, "link", f"expected {site.link.pattern}, got {link!r}")
        if match["id"] in seen:
            problem = f"release {match['id']} also on line {seen[match['id']]}"
            raise DataError(path, line, "link", problem)
        seen[match["id"]] = line
        yield from documents(site, source.path, path, line, row, match["id"])


def documents(
    site: Site, rel: str, path: Path, line: int, row: dict[str, str], release: str
) -> list[Release]:
    """The release as one document, or its Ukraine passages if that is too long."""
    title = collapse(row.get("headline") or "")
    if not title:
        raise DataError(path, line, "headline", "empty")
    stamp = row.get("date") or ""
    if not (m := DATE.match(stamp)):
        raise DataError(path, line, "date", f"expected YYYY-MM-DDTHH:MM:SSZ, got {stamp!r}")
    try:
        date = datetime.date.fromisoformat(m[1])
    except ValueError as exc:
        raise DataError(path, line, "date", f"{stamp!r}: {exc}") from None
    body = tidy_lines(row.get("body") or "")
    units = split_sentences(body, "en")
    labels = [_label(body[start:end]) for start, end in units]
    headline_match = HEADLINE_SPEAKER.search(title)
    headline_speaker = collapse(headline_match[1]) if headline_match else None
    year, week, _ = date.isocalendar()
    common = {
        "title": title,
        "date": date.isoformat(),
        "url": row["link"],
        "location": _present(row.get("location")),
        "summary": _present(row.get("summary")),
        "release": release,
        "fold_group": f"{site.corpus}-week-{year}-W{week:02d}",
        "path": rel,
        "source": f"{site.publisher}, via PeiYiZhuo/zelenskyy-putin ({site.upstream} line {line})",
    }

    def document(k: int, span: tuple[int, int] | None) -> Release:
        first, last = span if span else (0, len(units) - 1)
        label = label_in_force(labels, first) if units else None
        header = [title, date.isoformat(), *([f"{label}:"] if label else [])]
        start, end = (units[first][0], units[last][1]) if span else (0, len(body))
        return Release(
            doc_id=f"{site.corpus}-{release}-{k}",
            text="\n".join(header) + "\n\n" + body[start:end],
            speaker=label or headline_speaker,
            passage=k,
            sentences=span,
            **common,
        )

    whole = document(0, None)
    if len(whole.text) <= MAX_CHARS:
        return [whole]
    hits = ukraine_hits([body[start:end] for start, end in units])
    if not hits:
        log.warning("%s line %d: long, and no sentence of its body mentions Ukraine", path, line)
    return [document(k, span) for k, span in enumerate(windows(hits, len(units)))]


def _label(sentence: str) -> str | None:
    match = LABEL.match(sentence)
    return collapse(match[1]) if match else None


def _present(value: str | None) -> str | None:
    value = collapse(value or "")
    return None if value in MISSING else value


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(first line of the row, row) for each CSV row; malformed CSV names the line."""
    # A transcript is one field of 175,000 characters, beyond the csv module's default limit
    # of 131,072 (a process-wide setting; raised, never lowered).
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            reader.fieldnames  # noqa: B018 (reads the header: line_num then counts from it)
            while True:
                line = reader.line_num + 1
                try:
                    row = next(reader)
                except StopIteration:
                    return
                if None in row or None in row.values():
                    raise DataError(path, line, None, "expected as many fields as the header")
                yield line, row
    except csv.Error as exc:
        raise DataError(path, reader.line_num, None, f"malformed CSV ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise DataError(path, None, None, f"not UTF-8 ({exc.reason})") from exc


def _site_source(site: Site, sources: Sequence[Source]) -> Source:
    for source in sources:
        parts = PurePosixPath(source.path).parts
        if PurePosixPath(*parts[1:]) == PurePosixPath(site.upstream):
            return source
    listed = ", ".join(s.path for s in sources)
    raise DataError("sources.yaml", None, "path", f"no {site.upstream} among {listed}")
