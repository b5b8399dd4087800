"""Prediction over many documents in batches, with a progress bar."""

from __future__ import annotations

from collections.abc import Sequence

from tqdm.auto import tqdm

from armstance.errors import DocumentError
from armstance.pipeline import ArmstancePipeline
from armstance.schema import Document, DocumentPrediction


def predict_documents(
    pipeline: ArmstancePipeline, docs: Sequence[Document], batch_size: int = 32
) -> list[DocumentPrediction | DocumentError]:
    results: list[DocumentPrediction | DocumentError] = []
    with tqdm(total=len(docs), desc="predict", unit="doc", disable=len(docs) < batch_size) as bar:
        for start in range(0, len(docs), batch_size):
            batch = docs[start : start + batch_size]
            results += pipeline.predict(batch)
            bar.update(len(batch))
    return results
