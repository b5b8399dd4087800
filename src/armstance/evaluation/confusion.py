"""The stance confusion matrix of the actors a model lists, for correcting corpus shares.

A corpus analysis counts the stances of the actors the model *extracted*; a gold actor the
extractor missed never reaches it. So the matrix that describes its errors is the e2e
alignment restricted to predicted actors: matched ones with their gold stance, extra ones
with gold `none` (DESIGN.md, Scoring). Rows are gold, columns predicted, in STANCES order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from armstance.errors import DataError
from armstance.evaluation.scoring import aligned_rows
from armstance.schema import STANCES, DocumentPrediction, GoldDocument

ARTIFACT = "cv_e2e_stance_confusion.json"


@dataclass(frozen=True)
class Confusion:
    """Counts, gold rows by predicted columns, over STANCES; `source` says where from."""

    counts: np.ndarray
    source: str

    def rates(self) -> np.ndarray:
        """M[i, j] = P(predicted j | gold i); a gold class never seen keeps a row of 0."""
        totals = self.counts.sum(axis=1, keepdims=True)
        out = np.zeros_like(self.counts, dtype=float)
        return np.divide(self.counts, totals, out=out, where=totals > 0)

    def precision_recall(self) -> dict[str, tuple[float | None, float | None]]:
        out = {}
        for k, label in enumerate(STANCES):
            predicted, gold = self.counts[:, k].sum(), self.counts[k].sum()
            hit = self.counts[k, k]
            out[label] = (hit / predicted if predicted else None, hit / gold if gold else None)
        return out

    def to_json(self) -> str:
        counts = self.counts.astype(int).tolist()
        payload = {"labels": list(STANCES), "counts": counts, "source": self.source}
        return json.dumps(payload, indent=1)

    @classmethod
    def from_json(cls, text: str, where: str) -> Confusion:
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError(where, None, None, f"malformed JSON ({exc.msg})") from exc
        if not isinstance(payload, dict) or payload.get("labels") != list(STANCES):
            raise DataError(where, None, "labels", f"expected {list(STANCES)}")
        counts = np.asarray(payload.get("counts"), dtype=float)
        if counts.shape != (len(STANCES), len(STANCES)) or (counts < 0).any():
            raise DataError(where, None, "counts", "expected a 3x3 matrix of counts >= 0")
        return cls(counts, str(payload.get("source") or where))


def predicted_actor_confusion(
    gold: Sequence[GoldDocument], predictions: Sequence[DocumentPrediction], source: str
) -> Confusion:
    """The confusion of the predicted actors of the documents both name (e2e alignment)."""
    predicted = {p.doc_id for p in predictions}
    gold = [d for d in gold if d.doc_id in predicted]
    wanted = {d.doc_id for d in gold}
    alignment = aligned_rows(
        [d.to_annotation() for d in gold],
        [p for p in predictions if p.doc_id in wanted],
        {d.doc_id: d.text for d in gold},
        "e2e",
    )
    counts = np.zeros((len(STANCES), len(STANCES)))
    for row in alignment.rows:
        if row.pred_actor is not None:
            counts[STANCES.index(row.gold_stance), STANCES.index(row.pred_stance)] += 1
    return Confusion(counts, source)


def read_confusion(path: str | Path) -> Confusion:
    path = Path(path)
    if not path.is_file():
        raise DataError(path, None, None, "no such confusion file")
    return Confusion.from_json(path.read_text(encoding="utf-8"), str(path))
