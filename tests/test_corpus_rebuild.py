import json
import re
from collections import Counter
from pathlib import Path

import pytest

from armstance.corpus import ensure_corpus, load_documents
from armstance.corpus.bundestag import NON_ATTACHED, PARTIES
from armstance.corpus.rebuild import CORPUS_NAMES
from armstance.corpus.releases import MAX_CHARS, UKRAINE, WEAPONS

COMPARED = ("doc_id", "lang", "title", "text", "published")
# The corpora the shared data/raw holds, built by the same rules elsewhere.
NEWS = ("tagesschau", "guardian", "nyt")


def _fields(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [{k: json.loads(line).get(k) for k in COMPARED} for line in fh if line.strip()]


def _records(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def built(shared_dir, tmp_path_factory) -> Path:
    """Every corpus fetched from the shared mirror and rebuilt, once for the module."""
    root = tmp_path_factory.mktemp("corpus")
    raw = ensure_corpus(root / "raw", mirror=shared_dir / "data/sources", sources_dir=root / "src")
    assert raw == root / "raw"
    return root


def test_ensure_corpus_fetches_from_the_mirror_and_rebuilds_the_shared_documents(built, shared_dir):
    assert sorted(p.name for p in (built / "src").iterdir()) == [
        "Guardians_Russia_Ukraine.csv",
        "NYT_Russia_Ukraine.csv",
        "bundestag",
        "congress",
        "kremlin_ua",
        "ukraine_val.txt",
        "whitehouse",
    ]
    assert sorted(p.stem for p in (built / "raw").iterdir()) == sorted(CORPUS_NAMES)
    for name in NEWS:
        expected = _fields(shared_dir / f"data/raw/{name}.jsonl")
        assert _fields(built / f"raw/{name}.jsonl") == expected


def test_speeches_one_per_speech_id_with_their_speaker_label(built):
    speeches = _records(built / "raw/bundestag.jsonl")
    # 751 pairs of files upstream, ten of them a second rendering of another speech.
    assert len(speeches) == len({s["doc_id"] for s in speeches}) == 741
    assert len({s["speaker_id"] for s in speeches}) == 185
    assert {s["party"] for s in speeches} == {*PARTIES, NON_ATTACHED, None}
    for speech in speeches:
        label, _ = speech["text"].split("\n\n", 1)
        assert re.fullmatch(r"\S.*\S:", label), speech["doc_id"]
        # Office holders are labelled with their office, members with their group.
        assert (speech["party"] is None) == (speech["role"] is not None), speech["doc_id"]
        if speech["party"] is not None:
            assert label.endswith(f"({speech['party']}):") or speech["party"] == "DIE LINKE"


def test_briefings_become_ukraine_passages_under_a_header(built):
    passages = _records(built / "raw/whitehouse.jsonl")
    assert len(passages) == len({p["doc_id"] for p in passages}) == 3447
    # 737 files, two of them the same briefing under a second category.
    assert len({p["path"] for p in passages}) == 735
    assert Counter(p["speaker"] is None for p in passages)[True] == 246
    for passage in passages:
        header, body = passage["text"].split("\n\n", 1)
        speaker = [f"{passage['speaker']}:"] if passage["speaker"] else []
        assert header.split("\n") == [passage["title"], passage["date"], *speaker]
        assert re.search("ukrain", body, re.IGNORECASE), passage["doc_id"]
        # No Markdown escape is left (none of the texts holds an escaped backslash).
        assert not re.search(r"\\[!-/:-@\[-`{-~]", body), passage["doc_id"]
    assert load_documents(built / "raw/whitehouse.jsonl")[0].lang == "en"


@pytest.mark.parametrize(
    ("name", "releases", "documents", "split"),
    [("kremlin", 61, 278, 19), ("ukpresident", 387, 416, 1)],
)
def test_releases_are_whole_or_their_ukraine_passages(built, name, releases, documents, split):
    docs = _records(built / f"raw/{name}.jsonl")
    assert len(docs) == len({d["doc_id"] for d in docs}) == documents
    assert len({d["release"] for d in docs}) == releases
    passages = [d for d in docs if d["sentences"] is not None]
    assert len({d["release"] for d in passages}) == split
    for doc in docs:
        assert doc["doc_id"] == f"{name}-{doc['release']}-{doc['passage']}"
        assert doc["url"].endswith(doc["release"])
        header, body = doc["text"].split("\n\n", 1)
        lines = header.split("\n")
        assert lines[:2] == [doc["title"], doc["date"]], doc["doc_id"]
        # A third header line is the transcript's label in force, which is the speaker.
        assert lines[2:] in ([], [f"{doc['speaker']}:"]), doc["doc_id"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc["date"])
        assert doc["fold_group"].startswith(f"{name}-week-")
        if doc["sentences"] is None:
            assert doc["passage"] == 0 and len(doc["text"]) <= MAX_CHARS
            selected = "\n".join([doc["title"], doc["summary"] or "", body])
            assert UKRAINE.search(selected) and WEAPONS.search(selected), doc["doc_id"]
        else:
            assert UKRAINE.search(body), doc["doc_id"]
    assert load_documents(built / f"raw/{name}.jsonl")[0].lang == "en"


def test_congress_releases_one_document_each(built):
    docs = _records(built / "raw/congress.jsonl")
    assert len(docs) == len({d["doc_id"] for d in docs}) == 389
    assert Counter(d["party"] for d in docs) == {
        "Republican": 291,
        "Democrat": 95,
        "Independent": 3,
    }
    assert len({d["fold_group"] for d in docs}) == len({d["bioguide_id"] for d in docs}) == 79
    for doc in docs:
        assert re.fullmatch(rf"congress-{doc['date']}-{doc['bioguide_id']}-\d+", doc["doc_id"])
        assert doc["text"].startswith(doc["title"] + "\n\n")
        assert "\r" not in doc["text"] and "\n\n\n" not in doc["text"]
        assert not re.search(r"[^\S\n]\n|\n[^\S\n]|[^\S\n]{2}", doc["text"]), doc["doc_id"]
        assert UKRAINE.search(doc["text"]) and WEAPONS.search(doc["text"]), doc["doc_id"]
        assert doc["fold_group"] == f"congress-{doc['bioguide_id']}"
    # k counts a member's releases of one day in catalogue order.
    days = Counter(d["doc_id"].rsplit("-", 1)[0] for d in docs)
    for day, n in days.items():
        assert {d["doc_id"] for d in docs if d["doc_id"].startswith(day + "-")} == {
            f"{day}-{k}" for k in range(n)
        }


def test_ensure_corpus_leaves_a_complete_raw_folder_alone(tmp_path):
    for name in CORPUS_NAMES:
        (tmp_path / f"{name}.jsonl").write_text("", encoding="utf-8")
    # No mirror and no sources: anything but a no-op would fail here.
    assert ensure_corpus(tmp_path, sources_dir=tmp_path / "absent") == tmp_path
    assert not (tmp_path / "absent").exists()
