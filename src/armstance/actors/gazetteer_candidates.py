"""Maintainer script: what the gazetteer misses on the training labels, and actor scores.

    python -m armstance.actors.gazetteer_candidates [--errors] [--timing]

Reads the train split and the seed only (the gazetteer may learn from nothing else, see
DESIGN.md "Leakage rules"). Prints each gold alias that no gazetteer hit of the same actor
overlaps in its document, with its canonical name and how often it occurs: candidates to
add by hand after checking that they are names, not descriptions (gold spans also count
an alias inside a longer word, so a few lines are noise). Then prints actor precision/recall per
language; `--errors` lists missed gold actors and unmatched predictions per document,
`--timing` the extraction time per document.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from armstance.actors.extractor import ActorExtractor
from armstance.actors.scoring import actor_matches, actor_scores
from armstance.corpus.load import load_gold
from armstance.schema import Document, GoldDocument

SPLITS = ("train", "seed")


def uncovered_aliases(docs: list[GoldDocument], extractor: ActorExtractor) -> Counter:
    missing: Counter = Counter()
    for doc in docs:
        hits = extractor.gazetteer.match(doc.text, doc.lang)
        for actor in doc.actors:
            found = [(h.start, h.end) for h in hits if h.entry.actor == actor.actor]
            for start, end in actor.alias_spans:
                if not any(s < end and start < e for s, e in found):
                    missing[(doc.lang, actor.actor, doc.text[start:end])] += 1
    return missing


def print_errors(docs: list[GoldDocument], extractor: ActorExtractor) -> None:
    for doc in docs:
        predicted = extractor.extract(Document(doc_id=doc.doc_id, lang=doc.lang, text=doc.text))
        missed = [g.actor for g in doc.actors if not any(actor_matches(p, g) for p in predicted)]
        extra = [p.actor for p in predicted if not any(actor_matches(p, g) for g in doc.actors)]
        if missed or extra:
            print(f"{doc.doc_id}: missed {missed} extra {extra}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true")
    parser.add_argument("--timing", action="store_true")
    args = parser.parse_args(argv)
    docs = [doc for split in SPLITS for doc in load_gold(split)]
    extractor = ActorExtractor()
    for (lang, actor, surface), n in sorted(uncovered_aliases(docs, extractor).items()):
        print(f"{lang}\t{actor}\t{surface}\t{n}")
    if args.errors:
        print_errors(docs, extractor)
    for name, value in actor_scores(docs, extractor).items():
        print(f"{name}\t{value:.3f}")
    if args.timing:
        inputs = [Document(doc_id=d.doc_id, lang=d.lang, text=d.text) for d in docs]
        extractor.extract(inputs[0])  # loads spaCy when the first document is French
        start = time.perf_counter()
        for doc in inputs:
            extractor.extract(doc)
        elapsed = time.perf_counter() - start
        print(f"ms_per_doc\t{1000 * elapsed / len(inputs):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
