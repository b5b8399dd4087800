"""Finished labels -> stand-off records with provenance, checked before anything is kept.

Two inputs: a Label Studio export (JSON, one task a document, labelled with the committed
config) and the exchange format of GUIDELINES §6 (JSONL, aliases and evidence as exact
strings) for work done outside Label Studio. Both become exchange-form annotations, and
the corpus's converter turns those into offsets: every occurrence of every alias, the
first occurrence of each evidence string.

Every problem of every document is collected, each naming its task (or line), doc_id and
field; the caller writes nothing unless there are none.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, ValidationError

from armstance.annotate.sources import SourceDocument, check_doc_id
from armstance.annotate.splits import Target
from armstance.annotate.tasks import EVIDENCE, Region, TaskFieldError, from_results
from armstance.corpus.standoff import text_sha256, to_standoff
from armstance.errors import DataError
from armstance.evaluation.matcher import normalise_name
from armstance.jsonl import iter_json_lines
from armstance.schema import (
    ActorAnnotation,
    DocumentAnnotation,
    Provenance,
    StandoffDocument,
)

GUIDELINES_VERSION = "1.3"
MAX_EVIDENCE = 3
MAX_EVIDENCE_CHARS = 300


@dataclass(frozen=True)
class ImportProblem:
    where: str  # "task 12" or "line 3"
    doc_id: str | None
    field: str | None
    problem: str

    def __str__(self) -> str:
        who = f" (doc_id {self.doc_id})" if self.doc_id else ""
        what = f" field '{self.field}':" if self.field else ""
        return f"{self.where}{who}:{what} {self.problem}"


class ImportRejected(DataError):
    """Every problem found in an input; nothing was written."""

    def __init__(self, path: str | Path, problems: list[ImportProblem]):
        self.problems = problems
        listed = "\n".join(f"  {p}" for p in problems)
        super().__init__(
            path, None, None, f"{len(problems)} problem(s), nothing written:\n{listed}"
        )


class _Problem(Exception):
    def __init__(self, field: str | None, problem: str):
        self.field, self.problem = field, problem


@dataclass(frozen=True)
class Labelled:
    """One document's labels as read, before they are checked against the text."""

    where: str
    annotation: DocumentAnnotation
    text_sha256: str | None  # of the text the annotator saw, where the input says
    model_assisted: bool | None  # None: the input cannot tell
    date: datetime.date | None = None


@dataclass(frozen=True)
class Settings:
    """Provenance the command line gives; None leaves it to the input."""

    annotator: str
    annotator_kind: str  # "model" or "person"
    annotation_pass: int
    revision: int = 1
    model_assisted: bool | None = None
    guidelines: str = GUIDELINES_VERSION
    date: datetime.date | None = None


@dataclass
class Read:
    labelled: list[Labelled]
    problems: list[ImportProblem]
    skipped: list[str]  # tasks without a submitted annotation


def read_input(path: Path, docs: Mapping[str, SourceDocument]) -> Read:
    """A Label Studio export (a JSON array) or an exchange-format JSONL file."""
    head = Path(path).read_text(encoding="utf-8").lstrip()[:1]
    return read_labelstudio(path, docs) if head == "[" else read_exchange(path)


# --- Label Studio ------------------------------------------------------------------------


def read_labelstudio(path: Path, docs: Mapping[str, SourceDocument]) -> Read:
    try:
        tasks = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(path, exc.lineno, None, f"malformed JSON ({exc.msg})") from exc
    out = Read([], [], [])
    for n, task in enumerate(tasks):
        task = task if isinstance(task, dict) else {}
        where = f"task {task.get('id', f'#{n}')}"
        data = task.get("data")
        doc_id = data.get("doc_id") if isinstance(data, dict) else None
        try:
            labelled = _from_task(task, where, docs)
        except _Problem as exc:
            out.problems.append(ImportProblem(where, doc_id, exc.field, exc.problem))
            continue
        if labelled is None:
            out.skipped.append(f"{where} (doc_id {doc_id})")
        else:
            out.labelled.append(labelled)
    return out


