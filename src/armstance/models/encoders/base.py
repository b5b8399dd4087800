"""Text encoders behind one small interface, and the embedder that adds the cache."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from armstance.models.encoders.cache import EmbeddingCache

BATCH = 64
PROGRESS_MIN = 256  # texts; fewer embed in a few seconds, without a progress bar
RECENT = 20_000  # vectors kept in memory per encoder


class RecentVectors:
    """The vectors an encoder produced last, in memory: the stance and the sentiment
    classifier of one pipeline read the same sentences, so the second pays nothing."""

    def __init__(self, size: int = RECENT):
        self.size = size
        self.vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        found = {t: self.vectors[t] for t in texts if t in self.vectors}
        for t in found:
            self.vectors.move_to_end(t)
        return found

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        for t, v in zip(texts, vectors, strict=True):
            self.vectors[t] = v
            self.vectors.move_to_end(t)
        while len(self.vectors) > self.size:
            self.vectors.popitem(last=False)


class TextEncoder(ABC):
    """Maps texts to L2-normalised float32 vectors of `dim` dimensions."""

    dim: int

    def __init__(self) -> None:
        self.recent = RecentVectors()

    @property
    @abstractmethod
    def id(self) -> str:
        """Names the encoder and its settings: cache entries of another id never mix."""

    @abstractmethod
    def encode_batch(self, texts: list[str]) -> np.ndarray: ...

    def batch_key(self, text: str) -> object:
        """Texts are encoded in the order of their keys: equal or near keys share work."""
        return text

    def sentence_part(self, vectors: np.ndarray) -> np.ndarray:
        """The sentence vectors inside this encoder's vectors (all of them, unless the
        encoder puts more beside them)."""
        return vectors


class Embedder:
    """An encoder with an optional on-disk cache; each distinct text is encoded once, in
    batches, and each batch is cached as soon as it is done (an interrupted run keeps
    what it computed)."""

    def __init__(self, encoder: TextEncoder, cache_path: str | Path | None = None):
        self.encoder = encoder
        self.cache = EmbeddingCache(cache_path) if cache_path else None

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        distinct = list(dict.fromkeys(texts))
        known = self.encoder.recent.get(distinct)
        if self.cache:
            known |= self.cache.get(self.encoder.id, [t for t in distinct if t not in known])
        missing = sorted((t for t in distinct if t not in known), key=self.encoder.batch_key)
        starts = range(0, len(missing), BATCH)
        if len(missing) >= PROGRESS_MIN:
            starts = tqdm(starts, desc=f"embedding ({self.encoder.id})", unit="batch")
        for start in starts:
            batch = missing[start : start + BATCH]
            vectors = self.encoder.encode_batch(batch)
            if self.cache:
                self.cache.put(self.encoder.id, batch, vectors)
            known.update(zip(batch, vectors, strict=True))
        self.encoder.recent.put(distinct, np.stack([known[t] for t in distinct]))
        out = np.zeros((len(texts), self.encoder.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = known[text]
        return out
