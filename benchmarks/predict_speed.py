"""Articles per second and peak memory of prediction over the train+dev documents.

    python benchmarks/predict_speed.py [--model models:/armstance@champion] [--batch-size 32]
        [--collections guardian,tagesschau]

Measures language detection alone, actor extraction alone, then the whole pipeline
(language given, as in a JSONL with `lang`), then the whole pipeline with language
detection, on the labelled documents, or those of `--collections` (the Guardian's long
English articles are the proxy for news; blind documents are never used here). Each pipeline
pass starts cold: the model is loaded afresh and no embedding is cached, as for a user's
first batch of new articles.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

from armstance.corpus import ensure_corpus, load_gold
from armstance.corpus.sources import of_collections
from armstance.models.embedding_head import make_encoder
from armstance.prediction.batch import predict_documents
from armstance.prediction.model_uri import load_pipeline
from armstance.schema import Document
from armstance.text.language import detect_language
from armstance.tracking.store import use_configured_uri


def rate(label: str, n: int, seconds: float) -> None:
    print(f"{label:<40} {n / seconds:8.1f} articles/s  ({n} in {seconds:.2f} s)")


def cold_pipeline(uri: str):
    """The model loaded afresh, its weights warm (loaded once per process) but no text
    embedded yet: encoders are rebuilt, so none remembers earlier vectors."""
    make_encoder.cache_clear()
    pipeline = load_pipeline(uri)
    warm_up = Document(doc_id="warm-up", text="Berlin sends more tanks to Kyiv.")
    pipeline.predict([warm_up])  # lazy loading of weights, regexes, the language detector
    make_encoder.cache_clear()
    return load_pipeline(uri)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models:/armstance@champion")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--collections", help="comma-separated doc_id prefixes (default: every labelled one)"
    )
    args = parser.parse_args()
    ensure_corpus()
    gold = [*load_gold("train"), *load_gold("dev")]
    if args.collections:
        try:
            gold = of_collections(gold, args.collections.split(","), "the labelled documents")
        except ValueError as exc:
            parser.error(str(exc))
    docs = [Document(doc_id=d.doc_id, lang=d.lang, text=d.text) for d in gold]
    use_configured_uri()
    pipeline = cold_pipeline(args.model)
    print(
        f"cores available: {len(os.sched_getaffinity(0))}, documents: {len(docs)}, "
        f"mean length {sum(len(d.text) for d in docs) / len(docs):.0f} chars"
    )

    started = time.perf_counter()
    for doc in docs:
        detect_language(doc.text)
    rate("language detection alone", len(docs), time.perf_counter() - started)

    started = time.perf_counter()
    for doc in docs:
        pipeline.extractor.extract(doc)
    rate("actor extraction alone", len(docs), time.perf_counter() - started)

    started = time.perf_counter()
    predict_documents(pipeline, docs, args.batch_size)
    rate("whole pipeline (lang given)", len(docs), time.perf_counter() - started)

    unlabelled = [d.model_copy(update={"lang": None}) for d in docs]
    pipeline = cold_pipeline(args.model)
    started = time.perf_counter()
    predict_documents(pipeline, unlabelled, args.batch_size)
    rate("whole pipeline (lang detected)", len(docs), time.perf_counter() - started)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