def _from_task(task: dict, where: str, docs: Mapping[str, SourceDocument]) -> Labelled | None:
    if not isinstance(task.get("data"), dict):
        raise _Problem("data", "not a Label Studio task (expected an object with `data`)")
    data = task["data"]
    doc_id = str(data.get("doc_id", ""))
    try:
        check_doc_id(doc_id, where)
    except DataError as exc:
        raise _Problem("data.doc_id", exc.problem) from exc
    doc = docs.get(doc_id)
    if doc is None:
        raise _Problem("data.doc_id", "no rebuilt text has this doc_id")
    text = doc.doc.text
    if "text" in data and data["text"] != text:
        raise _Problem("data.text", "differs from the rebuilt text (the source changed)")
    submitted = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if not submitted:
        return None
    if len(submitted) > 1:
        raise _Problem(
            "annotations",
            f"{len(submitted)} submitted annotations; import one annotator's work at a time",
        )
    (annotation,) = submitted
    try:
        regions = from_results(annotation.get("result") or [], text)
    except TaskFieldError as exc:
        raise _Problem(f"annotations.0.{exc.field}", exc.problem) from exc
    try:
        exchange = DocumentAnnotation(
            doc_id=doc_id, lang=doc.lang, actors=actors_from_regions(regions)
        )
    except _Problem as exc:
        raise _Problem(f"annotations.0.{exc.field}", exc.problem) from exc
    # Label Studio keeps a prediction's id on an annotation started from it.
    shown = bool(task.get("predictions")) or bool(
        annotation.get("parent_prediction") or annotation.get("prediction")
    )
    return Labelled(
        where=where,
        annotation=exchange,
        text_sha256=data.get("text_sha256"),
        model_assisted=shown,
        date=_date(annotation.get("updated_at") or annotation.get("created_at")),
    )


def _date(value: object) -> datetime.date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


def actors_from_regions(regions: list[Region]) -> list[ActorAnnotation]:
    """Mentions grouped by canonical name into actors; evidence attached by name."""
    mentions: dict[str, list[Region]] = {}
    evidence: list[Region] = []
    owner: dict[tuple[int, int], str] = {}
    for region in sorted(regions, key=lambda r: r.span):
        if region.label is None:
            raise _Problem("result", f"{region.where()} has no label (type or evidence)")
        if region.label == EVIDENCE:
            if region.stance or region.sentiment:
                raise _Problem("result", f"{region.where()}: evidence carries no stance/sentiment")
            if not region.names:
                raise _Problem("result", f"{region.where()}: name the actor(s) it supports")
            evidence.append(region)
            continue
        if len(region.names) != 1:
            raise _Problem("result", f"{region.where()}: a mention needs one canonical actor name")
        (name,) = region.names
        if owner.setdefault(region.span, name) != name:
            raise _Problem(
                "result", f"{region.where()} is marked as both {owner[region.span]!r} and {name!r}"
            )
        mentions.setdefault(name, []).append(region)
    actors = {name: _actor(name, regions) for name, regions in mentions.items()}
    supported: dict[str, list[str]] = {name: [] for name in actors}
    for region in evidence:
        for name in region.names:
            if name not in supported:
                raise _Problem(
                    "result", f"{region.where()}: evidence for {name!r}, which has no mention"
                )
            if region.text not in supported[name]:
                supported[name].append(region.text)
    return [actor.model_copy(update={"evidence": supported[a]}) for a, actor in actors.items()]


def _actor(name: str, regions: list[Region]) -> ActorAnnotation:
    values = {}
    for attr in ("label", "stance", "sentiment"):
        found = sorted({getattr(r, attr) for r in regions} - {None})
        if len(found) != 1:
            problem = "is missing" if not found else f"differs between mentions: {found}"
            what = "type" if attr == "label" else attr
            raise _Problem("result", f"actor {name!r}: {what} {problem} (set it on one mention)")
        values[attr] = found[0]
    return ActorAnnotation(
        actor=name,
        type=values["label"],
        aliases=list(dict.fromkeys(r.text for r in regions)),
        stance=values["stance"],
        sentiment=values["sentiment"],
        evidence=[],
    )


# --- exchange format ---------------------------------------------------------------------


class ExchangeRecord(DocumentAnnotation):
    """A GUIDELINES §6 line; `text_sha256`, where given, is checked against the text."""

    text_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


def read_exchange(path: Path) -> Read:
    out = Read([], [], [])
    for line, obj in iter_json_lines(path):
        where, doc_id = f"line {line}", obj.get("doc_id")
        try:
            record = ExchangeRecord.model_validate(obj)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(p) for p in error["loc"]) or None
            out.problems.append(ImportProblem(where, doc_id, field, error["msg"]))
            continue
        out.labelled.append(
            Labelled(
                where=where,
                annotation=DocumentAnnotation(**record.model_dump(exclude={"text_sha256"})),
                text_sha256=record.text_sha256,
                model_assisted=None,
            )
        )
    return out


# --- checks and conversion ---------------------------------------------------------------


