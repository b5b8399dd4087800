"""White House briefing-room texts (the sources folder whitehouse/): their Ukraine passages.

Upstream holds each text as `<category>/<YYYY-MM>/<date>-<slug>.md`, Markdown (as Pandoc
writes it) under a YAML front matter. A briefing runs to hours on every topic, so a file is
split into the passages that concern Ukraine (corpus.passages): each paragraph that
mentions it, with the paragraph before and after; windows that overlap or touch are one
passage.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from armstance.corpus.passages import label_in_force, ukraine_hits, windows
from armstance.corpus.sources import Source
from armstance.errors import DataError, validation_to_data_error
from armstance.schema import Lang
from armstance.text.whitespace import collapse

# CommonMark: a backslash before any ASCII punctuation character escapes it.
ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# A journalist's turn opens with "Q" and a space (or a colon); an official's with an
# upper-case label and a colon: "THE PRESIDENT:", "MS. DOE-ROE:", "PRESIDENT ÅSTRÖM:".
QUESTION = re.compile(r"Q(?=[\s:]|$)")
LABEL = re.compile(r"([^\W\d_][^\W\d_\s.'’-]*(?:[\s.'’-]+[^\W\d_]+)*\.?):")
# Longer upper-case runs before a colon are headings or signature blocks
# ("FOR THE GOVERNMENT OF <STATE>:"); the longest speaker label seen has five words.
MAX_LABEL_WORDS = 5
FENCE = "---"

log = logging.getLogger(__name__)


class FrontMatter(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    date: datetime.date
    title: str = Field(min_length=1)
    source_url: str = Field(pattern=r"^https://\S+$")


class Passage(BaseModel):
    """One line of data/raw/whitehouse.jsonl."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc_id: str
    lang: Lang = "en"
    title: str
    text: str
    date: str  # ISO date of the front matter
    slug: str  # the file name after "<date>-"
    category: str  # upstream folder: press-briefings, speeches-remarks, statements-releases…
    source_url: str
    speaker: str | None  # label in force at the passage's first paragraph ("Q": a journalist)
    passage: int  # k of the doc_id: 0, 1, … in the file
    paragraphs: tuple[int, int]  # first and last paragraph of the body, 0-based, inclusive
    fold_group: str  # passages of one ISO week share a CV fold (corpus.folds)
    path: str
    source: str


def passage_docs(root: Path, sources: Sequence[Source]) -> Iterator[dict]:
    """The Ukraine passages of every file, in catalogue (path) order.

    A file with the date and slug of an earlier one (upstream publishes some briefings under
    two categories) is skipped when its body is the same, and is an error otherwise: the
    doc_ids would collide.
    """
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for source in sources:
        path = root / source.path
        front, body = read_markdown(path)
        date, slug = _date_slug(path, source.path, front)
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        if (date, slug) in seen:
            first, first_digest = seen[(date, slug)]
            if digest != first_digest:
                raise DataError(path, None, "slug", f"same date and slug as {first}, other text")
            log.info("skipped %s: the same text as %s", source.path, first)
            continue
        seen[(date, slug)] = (source.path, digest)
        for passage in passages(front, body, date, slug, source.path):
            yield passage.model_dump()


def read_markdown(path: Path) -> tuple[FrontMatter, str]:
    """The validated front matter and the Markdown body after it."""
    try:
        content = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(path, None, None, f"not UTF-8 ({exc.reason})") from exc
    lines = content.split("\n")
    if lines[0] != FENCE:
        raise DataError(path, 1, None, f"expected the front matter to open with {FENCE!r}")
    try:
        end = lines.index(FENCE, 1)
    except ValueError:
        raise DataError(path, 1, None, f"the front matter is not closed by {FENCE!r}") from None
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        raise DataError(path, line, None, f"malformed YAML front matter ({exc})") from exc
    if not isinstance(data, dict):
        raise DataError(path, 2, None, "expected the front matter to be a mapping")
    try:
        front = FrontMatter.model_validate(data)
    except ValidationError as exc:
        raise validation_to_data_error(path, None, exc) from exc
    return front, "\n".join(lines[end + 1 :])


def paragraphs(body: str) -> list[str]:
    """Paragraphs (runs of non-blank lines), each line stripped, joined with one space, and
    Markdown escapes undone. Stripping removes the two-space hard breaks and indents; a line
    of whitespace (no-break spaces included) is blank."""
    out, lines = [], []
    for line in [*body.split("\n"), ""]:
        if line.strip():
            lines.append(line.strip())
        elif lines:
            out.append(ESCAPE.sub(r"\1", " ".join(lines)))
            lines = []
    return out


def speaker_label(paragraph: str) -> str | None:
    """The turn label a paragraph opens with, whitespace collapsed, without its colon."""
    if QUESTION.match(paragraph):
        return "Q"
    match = LABEL.match(paragraph)
    if match is None or match[1] != match[1].upper():
        return None
    label = collapse(match[1])
    return label if len(label.split()) <= MAX_LABEL_WORDS else None


def passages(front: FrontMatter, body: str, date: str, slug: str, path: str) -> list[Passage]:
    paras = paragraphs(body)
    labels = [speaker_label(p) for p in paras]
    title = collapse(front.title)
    category = PurePosixPath(path).parts[1]
    hits = ukraine_hits(paras)
    year, week, _ = front.date.isocalendar()
    out = []
    for k, (first, last) in enumerate(windows(hits, len(paras))):
        speaker = label_in_force(labels, first)
        header = [title, date, *([f"{speaker}:"] if speaker else [])]
        out.append(
            Passage(
                doc_id=f"whitehouse-{date}-{slug}-{k}",
                title=title,
                text="\n".join(header) + "\n\n" + "\n\n".join(paras[first : last + 1]),
                date=date,
                slug=slug,
                category=category,
                source_url=front.source_url,
                speaker=speaker,
                passage=k,
                paragraphs=(first, last),
                fold_group=f"whitehouse-week-{year}-W{week:02d}",
                path=path,
                source=f"The White House, {category} (brian14708/wh-briefings, "
                f"{PurePosixPath(*PurePosixPath(path).parts[1:])})",
            )
        )
    return out


def _date_slug(path: Path, rel: str, front: FrontMatter) -> tuple[str, str]:
    """The front matter's date and the slug of whitehouse/<category>/<month>/<date>-<slug>.md."""
    date = front.date.isoformat()
    parts = PurePosixPath(rel).parts
    if len(parts) != 4 or not parts[3].startswith(f"{date}-") or not parts[3].endswith(".md"):
        expected = f"whitehouse/<category>/<month>/{date}-<slug>.md"
        raise DataError(path, None, "date", f"expected the file to be {expected}")
    return date, parts[3][len(date) + 1 : -len(".md")]
