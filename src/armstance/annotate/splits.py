"""The committed label files an import writes to, and who may be written where.

`train` and `dev` hold the labels models learn from and are scored on: a document belongs
to one of them. `second_annotator` holds independent second annotations of documents that
already have their first labels; agreement is computed on it, so it is only ever appended
to, never corrected.

A revision (revision 2, 3, ...: labels made again under a newer guidelines version)
replaces the labels of documents already in the target file, in train, dev or
second_annotator alike, and only of those: a document not yet labelled there, or whose
labels there are of that revision or a later one, is refused. `replace` corrects labels of
the same revision in train or dev.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from armstance.corpus.load import labels_paths, read_standoff
from armstance.jsonl import atomic_writer, dumps
from armstance.schema import Provenance, StandoffDocument

FIRST_PASS: tuple[str, ...] = ("train", "dev")
SECOND = "second_annotator"
IMPORT_SPLITS: tuple[str, ...] = (*FIRST_PASS, SECOND)


def split_file(split: str) -> Path:
    (path,) = labels_paths(split)
    return path


def _records(split: str) -> list[tuple[int, StandoffDocument]]:
    path = split_file(split)
    return read_standoff(path) if path.is_file() else []


def labelled_ids(splits: Sequence[str] = IMPORT_SPLITS) -> dict[str, list[str]]:
    """doc_id -> the splits that label it (no texts needed)."""
    out: dict[str, list[str]] = {}
    for split in splits:
        for _, record in _records(split):
            out.setdefault(record.doc_id, []).append(split)
    return out


@dataclass
class Target:
    """One split file about to receive records."""

    split: str
    replace: bool = False
    revision: int = 1
    labelled: dict[str, list[str]] = field(default_factory=labelled_ids)
    # doc_id -> revision of its labels in this split (labels without provenance: 1).
    revisions: dict[str, int] = field(init=False, default_factory=dict)
    # doc_id -> provenance of its labels in this split (what a revision replaces).
    earlier: dict[str, Provenance | None] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        if self.split not in IMPORT_SPLITS:
            raise ValueError(f"cannot import into {self.split!r}; expected one of {IMPORT_SPLITS}")
        if self.revision < 1:
            raise ValueError(f"--revision must be 1 or more, got {self.revision}")
        if self.replace and self.split == SECOND:
            raise ValueError(
                "second annotations are never corrected (agreement is computed on them): "
                "--replace is refused for second_annotator (a revision under newer "
                "guidelines is imported with --revision)"
            )
        if self.replace or self.revision > 1:
            records = [record for _, record in _records(self.split)]
            self.earlier = {record.doc_id: record.provenance for record in records}
            self.revisions = {
                doc_id: provenance.revision if provenance else 1
                for doc_id, provenance in self.earlier.items()
            }

    @property
    def is_second(self) -> bool:
        return self.split == SECOND

    def refusal(self, doc_id: str) -> str | None:
        """Why `doc_id` may not be written to this split, or None."""
        held = self.labelled.get(doc_id, [])
        if not self.is_second:
            elsewhere = [s for s in held if s in FIRST_PASS and s != self.split]
            if elsewhere:
                return f"is labelled in {elsewhere[0]}: a document belongs to one split"
        here = self.split in held
        if self.revision > 1 and not here:
            return (
                f"is not labelled in {self.split}: revision {self.revision} replaces earlier "
                "labels (import new labels as revision 1)"
            )
        if here and (self.replace or self.revision > 1):
            earlier = self.revisions[doc_id]
            if self.replace and earlier != self.revision:
                return (
                    f"its labels in {self.split} are revision {earlier}: --replace corrects "
                    f"labels of the same revision (pass --revision {earlier})"
                )
            if not self.replace and earlier >= self.revision:
                return (
                    f"its labels in {self.split} are revision {earlier}: a revision must be "
                    "newer than the labels it replaces"
                )
            return None
        if self.is_second:
            if not set(held) & set(FIRST_PASS):
                return "has no first-pass labels in train or dev to compare a second one with"
            if SECOND in held:
                return (
                    "already has a second annotation (never corrected; a revision under newer "
                    "guidelines is imported with --revision)"
                )
            return None
        if here and not self.replace:
            return (
                f"is already labelled in {self.split} (pass --replace to correct it, or "
                "--revision N for labels made again under newer guidelines)"
            )
        return None

    def write(self, records: Sequence[StandoffDocument]) -> tuple[list[str], list[str]]:
        """Replace records in place, append new ones, rewrite the file atomically.

        Lines not replaced are kept byte for byte. Returns (added, replaced) doc_ids.
        """
        path = split_file(self.split)
        lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
        index = {record.doc_id: line - 1 for line, record in _records(self.split)}
        added, replaced = [], []
        for record in records:
            if record.doc_id in index:
                lines[index[record.doc_id]] = dumps(record)
                replaced.append(record.doc_id)
            else:
                lines.append(dumps(record))
                added.append(record.doc_id)
        with atomic_writer(path) as fh:
            fh.writelines(line + "\n" for line in lines if line.strip())
        return added, replaced
