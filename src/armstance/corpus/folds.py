"""Cross-validation folds over train+dev documents, committed in data/folds.json.

Folds are by document (all actors of a document share a fold) and stratified on whether a
document holds an `against` actor, the rarer class the headline metric depends on.
"""

from __future__ import annotations

import json
from pathlib import Path

from sklearn.model_selection import StratifiedKFold

from armstance import paths
from armstance.corpus.load import labels_paths, read_standoff
from armstance.jsonl import DataError, atomic_writer
from armstance.schema import StandoffDocument

N_SPLITS = 5
SEED = 0
STRATIFY = "has_against"
CV_SPLITS = ("train", "dev")


def has_against(record: StandoffDocument) -> bool:
    return any(actor.stance == "against" for actor in record.actors)


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
    records = cv_documents()
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


def write_folds(path: Path | None = None) -> Path:
    path = Path(path) if path is not None else paths.folds_path()
    with atomic_writer(path) as fh:
        json.dump(make_folds(), fh, indent=2, sort_keys=True)
        fh.write("\n")
    return path


def load_folds(path: Path | None = None) -> dict[str, int]:
    """doc_id -> fold; every train+dev document must have a fold, and only those."""
    path = Path(path) if path is not None else paths.folds_path()
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
    expected = {r.doc_id for r in cv_documents()}
    missing, unknown = sorted(expected - set(folds)), sorted(set(folds) - expected)
    if missing:
        raise DataError(path, None, "folds", f"train/dev documents without a fold: {missing}")
    if unknown:
        raise DataError(path, None, "folds", f"doc_ids that are not train/dev: {unknown}")
    return dict(folds)
