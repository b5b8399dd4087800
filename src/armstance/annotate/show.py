"""Documents as an annotator reads them outside Label Studio: the rebuilt text with its
metadata and, on request, what the annotator is allowed to see beside it.

`candidates`: the actor extractor's candidates (canonical name, type, surface forms; no
stance, no sentiment), the pre-annotation of a model-assisted first pass. `labels`: a
pass's labels in the exchange format, which a revision under a newer guidelines version
starts from. A second annotation sees neither.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from armstance.annotate.sources import SourceDocument
from armstance.schema import DocumentAnnotation, ExtractedActor

RULE = "=" * 100


def candidate_lines(actors: Sequence[ExtractedActor]) -> list[str]:
    """One line per candidate: name, type and its distinct surface forms in text order."""
    return [
        f"- {a.actor} ({a.type}): " + " | ".join(dict.fromkeys(m.surface for m in a.mentions))
        for a in actors
    ]


def sheet(
    doc: SourceDocument,
    candidates: Sequence[ExtractedActor] | None = None,
    labels: DocumentAnnotation | None = None,
) -> str:
    """The document's text between rules, headed by its metadata, then what may be shown."""
    meta: Mapping[str, str | None] = {
        "doc_id": doc.doc_id,
        "lang": doc.lang,
        "date": doc.date.isoformat() if doc.date else None,
        "speaker": doc.speaker,
        "party": doc.party,
        "characters": str(len(doc.doc.text)),
    }
    head = " · ".join(f"{k}: {v}" for k, v in meta.items() if v)
    parts = [RULE, head, RULE, doc.doc.text, RULE]
    if candidates is not None:
        parts += ["candidate actors (extractor; no stance or sentiment):"]
        parts += candidate_lines(candidates) or ["(none found)"]
    if labels is not None:
        parts += ["labels (exchange format):"]
        parts += [json.dumps(a.model_dump(mode="json"), ensure_ascii=False) for a in labels.actors]
    return "\n".join(parts) + "\n"
