import json
from pathlib import Path

from armstance.corpus import ensure_corpus, load_documents, rebuild_raw
from armstance.corpus.rebuild import CORPUS_NAMES

COMPARED = ("doc_id", "lang", "title", "text", "published")
# The corpora the shared data/raw holds, built by the same rules elsewhere.
NEWS = ("tagesschau", "guardian", "nyt")


def _fields(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [{k: json.loads(line).get(k) for k in COMPARED} for line in fh if line.strip()]


def test_rebuild_reproduces_the_shared_raw_documents(shared_dir, tmp_path):
    counts = rebuild_raw(shared_dir / "data/sources", tmp_path)
    assert set(counts) == set(CORPUS_NAMES)
    for name in NEWS:
        expected = _fields(shared_dir / f"data/raw/{name}.jsonl")
        assert counts[name] == len(expected)
        assert _fields(tmp_path / f"{name}.jsonl") == expected


def test_ensure_corpus_fetches_from_the_mirror_and_rebuilds(shared_dir, tmp_path):
    raw = ensure_corpus(
        tmp_path / "raw", mirror=shared_dir / "data/sources", sources_dir=tmp_path / "sources"
    )
    assert raw == tmp_path / "raw"
    assert sorted(p.name for p in (tmp_path / "sources").iterdir()) == [
        "Guardians_Russia_Ukraine.csv",
        "NYT_Russia_Ukraine.csv",
        "bundestag",
        "ukraine_val.txt",
        "whitehouse",
    ]
    docs = load_documents(raw / "tagesschau.jsonl")
    assert [d.doc_id for d in docs] == [
        r["doc_id"] for r in _fields(shared_dir / "data/raw/tagesschau.jsonl")
    ]


def test_ensure_corpus_leaves_a_complete_raw_folder_alone(tmp_path):
    for name in CORPUS_NAMES:
        (tmp_path / f"{name}.jsonl").write_text("", encoding="utf-8")
    # No mirror and no sources: anything but a no-op would fail here.
    assert ensure_corpus(tmp_path, sources_dir=tmp_path / "absent") == tmp_path
    assert not (tmp_path / "absent").exists()
