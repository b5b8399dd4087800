"""Word and character n-gram TF-IDF over the actor-marked context, plus cross-lingual cue
features (models/cues.py), and logistic regression."""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Self

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from armstance.jsonl import atomic_writer
from armstance.models.base import UnitClassifier, Weights, check_fit_input
from armstance.models.cues import SENTENCE_SEPARATOR, cue_tokens
from armstance.models.persist import load_estimator, save_estimator
from armstance.schema import ACTOR_CLOSE, ACTOR_OPEN, Unit

ACTOR_TOKEN = "zzactorzz"
PIPELINE_FILE = "pipeline.skops"
VOCABULARY_FILE = "vocabulary.json"
_MARKED = re.compile(re.escape(ACTOR_OPEN) + r".*?" + re.escape(ACTOR_CLOSE))


def masked(text: str) -> str:
    """Each marked mention becomes one placeholder: "zzactorzz liefert Panzer" then
    generalises across actors."""
    return _MARKED.sub(f" {ACTOR_TOKEN} ", text).lower()


def unmarked(text: str) -> str:
    """Markers dropped: the actor's name itself becomes a feature."""
    return text.replace(ACTOR_OPEN, "").replace(ACTOR_CLOSE, "").lower()


# Featurisers fitted on the same training texts with the same settings are the same:
# cross-validation and model selection refit the classifier on identical training sets
# many times (other C, other class weights), so the fitted features are kept per process.
FEATURE_CACHE_SIZE = 8
_features: OrderedDict[tuple, tuple[FeatureUnion, object]] = OrderedDict()


def _fitted_features(build, texts: list[str], settings: tuple) -> tuple[FeatureUnion, object]:
    """(fitted FeatureUnion, training matrix) for `texts`, built by `build` once per process."""
    digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()
    key = (digest, settings)
    if key in _features:
        _features.move_to_end(key)
        return _features[key]
    features = build()
    matrix = features.fit_transform(texts)
    _features[key] = (features, matrix)
    while len(_features) > FEATURE_CACHE_SIZE:
        _features.popitem(last=False)
    return features, matrix


def unit_input(unit: Unit) -> str:
    """What the vectorizers see: marked sentences, one a line (the cue analyzer needs both)."""
    return SENTENCE_SEPARATOR.join(unit.marked_sentences)


class TfidfLogReg(UnitClassifier):
    def __init__(
        self,
        labels: Sequence[str],
        C: float = 1.0,
        class_weight: str | None = "balanced",
        word_ngrams: Sequence[int] = (1, 2),
        char_ngrams: Sequence[int] = (2, 5),
        min_df: int = 1,
        max_features: int | None = 200_000,
        mask_actor: bool = True,
        cues: bool = True,
        cue_weight: float = 1.0,
        seed: int = 0,
    ):
        super().__init__(labels)
        self.params = {
            "C": float(C),
            "class_weight": class_weight,
            "word_ngrams": list(word_ngrams),
            "char_ngrams": list(char_ngrams),
            "min_df": int(min_df),
            "max_features": max_features,
            "mask_actor": bool(mask_actor),
            "cues": bool(cues),
            "cue_weight": float(cue_weight),
            "seed": int(seed),
        }
        self.pipeline: Pipeline | None = None

    def _features(self) -> FeatureUnion:
        p = self.params
        text = masked if p["mask_actor"] else unmarked
        common = {"min_df": p["min_df"], "max_features": p["max_features"], "sublinear_tf": True}
        parts = [
            (
                "word",
                TfidfVectorizer(preprocessor=text, ngram_range=tuple(p["word_ngrams"]), **common),
            ),
            (
                "char",
                TfidfVectorizer(
                    preprocessor=text,
                    analyzer="char_wb",
                    ngram_range=tuple(p["char_ngrams"]),
                    **common,
                ),
            ),
        ]
        weights = {"word": 1.0, "char": 1.0}
        if p["cues"]:
            parts.append(("cues", CountVectorizer(analyzer=cue_tokens, binary=True)))
            weights["cues"] = p["cue_weight"]
        return FeatureUnion(parts, transformer_weights=weights)

    def _feature_settings(self) -> tuple:
        keys = ("word_ngrams", "char_ngrams", "min_df", "max_features", "mask_actor", "cues")
        return (*(str(self.params[k]) for k in keys), self.params["cue_weight"])

    def _texts(self, units: Sequence[Unit]) -> list[str]:
        return [unit_input(u) for u in units]

    def fit(self, units: Sequence[Unit], y: Sequence[str], sample_weight: Weights = None) -> Self:
        check_fit_input(units, y, self.labels, sample_weight)
        p = self.params
        features, matrix = _fitted_features(
            self._features, self._texts(units), self._feature_settings()
        )
        clf = LogisticRegression(
            C=p["C"], class_weight=p["class_weight"], max_iter=2000, random_state=p["seed"]
        ).fit(matrix, list(y), sample_weight=None if sample_weight is None else list(sample_weight))
        self.pipeline = Pipeline([("features", features), ("clf", clf)])
        return self

    def predict_proba(self, units: Sequence[Unit]) -> np.ndarray:
        if self.pipeline is None:
            raise RuntimeError("TfidfLogReg is not fitted")
        if not units:
            return np.zeros((0, len(self.labels)))
        raw = self.pipeline.predict_proba(self._texts(units))
        # A class absent from the training fold gets probability 0, in the fixed label order.
        out = np.zeros((len(units), len(self.labels)))
        for j, label in enumerate(self.pipeline.classes_):
            out[:, self.labels.index(label)] = raw[:, j]
        return out

    def save_files(self, path: Path) -> dict:
        if self.pipeline is None:
            raise RuntimeError("TfidfLogReg is not fitted")
        # skops writes each vocabulary entry as a JSON node of its own (about 60 MB and 15 s
        # to load for the default model): the vocabularies go to a JSON file of term lists,
        # and the skops file holds the rest.
        vectorizers = _vectorizers(self.pipeline)
        vocabularies = {name: v.vocabulary_ for name, v in vectorizers.items()}
        with atomic_writer(path / VOCABULARY_FILE) as fh:
            json.dump(
                {name: sorted(voc, key=voc.__getitem__) for name, voc in vocabularies.items()}, fh
            )
        for vectorizer in vectorizers.values():
            del vectorizer.vocabulary_
        try:
            save_estimator(self.pipeline, path / PIPELINE_FILE)
        finally:
            for name, vectorizer in vectorizers.items():
                vectorizer.vocabulary_ = vocabularies[name]
        return {"labels": list(self.labels), **self.params}

    @classmethod
    def load_files(cls, path: Path, params: dict) -> Self:
        model = cls(**params)
        model.pipeline = load_estimator(path / PIPELINE_FILE)
        terms = json.loads((path / VOCABULARY_FILE).read_text(encoding="utf-8"))
        vectorizers = _vectorizers(model.pipeline)
        if set(terms) != set(vectorizers):
            raise ValueError(
                f"{path / VOCABULARY_FILE}: vocabularies {sorted(terms)} do not match the "
                f"vectorizers {sorted(vectorizers)} of {path / PIPELINE_FILE}"
            )
        for name, vectorizer in vectorizers.items():
            vectorizer.vocabulary_ = {term: i for i, term in enumerate(terms[name])}
        return model


def _vectorizers(pipeline: Pipeline) -> dict[str, CountVectorizer]:
    """The fitted vectorizers of a pipeline built by TfidfLogReg, by name."""
    return dict(pipeline.named_steps["features"].transformer_list)
