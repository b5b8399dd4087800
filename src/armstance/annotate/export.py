"""Label Studio tasks (JSON import format) for documents of the annotatable sources.

With a pipeline, each task carries its judgements as pre-annotations: every mention of
every extracted actor (every occurrence of every alias, as the stand-off converter
counts them) with the actor's type and name, stance and sentiment on its first mention,
and its evidence spans. Without one (a second annotator), tasks carry the text alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from mlflow.tracking import MlflowClient

from armstance.annotate.sources import SourceDocument
from armstance.annotate.tasks import EVIDENCE, Region, to_results
from armstance.corpus.standoff import find_all, text_sha256
from armstance.jsonl import atomic_writer
from armstance.schema import DocumentPrediction


def heading(doc: SourceDocument) -> str:
    """What the annotator reads above the text: id, speaker and party, date, title."""
    who = doc.speaker or ""
    if doc.party:
        who = f"{who} ({doc.party})" if who else doc.party
    parts = [doc.doc_id, who, doc.date.isoformat() if doc.date else "", doc.doc.title or ""]
    return " · ".join(p for p in parts if p)


def task_data(doc: SourceDocument) -> dict:
    data = {
        "doc_id": doc.doc_id,
        "lang": doc.lang,
        "heading": heading(doc),
        "text": doc.doc.text,
        # The importer checks labels against the text they were made on.
        "text_sha256": text_sha256(doc.doc.text),
        "source": doc.source,
        "title": doc.doc.title,
        "speaker": doc.speaker,
        "party": doc.party,
        "date": doc.date.isoformat() if doc.date else None,
    }
    return {k: v for k, v in data.items() if v is not None}


def prediction_regions(prediction: DocumentPrediction, text: str) -> list[Region]:
    regions: list[Region] = []
    evidence: dict[tuple[int, int], Region] = {}
    for i, actor in enumerate(prediction.actors):
        spans = sorted({span for alias in actor.aliases for span in find_all(text, alias)})
        for j, (start, end) in enumerate(spans):
            first = j == 0
            regions.append(
                Region(
                    id=f"a{i}m{j}",
                    start=start,
                    end=end,
                    text=text[start:end],
                    label=actor.type,
                    names=[actor.actor],
                    stance=actor.stance if first else None,
                    sentiment=actor.sentiment if first else None,
                )
            )
        for sentence in actor.evidence:
            start = text.find(sentence)
            if start < 0:
                raise ValueError(f"{prediction.doc_id}: evidence {sentence[:60]!r} not in the text")
            span = (start, start + len(sentence))
            if span not in evidence:
                evidence[span] = Region(f"e{len(evidence)}", *span, sentence, label=EVIDENCE)
            # One evidence sentence often supports several actors: one region names them all.
            evidence[span].names.append(actor.actor)
    return regions + list(evidence.values())


def to_task(
    doc: SourceDocument, prediction: DocumentPrediction | None, model_version: str | None
) -> dict:
    task: dict = {"data": task_data(doc)}
    if prediction is not None:
        regions = prediction_regions(prediction, doc.doc.text)
        task["predictions"] = [
            {"model_version": model_version, "result": to_results(regions, doc.doc.text)}
        ]
    return task


def write_tasks(path: Path, tasks: Sequence[dict]) -> None:
    """One JSON array, the form Label Studio imports; written atomically."""
    with atomic_writer(path) as fh:
        json.dump(list(tasks), fh, ensure_ascii=False, indent=1)
        fh.write("\n")


def model_version(uri: str) -> str:
    """The URI, with the registry version an alias points at when it is one
    (`models:/armstance@champion (version 3)`): an alias moves, a version does not."""
    name, _, alias = uri.removeprefix("models:/").partition("@")
    if not uri.startswith("models:/") or not alias:
        return uri
    return f"{uri} (version {MlflowClient().get_model_version_by_alias(name, alias).version})"
