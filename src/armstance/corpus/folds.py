"""Cross-validation folds over train+dev documents, committed in data/folds.json.

Folds are by document (all actors of a document share a fold) and stratified on whether a
document holds an `against` actor, the rarer class the headline metric depends on.

The news documents were split once by StratifiedKFold (make_folds). Documents of the
grouped corpora (speeches, briefing passages) are labelled later, in batches, and come with
a `fold_group` in their raw record: all speeches of one speaker, all passages of one ISO
week. extend_folds gives each new document a fold without moving any assigned one, so that
no group sits on both sides of a fold, against-holding groups are spread first and the
others fill the smallest folds.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sklearn.model_selection import StratifiedKFold

from armstance import paths
from armstance.corpus.load import labels_paths, read_standoff
from armstance.corpus.rebuild import GROUPED_CORPORA, ensure_corpus
from armstance.errors import DataError
from armstance.jsonl import atomic_writer, iter_json_lines
from armstance.schema import StandoffDocument

N_SPLITS = 5
SEED = 0
STRATIFY = "has_against"
CV_SPLITS = ("train", "dev")
GROUPED_PREFIXES = tuple(f"{name}-" for name in GROUPED_CORPORA)


@dataclass(frozen=True)
class FoldDoc:
    doc_id: str
    group: str  # documents of one group share a fold
    against: bool


def has_against(record: StandoffDocument) -> bool:
    return any(actor.stance == "against" for actor in record.actors)


def is_grouped(doc_id: str) -> bool:
    return doc_id.startswith(GROUPED_PREFIXES)


def cv_documents() -> list[StandoffDocument]:
    """Train+dev stand-off records sorted by doc_id (folds need labels, not texts)."""
    records = [
        record
        for split in CV_SPLITS
        for path in labels_paths(split)
        for _, record in read_standoff(path)
    ]
    return sorted(records, key=lambda r: r.doc_id)


def make_folds() -> dict:
    """The folds of the news documents: StratifiedKFold, from the labels alone."""
    records = [r for r in cv_documents() if not is_grouped(r.doc_id)]
    strata = [has_against(r) for r in records]
    splitter = StratifiedKFold(n_splits=N_SPLITS, shuffle=True, random_state=SEED)
    folds = {}
    for fold, (_, test) in enumerate(splitter.split(records, strata)):
        folds.update({records[i].doc_id: fold for i in test})
    return {
        "n_splits": N_SPLITS,
        "seed": SEED,
        "stratify": STRATIFY,
        "folds": dict(sorted(folds.items())),
    }


def assign_folds(
    existing: Mapping[str, int], docs: Sequence[FoldDoc], n_splits: int
) -> dict[str, int]:
    """`existing` plus a fold for every doc of `docs` it lacks; no assigned doc moves.

    A new doc joins the fold of its group when the group already has one. The other new
    groups are placed greedily, largest first: a group holding `against` documents goes to
    the fold with the fewest of them, any other group to the smallest fold (ties: fewer
    documents, then the lower fold). The result depends on the docs, not on their order.
    """
    docs = sorted(docs, key=lambda d: d.doc_id)
    folds = dict(existing)
    sizes, against = Counter(), Counter()
    group_fold: dict[str, int] = {}
    for doc in docs:
        if doc.doc_id in folds:
            fold = folds[doc.doc_id]
            if group_fold.setdefault(doc.group, fold) != fold:
                raise ValueError(f"{doc.group} is in folds {group_fold[doc.group]} and {fold}")
            sizes[fold] += 1
            against[fold] += doc.against
    new: dict[str, list[FoldDoc]] = {}
    for doc in docs:
        if doc.doc_id not in folds:
            new.setdefault(doc.group, []).append(doc)
    order = sorted(new.items(), key=lambda g: (-sum(d.against for d in g[1]), -len(g[1]), g[0]))
    for group, members in order:
        n_against = sum(d.against for d in members)
        fold = group_fold.get(group)
        if fold is None:
            fold = min(
                range(n_splits),
                key=lambda f: (against[f], sizes[f], f) if n_against else (sizes[f], f),
            )
        for doc in members:
            folds[doc.doc_id] = fold
        sizes[fold] += len(members)
        against[fold] += n_against
    return dict(sorted(folds.items()))


def fold_groups(doc_ids: Iterable[str], raw_dir: Path | None = None) -> dict[str, str]:
    """doc_id -> its group: the raw record's `fold_group` for a grouped corpus (the raw
    files are rebuilt if missing), else the document itself."""
    groups = {doc_id: doc_id for doc_id in doc_ids}
    wanted = {d for d in groups if is_grouped(d)}
    if not wanted:
        return groups
    raw_dir = Path(raw_dir) if raw_dir is not None else ensure_corpus()
    for name in GROUPED_CORPORA:
        if not any(d.startswith(f"{name}-") for d in wanted):
            continue
        path = raw_dir / f"{name}.jsonl"
        for line, record in iter_json_lines(path):
            if record.get("doc_id") in wanted:
                group = record.get("fold_group")
                if not isinstance(group, str) or not group:
                    raise DataError(path, line, "fold_group", f"expected a string, got {group!r}")
                groups[record["doc_id"]] = group
                wanted.discard(record["doc_id"])
    if wanted:
        raise DataError(
            raw_dir, None, "doc_id", f"labelled, not in the raw files: {sorted(wanted)}"
        )
    return groups


def extend_folds(data: dict, raw_dir: Path | None = None) -> dict:
    """`data` (a folds.json object) with a fold for every train+dev document it lacks."""
    records = cv_documents()
    groups = fold_groups([r.doc_id for r in records], raw_dir)
    docs = [FoldDoc(r.doc_id, groups[r.doc_id], has_against(r)) for r in records]
    return data | {"folds": assign_folds(data["folds"], docs, data["n_splits"])}


def write_folds(path: Path | None = None, *, extend: bool = False) -> Path:
    """Regenerate folds.json (the news folds, then every grouped document), or with
    `extend` add the documents it lacks to the committed file."""
    path = Path(path) if path is not None else paths.folds_path()
    try:
        data = extend_folds(read_folds(path) if extend else make_folds())
    except ValueError as exc:  # a group split by an edited file
        raise DataError(path, None, "folds", str(exc)) from exc
    with atomic_writer(path) as fh:
        json.dump(data, fh, indent=2, sort_keys=True)
        fh.write("\n")
    return path


def read_folds(path: Path) -> dict:
    """The folds.json object, its fields checked; which documents it covers is not."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(path, exc.lineno, None, f"malformed JSON ({exc.msg})") from exc
    folds = data.get("folds") if isinstance(data, dict) else None
    if not isinstance(folds, dict):
        raise DataError(path, None, "folds", "expected an object mapping doc_id to fold")
    n_splits = data.get("n_splits")
    if not isinstance(n_splits, int) or n_splits < 2:
        raise DataError(path, None, "n_splits", f"expected an integer >= 2, got {n_splits!r}")
    for doc_id, fold in folds.items():
        if not isinstance(fold, int) or not 0 <= fold < n_splits:
            raise DataError(path, None, f"folds.{doc_id}", f"fold {fold!r} not in 0..n_splits-1")
    return data


def load_folds(path: Path | None = None) -> dict[str, int]:
    """doc_id -> fold; every train+dev document must have a fold, and only those."""
    path = Path(path) if path is not None else paths.folds_path()
    folds = read_folds(path)["folds"]
    expected = {r.doc_id for r in cv_documents()}
    missing, unknown = sorted(expected - set(folds)), sorted(set(folds) - expected)
    if missing:
        raise DataError(
            path,
            None,
            "folds",
            f"train/dev documents without a fold: {missing} "
            "(`armstance data folds --extend` adds them)",
        )
    if unknown:
        raise DataError(path, None, "folds", f"doc_ids that are not train/dev: {unknown}")
    return dict(folds)
