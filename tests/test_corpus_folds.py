import json
import random
from collections import Counter
from pathlib import Path

import pytest

from armstance import paths
from armstance.cli import main
from armstance.corpus import ensure_corpus, load_folds, make_folds
from armstance.corpus.folds import (
    N_SPLITS,
    FoldDoc,
    assign_folds,
    cv_documents,
    fold_groups,
    has_against,
    is_grouped,
)
from armstance.errors import DataError


def test_committed_folds_of_the_news_documents_are_what_make_folds_produces():
    committed = json.loads(paths.folds_path().read_text(encoding="utf-8"))
    news = {d: f for d, f in committed.pop("folds").items() if not is_grouped(d)}
    assert committed | {"folds": news} == make_folds()


def test_folds_cover_every_train_and_dev_document_once():
    folds = load_folds()
    assert set(folds) == {r.doc_id for r in cv_documents()}
    assert set(folds.values()) == set(range(N_SPLITS))


def test_folds_are_stratified_on_documents_with_an_against_actor(shared_dir):
    """The news exactly (±1 per stratum); grouped documents as far as their groups allow:
    no fold is ahead of another by more than the largest group of the stratum."""
    folds = load_folds()
    records = cv_documents()
    assert any(has_against(r) for r in records)
    ensure_corpus(mirror=shared_dir / "data" / "sources")
    group_of = fold_groups([r.doc_id for r in records])
    for stratum in (True, False):
        chosen = [r for r in records if has_against(r) is stratum]
        sizes = Counter(group_of[r.doc_id] for r in chosen)
        for scope, slack in (
            ([r for r in chosen if not is_grouped(r.doc_id)], 1),
            (chosen, max(sizes.values())),
        ):
            per_fold = Counter(folds[r.doc_id] for r in scope)
            counts = [per_fold[f] for f in range(N_SPLITS)]
            assert max(counts) - min(counts) <= slack, (stratum, counts)


@pytest.mark.parametrize("change", ["drop", "add", "range"])
def test_load_folds_rejects_missing_unknown_or_out_of_range_entries(tmp_path, change):
    data = json.loads(paths.folds_path().read_text(encoding="utf-8"))
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


def _docs(groups: dict[str, tuple[int, int]]) -> list[FoldDoc]:
    """Documents per group: (how many, how many of them hold an against actor)."""
    return [
        FoldDoc(f"{group}-{i}", group, i < n_against)
        for group, (n, n_against) in groups.items()
        for i in range(n)
    ]


# Existing folds: ten news documents, two per fold; one speaker already in fold 3.
EXISTING = {f"news-{i}": i % N_SPLITS for i in range(10)} | {"speaker-a-0": 3}
GROUPS = {
    "speaker-a": (3, 1),
    **{f"speaker-{c}": (1 + i % 4, i % 5 == 0) for i, c in enumerate("bcdefghijklmnop")},
    **{f"week-{w}": (2 + w % 3, 0) for w in range(12)},
}


def _assign(docs: list[FoldDoc]) -> dict[str, int]:
    news = [FoldDoc(d, d, False) for d in EXISTING if d.startswith("news")]
    return assign_folds(EXISTING, news + docs, N_SPLITS)


def test_new_documents_keep_their_group_together_and_existing_folds_unchanged():
    docs = _docs(GROUPS)
    folds = _assign(docs)
    assert {d: folds[d] for d in EXISTING} == EXISTING
    assert set(folds) == set(EXISTING) | {d.doc_id for d in docs}
    for group in GROUPS:
        assert len({folds[d.doc_id] for d in docs if d.group == group}) == 1, group
    # A speaker already in a fold brings the new speeches there.
    assert {folds[f"speaker-a-{i}"] for i in range(3)} == {3}


def test_groups_are_spread_on_against_first_then_by_size():
    # Two against documents already sit in fold 0, every fold holds two documents.
    existing = {f"news-{i}": i % N_SPLITS for i in range(10)}
    news = [FoldDoc(d, d, d in ("news-0", "news-5")) for d in existing]
    docs = _docs({f"speaker-{i}": (1, 1) for i in range(4)} | {"week-1": (5, 0), "week-2": (3, 0)})
    folds = assign_folds(existing, news + docs, N_SPLITS)
    against = Counter(folds[d.doc_id] for d in news + docs if d.against)
    assert [against[f] for f in range(N_SPLITS)] == [2, 1, 1, 1, 1]
    sizes = Counter(folds.values())
    assert max(sizes.values()) - min(sizes.values()) < 5


