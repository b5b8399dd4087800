"""Actor extraction precision, recall and F1 against gold documents.

A predicted actor matches a gold actor of the same document when their canonical names are
equal after NFKC, casefold and ’ -> ' or, failing that, when one of its mentions overlaps
one of the gold actor's alias spans. Precision = predicted actors that match some gold
actor / predicted actors; recall = gold actors matched by some predicted actor / gold
actors; both micro-averaged over documents. Unlike the e2e stance score, precision here
counts every predicted actor: it measures the extractor alone.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from typing import Protocol

from armstance.schema import LANGS, Document, ExtractedActor, GoldActor, GoldDocument


class Extractor(Protocol):
    def extract(self, doc: Document) -> list[ExtractedActor]: ...


def canonical_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold().replace("’", "'")


def actor_matches(pred: ExtractedActor, gold: GoldActor) -> bool:
    if canonical_key(pred.actor) == canonical_key(gold.actor):
        return True
    return any(m.start < e and s < m.end for m in pred.mentions for s, e in gold.alias_spans)


def _counts(doc: GoldDocument, predicted: list[ExtractedActor]) -> tuple[int, int, int, int]:
    hit_pred = sum(any(actor_matches(p, g) for g in doc.actors) for p in predicted)
    hit_gold = sum(any(actor_matches(p, g) for p in predicted) for g in doc.actors)
    return hit_pred, len(predicted), hit_gold, len(doc.actors)


def _prf(counts: Iterable[tuple[int, int, int, int]]) -> tuple[float, float, float]:
    hit_pred = n_pred = hit_gold = n_gold = 0
    for a, b, c, d in counts:
        hit_pred, n_pred, hit_gold, n_gold = hit_pred + a, n_pred + b, hit_gold + c, n_gold + d
    precision = hit_pred / n_pred if n_pred else math.nan
    recall = hit_gold / n_gold if n_gold else math.nan
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else math.nan
    return precision, recall, f1


def actor_scores(gold_docs: list[GoldDocument], extractor: Extractor) -> dict[str, float]:
    """`actor_precision`, `actor_recall`, `actor_f1`, and each with `_de`, `_en`, `_fr`.

    A language without documents gets NaN, so every call returns the same keys.
    """
    per_doc = []
    for doc in gold_docs:
        predicted = extractor.extract(Document(doc_id=doc.doc_id, lang=doc.lang, text=doc.text))
        per_doc.append((doc.lang, _counts(doc, predicted)))
    scores: dict[str, float] = {}
    for suffix, langs in [("", LANGS), *((f"_{lang}", (lang,)) for lang in LANGS)]:
        p, r, f = _prf(c for lang, c in per_doc if lang in langs)
        scores |= {
            f"actor_precision{suffix}": p,
            f"actor_recall{suffix}": r,
            f"actor_f1{suffix}": f,
        }
    return scores
