"""Similarity of a unit's sentences to short stance descriptions, as features.

The mention head pools a unit's sentence vectors by their mean, which dilutes the one
sentence that carries a warning or a refusal, often a sentence away from the name. Here
each context sentence is compared (cosine, the encoder's "query" side on both, as e5 does
for symmetric similarity) with a few hand-written descriptions of favour and of opposition
("refuses to deliver weapons to Ukraine"), and a unit gets the maximum and the mean of
each description's similarity over its sentences. The descriptions are fixed text, not
fitted; the features are standardised with the mean and spread of the training units
only, and those two arrays are saved with the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Self

import numpy as np

from armstance.models.persist import load_arrays, save_arrays

FILE = "stance_queries.safetensors"


class StanceQueries:
    """`features(groups)`: per unit, the max and the mean over its sentences of the cosine
    between each sentence vector and each description vector, standardised."""

    def __init__(self, descriptions: np.ndarray):
        if descriptions.ndim != 2 or len(descriptions) == 0:
            raise ValueError("stance queries need at least one description vector")
        self.descriptions = descriptions / np.linalg.norm(descriptions, axis=1, keepdims=True)
        self.mean: np.ndarray | None = None
        self.scale: np.ndarray | None = None

    def raw(self, sentences: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
        """(units x 2·descriptions): max, then mean, of the similarities over each unit's
        `sizes[i]` consecutive rows of `sentences` (unit-norm sentence vectors)."""
        sims = sentences @ self.descriptions.T
        out, start = [], 0
        for size in sizes:
            block = sims[start : start + size]
            out.append(np.concatenate([block.max(axis=0), block.mean(axis=0)]))
            start += size
        return np.stack(out) if out else np.zeros((0, 2 * len(self.descriptions)))

    def fit(self, sentences: np.ndarray, sizes: Sequence[int]) -> Self:
        raw = self.raw(sentences, sizes)
        self.mean = raw.mean(axis=0)
        # A description every training sentence matches equally carries no signal: scale 1.
        spread = raw.std(axis=0)
        self.scale = np.where(spread > 1e-8, spread, 1.0)
        return self

    def features(self, sentences: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
        if self.mean is None or self.scale is None:
            raise RuntimeError("StanceQueries is not fitted")
        return (self.raw(sentences, sizes) - self.mean) / self.scale

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        save_arrays({"mean": self.mean, "scale": self.scale}, path / FILE)

    def load_stats(self, path: Path) -> Self:
        arrays = load_arrays(path / FILE)
        self.mean, self.scale = arrays["mean"], arrays["scale"]
        return self