def test_the_assignment_depends_on_the_documents_not_their_order():
    docs = _docs(GROUPS)
    shuffled = random.Random(7).sample(docs, len(docs))
    assert _assign(docs) == _assign(shuffled)


def test_an_existing_group_split_over_two_folds_is_refused():
    docs = [FoldDoc("a-0", "a", False), FoldDoc("a-1", "a", False)]
    with pytest.raises(ValueError, match="a is in folds 0 and 1"):
        assign_folds({"a-0": 0, "a-1": 1}, docs, N_SPLITS)


def _standoff(doc_id: str, stance: str) -> str:
    actor = {
        "actor": "X",
        "type": "state",
        "stance": stance,
        "sentiment": "neutral",
        "alias_spans": [[0, 1]],
    }
    lang = "de" if doc_id.startswith("bundestag") else "en"
    return json.dumps({"doc_id": doc_id, "lang": lang, "text_sha256": "0" * 64, "actors": [actor]})


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project whose labels hold news documents with folds and grouped ones without."""
    monkeypatch.setenv("ARMSTANCE_HOME", str(tmp_path))
    (tmp_path / "data/annotations").mkdir(parents=True)
    (tmp_path / "data/raw").mkdir()
    news = [f"nyt-{i:03d}" for i in range(10)]
    speeches = {f"bundestag-ID2{i}": f"bundestag-speaker-{i % 3}" for i in range(6)}
    passages = {
        f"whitehouse-2024-01-0{i + 1}-x-0": f"whitehouse-week-2024-W0{i // 4}" for i in range(6)
    }
    # Third-person statements: release passages by week, congressional releases by member.
    kremlin = {f"kremlin-7000{i // 2}-{i % 2}": f"kremlin-week-2022-W0{i // 3}" for i in range(5)}
    ukpresident = {f"ukpresident-8000{i}-0": "ukpresident-week-2022-W10" for i in range(3)}
    congress = {
        f"congress-2023-04-1{i}-X00010{i % 2}-0": f"congress-X00010{i % 2}" for i in range(5)
    }
    grouped = {"bundestag": speeches, "whitehouse": passages, "kremlin": kremlin,
               "ukpresident": ukpresident, "congress": congress}  # fmt: skip
    train = [
        _standoff(d, "against" if d.endswith(("1", "3")) else "favor")
        for d in [*news, *(d for groups in grouped.values() for d in groups)]
    ]
    (tmp_path / "data/annotations/train.jsonl").write_text("\n".join(train) + "\n")
    (tmp_path / "data/annotations/dev.jsonl").write_text("")
    for name, groups in grouped.items():
        lines = [json.dumps({"doc_id": d, "text": "t", "fold_group": g}) for d, g in groups.items()]
        (tmp_path / f"data/raw/{name}.jsonl").write_text("\n".join(lines) + "\n")
    for name in ("tagesschau", "guardian", "nyt"):
        (tmp_path / f"data/raw/{name}.jsonl").write_text("")
    folds = {
        "n_splits": N_SPLITS,
        "seed": 0,
        "stratify": "has_against",
        "folds": {d: i % N_SPLITS for i, d in enumerate(news)},
    }
    (tmp_path / "data/folds.json").write_text(json.dumps(folds))
    return tmp_path


def test_data_folds_extend_adds_the_grouped_documents(project, capsys):
    before = json.loads((project / "data/folds.json").read_text())["folds"]
    with pytest.raises(DataError, match="--extend"):
        load_folds()
    assert main(["data", "folds", "--extend"]) == 0
    folds = load_folds()
    assert {d: folds[d] for d in before} == before
    raw = [
        json.loads(line)
        for name in ("bundestag", "whitehouse", "kremlin", "ukpresident", "congress")
        for line in (project / f"data/raw/{name}.jsonl").read_text().splitlines()
    ]
    assert {r["doc_id"] for r in raw} <= set(folds)
    by_group: dict[str, set[int]] = {}
    for record in raw:
        by_group.setdefault(record["fold_group"], set()).add(folds[record["doc_id"]])
    assert all(len(f) == 1 for f in by_group.values()), by_group
    assert "fold 0: " in capsys.readouterr().out
    # Extending again adds nothing and moves nothing.
    main(["data", "folds", "--extend"])
    assert load_folds() == folds
