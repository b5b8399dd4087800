"""`armstance data fetch | catalog | convert-labels | folds`."""

from __future__ import annotations

import argparse
import logging
import os
from collections import Counter
from pathlib import Path

from armstance import paths
from armstance.corpus.fetch import MIRROR_ENV, default_sources_dir, fetch_sources
from armstance.corpus.folds import load_folds, write_folds
from armstance.corpus.load import (
    SEED_LABELS_SUFFIX,
    SPLITS,
    load_gold,
    raw_documents,
    read_seed_text,
)
from armstance.corpus.manifests import (
    MANIFEST,
    manifest_sources,
    replace_collection,
    write_catalog,
)
from armstance.corpus.rebuild import ensure_corpus, rebuild_raw
from armstance.corpus.sources import load_catalog
from armstance.corpus.standoff import convert_file
from armstance.errors import DataError
from armstance.jsonl import read_records
from armstance.schema import DocumentAnnotation


def add_commands(sub: argparse._SubParsersAction) -> None:
    data = sub.add_parser(
        "data",
        help="fetch the corpus, convert labels, make folds",
        description="Bring the corpus onto this machine and maintain its committed files: the "
        "pinned sources, the stand-off labels and the folds.\n\n"
        "Example:\n\n  armstance data fetch --mirror ../shared/data/sources",
    )
    commands = data.add_subparsers(dest="data_command", required=True)

    fetch = commands.add_parser(
        "fetch",
        help="fetch the pinned sources, rebuild data/raw, verify the labels' texts",
        description="Download every source pinned in data/sources.yaml (or copy it from a "
        "mirror folder), check its sha256, rebuild the documents under data/raw/ and check "
        "that every committed label's text hash matches.\n\n"
        "Example (offline, from a copy of the sources):\n\n"
        "  armstance data fetch --mirror ../shared/data/sources",
    )
    fetch.add_argument(
        "--mirror", type=Path, help=f"folder holding the source files (default: ${MIRROR_ENV})"
    )
    fetch.set_defaults(func=run_fetch)

    catalog = commands.add_parser(
        "catalog",
        help="list every file (or pinned line) of a mirror folder in data/sources.yaml, from "
        "its manifest.jsonl",
        description="Write the generated entries of data/sources.yaml for one folder of the "
        "mirror, from the folder's manifest.jsonl (`make catalog` does every folder).\n\n"
        'Example:\n\n  armstance data catalog bundestag --licence "official parliamentary '
        'records"',
    )
    catalog.add_argument("folder", help="the folder under the mirror, e.g. bundestag")
    catalog.add_argument("--licence", required=True, help="licence line of every file")
    catalog.add_argument(
        "--mirror", type=Path, help=f"folder holding the source files (default: ${MIRROR_ENV})"
    )
    catalog.set_defaults(func=run_catalog)

    convert = commands.add_parser(
        "convert-labels",
        help="write stand-off labels from exchange-form annotation files",
        description="Turn annotation files in the exchange format of the guidelines (§6: "
        "aliases and evidence as strings) into the committed stand-off labels (character "
        "offsets and text hashes).\n\n"
        "Example:\n\n  armstance data convert-labels --src annotation/exchange/",
    )
    convert.add_argument(
        "--src",
        type=Path,
        required=True,
        help="folder with train.jsonl, dev.jsonl, second_annotator.jsonl, seed.jsonl",
    )
    convert.add_argument(
        "--seed-text",
        type=Path,
        help="the seed article; its labels are written beside it (default: the only seeds/*.txt)",
    )
    convert.set_defaults(func=run_convert_labels)

    folds = commands.add_parser(
        "folds",
        help="regenerate or extend data/folds.json",
        description="Assign the labelled documents to the five cross-validation folds "
        "(grouped by document, speaker or week). --extend places new documents and moves "
        "none that already has a fold.\n\n"
        "Example:\n\n  armstance data folds --extend",
    )
    folds.add_argument(
        "--extend",
        action="store_true",
        help="add folds for labelled documents not yet in folds.json; none of them moves",
    )
    folds.set_defaults(func=run_folds)


def run_fetch(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sources_dir = default_sources_dir()
    fetch_sources(sources_dir, mirror=args.mirror)
    counts = rebuild_raw(sources_dir)
    for name, count in counts.items():
        print(f"rebuilt {paths.raw_dir() / name}.jsonl: {count} documents")
    for split in SPLITS:
        print(f"verified {split}: {len(load_gold(split))} labelled documents match their texts")
    return 0


def run_catalog(args: argparse.Namespace) -> int:
    mirror = args.mirror or os.environ.get(MIRROR_ENV)
    if not mirror:
        raise DataError(MIRROR_ENV, None, None, f"pass --mirror or set {MIRROR_ENV}")
    manifest = Path(mirror) / args.folder / MANIFEST
    sources = manifest_sources(args.folder, manifest, args.licence)
    path = write_catalog(replace_collection(load_catalog(), args.folder, sources))
    lines = sum(s.line is not None for s in sources)
    what = f"{len(sources) - lines} files" + (f" and {lines} lines" if lines else "")
    print(f"wrote {path}: {what} of {args.folder}/ from {manifest}")
    return 0


def run_convert_labels(args: argparse.Namespace) -> int:
    raw = raw_documents(ensure_corpus())
    texts = {doc_id: doc.text for doc_id, doc in raw.items()}
    for split in ("train", "dev", "second_annotator"):
        dest = paths.annotations_dir() / f"{split}.jsonl"
        count = convert_file(args.src / f"{split}.jsonl", texts, dest)
        print(f"wrote {dest}: {count} documents")
    seed_text = args.seed_text or _only_seed_text()
    seed_src = args.src / "seed.jsonl"
    # Every document of seed.jsonl is the seed article, whatever its doc_id.
    text = read_seed_text(seed_text)
    seed_texts = {a.doc_id: text for _, a in read_records(seed_src, DocumentAnnotation)}
    dest = seed_text.with_name(seed_text.stem + SEED_LABELS_SUFFIX)
    print(f"wrote {dest}: {convert_file(seed_src, seed_texts, dest)} documents")
    return 0


def _only_seed_text() -> Path:
    found = sorted(paths.seeds_dir().glob("*.txt"))
    if len(found) != 1:
        raise DataError(
            paths.seeds_dir(), None, None, f"expected one seed article, found {len(found)}"
        )
    return found[0]


def run_folds(args: argparse.Namespace) -> int:
    path = write_folds(extend=args.extend)
    sizes = Counter(load_folds(path).values())
    print(f"wrote {path}: " + ", ".join(f"fold {f}: {n} docs" for f, n in sorted(sizes.items())))
    return 0
