"""Load gold labels joined to their texts, and raw documents, validating everything on load."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from armstance import paths
from armstance.corpus.rebuild import ensure_corpus
from armstance.corpus.standoff import join
from armstance.errors import DataError
from armstance.jsonl import read_records
from armstance.schema import Document, GoldDocument, StandoffDocument

if TYPE_CHECKING:
    from datasets import DatasetDict

SPLITS: tuple[str, ...] = ("train", "dev", "seed", "second_annotator")
SEED_LABELS_SUFFIX = ".labels.jsonl"


def labels_paths(split: str) -> list[Path]:
    """The committed stand-off files of a split (the seed split has one per seed article)."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
    if split == "seed":
        return sorted(paths.seeds_dir().glob(f"*{SEED_LABELS_SUFFIX}"))
    return [paths.annotations_dir() / f"{split}.jsonl"]


def seed_text_path(labels: Path) -> Path:
    """seeds/X.labels.jsonl labels the article seeds/X.txt."""
    return labels.with_name(labels.name.removesuffix(SEED_LABELS_SUFFIX) + ".txt")


def read_seed_text(path: Path) -> str:
    # Bytes decoded as they are: offsets index the file exactly, newlines included.
    return path.read_bytes().decode("utf-8")


def read_standoff(path: Path) -> list[tuple[int, StandoffDocument]]:
    """Validated stand-off records with their line numbers; a doc_id may appear only once."""
    records = read_records(path, StandoffDocument)
    seen: set[str] = set()
    for line, record in records:
        if record.doc_id in seen:
            raise DataError(path, line, "doc_id", f"duplicate doc_id {record.doc_id!r}")
        seen.add(record.doc_id)
    return records


def load_documents(path: Path) -> list[Document]:
    """Documents of one raw JSONL file (doc_id, lang, text, title, published)."""
    return [doc for _, doc in read_records(path, Document)]


def raw_documents(raw_dir: Path, doc_ids: Collection[str] | None = None) -> dict[str, Document]:
    """Documents of every raw file, or only of the files that can hold one of `doc_ids`: a
    doc_id starts with its raw file's stem, and most labels never refer to the 13 MB of
    speeches and briefings."""
    prefixes = None if doc_ids is None else {d.split("-", 1)[0] for d in doc_ids}
    docs: dict[str, Document] = {}
    for path in sorted(Path(raw_dir).glob("*.jsonl")):
        if prefixes is not None and path.stem not in prefixes:
            continue
        for line, doc in read_records(path, Document):
            if doc.doc_id in docs:
                raise DataError(path, line, "doc_id", f"doc_id {doc.doc_id!r} appears twice")
            docs[doc.doc_id] = doc
    return docs


def load_gold(
    split: str, raw_dir: Path | None = None, *, labels: Path | None = None
) -> list[GoldDocument]:
    """Gold documents of `split` (train, dev, seed, second_annotator) joined to their texts.

    Texts come from `raw_dir` (default: data/raw, fetched and rebuilt if missing); the seed's
    from the .txt beside its labels. `labels` replaces the split's committed file.
    """
    files = [Path(labels)] if labels is not None else labels_paths(split)
    if split == "seed":
        return [doc for path in files for doc in _join_seed(path)]
    if raw_dir is None:
        raw_dir = ensure_corpus()
    records = [(path, line, record) for path in files for line, record in read_standoff(path)]
    docs = raw_documents(raw_dir, {record.doc_id for _, _, record in records})
    gold = []
    for path, line, record in records:
        doc = docs.get(record.doc_id)
        if doc is None:
            raise DataError(path, line, "doc_id", f"{record.doc_id!r} has no text in {raw_dir}")
        gold.append(join(record, doc.text, split=split, title=doc.title, path=path, line=line))
    return gold


SPLIT_REF = "split:"


def load_split_ref(ref: str) -> list[GoldDocument]:
    """Gold documents named by `split:NAME[,NAME]`, the form commands take for the project's
    committed labels in place of a labels file."""
    if not ref.startswith(SPLIT_REF):
        raise ValueError(f"expected {SPLIT_REF}NAME[,NAME], got {ref!r}")
    return [doc for split in ref.removeprefix(SPLIT_REF).split(",") for doc in load_gold(split)]


def _join_seed(labels: Path) -> list[GoldDocument]:
    text_path = seed_text_path(labels)
    if not text_path.is_file():
        raise DataError(labels, None, None, f"the seed article {text_path} is missing")
    text = read_seed_text(text_path)
    return [
        join(record, text, split="seed", title=None, path=labels, line=line)
        for line, record in read_standoff(labels)
    ]


def load_dataset(
    splits: Iterable[str] = ("train", "dev"), raw_dir: Path | None = None
) -> DatasetDict:
    """The gold splits as a datasets.DatasetDict (doc_id, lang, title, text, actors)."""
    # Imported here: `datasets` takes seconds to import and most callers never need it.
    from datasets import Dataset, DatasetDict

    return DatasetDict(
        {
            split: Dataset.from_list([_row(doc) for doc in load_gold(split, raw_dir)])
            for split in splits
        }
    )


def _row(doc: GoldDocument) -> dict:
    return {
        "doc_id": doc.doc_id,
        "lang": doc.lang,
        "title": doc.title,
        "text": doc.text,
        "actors": [actor.model_dump(mode="json") for actor in doc.actors],
    }
