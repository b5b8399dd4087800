"""Convert labels between the exchange form (strings) and the stand-off form (offsets).

Stand-off records carry no text: they are joined back to the texts at load time, and the
text's sha256 guards against joining offsets to a text that has changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from armstance.errors import DataError
from armstance.jsonl import read_records, write_jsonl
from armstance.schema import (
    DocumentAnnotation,
    GoldActor,
    GoldDocument,
    Span,
    StandoffActor,
    StandoffDocument,
)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_all(text: str, needle: str) -> list[Span]:
    spans = []
    start = text.find(needle)
    while start >= 0:
        spans.append((start, start + len(needle)))
        start = text.find(needle, start + len(needle))
    return spans


def to_standoff(
    annotation: DocumentAnnotation, text: str, path: str | Path, line: int
) -> StandoffDocument:
    """Every occurrence of every alias (in text order); the first occurrence of each evidence."""
    actors = []
    for i, actor in enumerate(annotation.actors):
        alias_spans: set[Span] = set()
        for alias in actor.aliases:
            found = find_all(text, alias)
            if not found:
                raise _not_found(path, line, f"actors.{i}.aliases", actor.actor, alias)
            alias_spans.update(found)
        evidence_spans = []
        for evidence in actor.evidence:
            start = text.find(evidence)
            if start < 0:
                raise _not_found(path, line, f"actors.{i}.evidence", actor.actor, evidence)
            evidence_spans.append((start, start + len(evidence)))
        actors.append(
            StandoffActor(
                actor=actor.actor,
                type=actor.type,
                stance=actor.stance,
                sentiment=actor.sentiment,
                alias_spans=sorted(alias_spans),
                evidence_spans=evidence_spans,
            )
        )
    return StandoffDocument(
        doc_id=annotation.doc_id,
        lang=annotation.lang,
        text_sha256=text_sha256(text),
        actors=actors,
    )


def _not_found(path: str | Path, line: int, field: str, actor: str, needle: str) -> DataError:
    return DataError(path, line, field, f"{needle!r} of actor {actor!r} not found in the text")


def join(
    record: StandoffDocument,
    text: str,
    *,
    split: str,
    title: str | None,
    path: str | Path,
    line: int,
) -> GoldDocument:
    """Resolve offsets against `text`; aliases come out in order of first occurrence."""
    actual = text_sha256(text)
    if actual != record.text_sha256:
        raise DataError(
            path,
            line,
            "text_sha256",
            f"{record.doc_id}: the text has sha256 {actual}, the labels expect "
            f"{record.text_sha256} (the text changed since it was labelled)",
        )
    actors = []
    for i, actor in enumerate(record.actors):
        for field in ("alias_spans", "evidence_spans"):
            for j, (start, end) in enumerate(getattr(actor, field)):
                if end > len(text):
                    raise DataError(
                        path,
                        line,
                        f"actors.{i}.{field}.{j}",
                        f"span [{start}, {end}] lies outside the text of {record.doc_id} "
                        f"({len(text)} characters)",
                    )
        actors.append(
            GoldActor(
                actor=actor.actor,
                type=actor.type,
                aliases=list(dict.fromkeys(text[s:e] for s, e in actor.alias_spans)),
                stance=actor.stance,
                sentiment=actor.sentiment,
                evidence=[text[s:e] for s, e in actor.evidence_spans],
                alias_spans=actor.alias_spans,
                evidence_spans=actor.evidence_spans,
            )
        )
    return GoldDocument(
        doc_id=record.doc_id,
        lang=record.lang,
        text=text,
        title=title,
        split=split,
        actors=actors,
    )


def convert_file(src: Path, texts: Mapping[str, str], dest: Path) -> int:
    """Write the stand-off form of the exchange-form file `src` to `dest`; returns the
    number of documents converted.

    Records already in `dest` that came through the annotation loop (they carry
    `provenance`) and that `src` does not hold are kept after the converted ones: the
    exchange files hold the first corpus only."""
    records = []
    for line, annotation in read_records(src, DocumentAnnotation):
        if annotation.doc_id not in texts:
            raise DataError(src, line, "doc_id", f"no text for {annotation.doc_id!r}")
        records.append(to_standoff(annotation, texts[annotation.doc_id], src, line))
    converted = {r.doc_id for r in records}
    kept = [
        record
        for _, record in (read_records(dest, StandoffDocument) if dest.is_file() else [])
        if record.provenance is not None and record.doc_id not in converted
    ]
    write_jsonl(dest, [*records, *kept])
    return len(records)
