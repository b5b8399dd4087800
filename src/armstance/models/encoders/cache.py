"""A text-keyed, on-disk cache of embeddings, shared by folds, runs and processes.

Cross-validation embeds the same sentences in every fold and every run; the cache makes
that a look-up. Keys are (encoder id, sha256 of the exact text), values float32 bytes, in
one SQLite file (WAL mode: parallel sweep jobs read and write it safely). Prediction never
needs it: a model without a cache embeds what it is given.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    encoder TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (encoder, text_sha256)
)
"""
LOOKUP_CHUNK = 500  # SQLite limits the number of bound parameters per statement


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    def get(self, encoder: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached vectors of `texts`, keyed by text; texts not cached are absent."""
        by_key = {text_key(t): t for t in texts}
        keys = list(by_key)
        found: dict[str, np.ndarray] = {}
        with self._connect() as db:
            for i in range(0, len(keys), LOOKUP_CHUNK):
                chunk = keys[i : i + LOOKUP_CHUNK]
                rows = db.execute(
                    "SELECT text_sha256, vector FROM embeddings WHERE encoder = ? AND "
                    f"text_sha256 IN ({','.join('?' * len(chunk))})",
                    [encoder, *chunk],
                )
                for key, blob in rows:
                    found[by_key[key]] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, encoder: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        rows = [
            (encoder, text_key(t), np.asarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        with self._connect() as db:
            db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)", rows)