def check_actors(annotation: DocumentAnnotation) -> None:
    """Rules both inputs share: no actor twice, non-empty aliases, 1-3 short evidence spans."""
    seen: dict[str, str] = {}
    for i, actor in enumerate(annotation.actors):
        key = normalise_name(actor.actor)
        if key in seen:
            raise _Problem(f"actors.{i}.actor", f"{actor.actor!r} duplicates {seen[key]!r}")
        seen[key] = actor.actor
        if any(not alias.strip() for alias in actor.aliases):
            raise _Problem(f"actors.{i}.aliases", f"actor {actor.actor!r} has an empty alias")
        if not 1 <= len(actor.evidence) <= MAX_EVIDENCE:
            raise _Problem(
                f"actors.{i}.evidence",
                f"actor {actor.actor!r} has {len(actor.evidence)} evidence spans"
                f" (1 to {MAX_EVIDENCE})",
            )
        for j, evidence in enumerate(actor.evidence):
            if not evidence.strip() or len(evidence) > MAX_EVIDENCE_CHARS:
                raise _Problem(
                    f"actors.{i}.evidence.{j}",
                    f"actor {actor.actor!r}: evidence of {len(evidence)} characters"
                    f" (1 to {MAX_EVIDENCE_CHARS})",
                )


def provenance(labelled: Labelled, settings: Settings) -> Provenance:
    assisted = labelled.model_assisted
    if settings.model_assisted is not None:
        if assisted and not settings.model_assisted:
            raise _Problem(
                "model_assisted", "the task carried pre-annotations: it is model-assisted"
            )
        assisted = settings.model_assisted
    if assisted is None:
        raise _Problem(
            "model_assisted",
            "the input cannot tell: pass --model-assisted or --no-model-assisted",
        )
    return Provenance(
        annotator=settings.annotator,
        annotator_kind=settings.annotator_kind,
        pass_=settings.annotation_pass,
        revision=settings.revision,
        model_assisted=assisted,
        guidelines=settings.guidelines,
        date=settings.date or labelled.date or datetime.date.today(),
    )


def to_records(
    path: Path,
    read: Read,
    docs: Mapping[str, SourceDocument],
    settings: Settings,
    target: Target,
) -> list[StandoffDocument]:
    """Stand-off records of everything read for `target`, or ImportRejected listing every
    problem."""
    problems = list(read.problems)
    records, seen = [], set()
    for labelled in read.labelled:
        doc_id = labelled.annotation.doc_id
        try:
            records.append(_record(path, labelled, docs, settings, target, seen))
        except _Problem as exc:
            problems.append(ImportProblem(labelled.where, doc_id, exc.field, exc.problem))
        seen.add(doc_id)
    if problems:
        raise ImportRejected(path, problems)
    return records


def _record(
    path: Path,
    labelled: Labelled,
    docs: Mapping[str, SourceDocument],
    settings: Settings,
    target: Target,
    seen: set[str],
) -> StandoffDocument:
    annotation = labelled.annotation
    try:
        check_doc_id(annotation.doc_id, path)
    except DataError as exc:
        raise _Problem("doc_id", exc.problem) from exc
    if annotation.doc_id in seen:
        raise _Problem("doc_id", "appears twice in this input")
    if refusal := target.refusal(annotation.doc_id):
        raise _Problem("doc_id", refusal)
    doc = docs.get(annotation.doc_id)
    if doc is None:
        raise _Problem("doc_id", "no rebuilt text has this doc_id")
    if annotation.lang != doc.lang:
        raise _Problem("lang", f"{annotation.lang!r}, but the document is {doc.lang!r}")
    actual = text_sha256(doc.doc.text)
    if labelled.text_sha256 is not None and labelled.text_sha256 != actual:
        raise _Problem(
            "text_sha256",
            f"labelled a text with sha256 {labelled.text_sha256}, the rebuilt one has {actual}",
        )
    check_actors(annotation)
    try:
        record = to_standoff(annotation, doc.doc.text, path, 0)
    except DataError as exc:  # an alias or evidence string that is not in the text
        raise _Problem(exc.field, exc.problem) from exc
    made = provenance(labelled, settings)
    earlier = target.earlier.get(annotation.doc_id)
    if target.replace and earlier is not None:
        # A correction of the same revision keeps the history of what that revision replaced.
        made = made.model_copy(update={"revises": earlier.revises})
    elif target.revision > 1:
        made = made.model_copy(update={"revises": earlier})
    if target.is_second and made.model_assisted:
        raise _Problem("model_assisted", "a second annotation is made without pre-annotations")
    return record.model_copy(update={"provenance": made})
