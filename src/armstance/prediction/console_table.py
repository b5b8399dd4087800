"""The readable form of predictions: one table per document, optionally beside gold labels.

With gold labels, predicted actors are paired with gold ones by the scoring matcher
(`match_actors`, e2e), so the table shows exactly what the protocol would count: agreeing
labels, gold actors the extractor missed, and extracted actors the annotators did not list
(which the protocol scores as gold `none`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from armstance.corpus.standoff import text_sha256
from armstance.evaluation.matcher import match_actors
from armstance.jsonl import read_records
from armstance.schema import (
    ActorAnnotation,
    ActorJudgement,
    Document,
    DocumentAnnotation,
    DocumentPrediction,
)

MISSING = "—"


@dataclass(frozen=True)
class Line:
    """One table line: a predicted actor, a gold actor, or a matched pair of both."""

    pred: ActorJudgement | None
    gold: ActorAnnotation | None


def gold_for_inputs(docs: Sequence[Document], ref: str | Path) -> dict[str, list[ActorAnnotation]]:
    """Gold actors of the input documents, keyed by the input's doc_id.

    `ref` is an exchange-form gold JSONL (joined on doc_id) or `split:NAME[,NAME]` for the
    project's labelled documents, joined on doc_id or, failing that, on the text itself: a
    `.txt` input is named after its file, not after the doc_id of its labels.
    """
    if str(ref).startswith("split:"):
        from armstance.corpus.load import load_split_ref

        labelled = load_split_ref(str(ref))
        by_key = {d.doc_id: d.to_annotation() for d in labelled}
        by_key |= {text_sha256(d.text): d.to_annotation() for d in labelled}
        keys = {doc.doc_id: (doc.doc_id, text_sha256(doc.text)) for doc in docs}
    else:
        by_key = {d.doc_id: d for _, d in read_records(Path(ref), DocumentAnnotation)}
        keys = {doc.doc_id: (doc.doc_id,) for doc in docs}
    out = {}
    for doc_id, candidates in keys.items():
        found = next((by_key[k] for k in candidates if k in by_key), None)
        if found is not None:
            out[doc_id] = found.actors
    return out


def lines(doc: DocumentPrediction, gold: Sequence[ActorAnnotation] | None, text: str) -> list[Line]:
    """Predicted actors in the model's order with their gold match, then missed gold actors."""
    if gold is None:
        return [Line(j, None) for j in doc.actors]
    matching = match_actors(gold, doc.actors, text)
    gold_of = {j: i for i, j in matching.pairs}
    out = [Line(j, gold[gold_of[n]] if n in gold_of else None) for n, j in enumerate(doc.actors)]
    return out + [Line(None, gold[i]) for i in matching.unmatched_gold]


def _shorten(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _summary(rows: Sequence[Line]) -> str:
    matched = [r for r in rows if r.pred and r.gold]
    stance = sum(r.pred.stance == r.gold.stance for r in matched)
    sentiment = sum(r.pred.sentiment == r.gold.sentiment for r in matched)
    missed = sum(r.pred is None for r in rows)
    extra = sum(r.gold is None for r in rows)
    return (
        f"gold: {len(matched)} actors matched (stance agrees on {stance}, sentiment on"
        f" {sentiment}), {missed} missed, {extra} not in gold"
    )


def document_table(
    doc: DocumentPrediction,
    rows: Sequence[Line],
    with_gold: bool,
    evidence_chars: int | None = None,
) -> Table:
    title = f"{doc.doc_id} ({doc.lang}): {len(doc.actors)} actors"
    table = Table(title=title, caption=_summary(rows) if with_gold else None, expand=True)
    columns = ["actor", "type", "stance", "p", "gold stance", "sentiment", "p ", "gold sent."]
    if not with_gold:
        columns = [c for c in columns if not c.startswith("gold")]
    for column in [*columns, "evidence"]:
        table.add_column(column, overflow="fold", ratio=4 if column == "evidence" else None)
    for row in rows:
        j, g = row.pred, row.gold
        cells = {
            "actor": j.actor if j else f"{g.actor} (missed)",
            "type": (j or g).type,
            "stance": j.stance if j else MISSING,
            "p": f"{j.stance_proba[j.stance]:.2f}" if j else "",
            "gold stance": g.stance if g else MISSING,
            "sentiment": j.sentiment if j else MISSING,
            "p ": f"{j.sentiment_proba[j.sentiment]:.2f}" if j else "",
            "gold sent.": g.sentiment if g else MISSING,
        }
        evidence = _shorten(" | ".join(j.evidence), evidence_chars) if j else ""
        disagrees = with_gold and (j is None or g is None or j.stance != g.stance)
        table.add_row(*(cells[c] for c in columns), evidence, style="red" if disagrees else None)
    return table


def render(
    predictions: Sequence[DocumentPrediction],
    console: Console,
    docs: Sequence[Document],
    gold: Mapping[str, list[ActorAnnotation]] | None = None,
    evidence_chars: int | None = None,
) -> None:
    """Print one table per document; with `gold`, gold columns and a matching summary."""
    texts = {d.doc_id: d.text for d in docs}
    for doc in predictions:
        doc_gold = gold.get(doc.doc_id) if gold is not None else None
        rows = lines(doc, doc_gold, texts.get(doc.doc_id, ""))
        console.print(document_table(doc, rows, doc_gold is not None, evidence_chars))
