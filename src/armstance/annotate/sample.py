"""The seeded sample of labelled documents that a second annotator labels independently."""

from __future__ import annotations

import random
from collections.abc import Collection

from armstance.annotate.sources import source_of
from armstance.annotate.splits import FIRST_PASS, SECOND, labelled_ids


def draw_second_sample(n: int, seed: int, sources: Collection[str] | None = None) -> list[str]:
    """`n` documents of the annotatable sources (of `sources` only, if given) with
    first-pass labels and no second annotation yet, drawn with `seed` from the sorted pool
    (so a draw reproduces)."""
    pool = sorted(
        doc_id
        for doc_id, splits in labelled_ids().items()
        if (source := source_of(doc_id))
        and (sources is None or source in sources)
        and set(splits) & set(FIRST_PASS)
        and SECOND not in splits
    )
    return sorted(random.Random(seed).sample(pool, min(n, len(pool))))
