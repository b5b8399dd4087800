import json
from collections import Counter

import pytest

from armstance import paths
from armstance.corpus import load_folds, make_folds
from armstance.corpus.folds import N_SPLITS, cv_documents, has_against
from armstance.jsonl import DataError


def test_committed_folds_are_what_make_folds_produces():
    assert json.loads(paths.folds_path().read_text(encoding="utf-8")) == make_folds()


def test_folds_cover_every_train_and_dev_document_once():
    folds = load_folds()
    assert set(folds) == {r.doc_id for r in cv_documents()}
    assert set(folds.values()) == set(range(N_SPLITS))


def test_folds_are_stratified_on_documents_with_an_against_actor():
    folds = load_folds()
    records = cv_documents()
    assert any(has_against(r) for r in records)
    for stratum in (True, False):
        per_fold = Counter(folds[r.doc_id] for r in records if has_against(r) is stratum)
        counts = [per_fold[f] for f in range(N_SPLITS)]
        assert max(counts) - min(counts) <= 1, (stratum, counts)


@pytest.mark.parametrize("change", ["drop", "add", "range"])
def test_load_folds_rejects_missing_unknown_or_out_of_range_entries(tmp_path, change):
    data = make_folds()
    first = next(iter(data["folds"]))
    if change == "drop":
        del data["folds"][first]
    elif change == "add":
        data["folds"]["invented-999"] = 0
    else:
        data["folds"][first] = N_SPLITS
    path = tmp_path / "folds.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_folds(path)
    assert str(path) in str(err.value) and "field 'folds" in str(err.value)
    assert (first if change != "add" else "invented-999") in str(err.value)
