import json
from pathlib import Path

import pytest

from armstance.corpus import ensure_corpus, load_dataset, load_gold, load_texts
from armstance.corpus.load import SPLITS, labels_paths, raw_documents, read_standoff
from armstance.corpus.standoff import text_sha256
from armstance.errors import DataError

TEXT = "Norwegen liefert Haubitzen. Oslo bestätigte die Lieferung am Montag."
SEED_TEXT = "Séoul hésite.\r\nLa Corée du Sud n'envoie pas d'armes.\n"


def _record(text: str = TEXT, **changes) -> dict:
    actor = {
        "actor": "Norway",
        "type": "state",
        "stance": "favor",
        "sentiment": "neutral",
        "alias_spans": [[0, 8], [28, 32]],
        "evidence_spans": [[0, 27]],
    }
    actor.update(changes.pop("actor", {}))
    record = {"doc_id": "demo-0001", "lang": "de", "text_sha256": text_sha256(text)}
    return record | {"actors": [actor]} | changes


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    doc = {"doc_id": "demo-0001", "lang": "de", "title": "Norwegen", "text": TEXT}
    (raw / "demo.jsonl").write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    return raw


def _labels(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _error(raw: Path, labels: Path) -> str:
    with pytest.raises(DataError) as err:
        load_gold("train", raw, labels=labels)
    return str(err.value)


def test_a_valid_record_joins_to_its_text(tmp_path, corpus):
    [gold] = load_gold("train", corpus, labels=_labels(tmp_path, json.dumps(_record())))
    assert gold.title == "Norwegen" and gold.split == "train"
    assert gold.actors[0].aliases == ["Norwegen", "Oslo"]
    assert gold.actors[0].evidence == ["Norwegen liefert Haubitzen."]


def test_malformed_json_names_file_and_line(tmp_path, corpus):
    labels = _labels(tmp_path, json.dumps(_record()), '{"doc_id": "demo-0002",')
    assert f"{labels}:2:" in _error(corpus, labels)
    assert "malformed JSON" in _error(corpus, labels)


def test_unknown_label_names_file_line_and_field(tmp_path, corpus):
    labels = _labels(tmp_path, "", json.dumps(_record(actor={"stance": "maybe"})))
    message = _error(corpus, labels)
    assert f"{labels}:2:" in message and "actors.0.stance" in message


def test_offset_outside_the_text_names_file_line_and_field(tmp_path, corpus):
    labels = _labels(tmp_path, json.dumps(_record(actor={"evidence_spans": [[40, 400]]})))
    message = _error(corpus, labels)
    assert f"{labels}:1:" in message and "actors.0.evidence_spans.0" in message


def test_text_sha256_mismatch_names_file_line_and_field(tmp_path, corpus):
    labels = _labels(tmp_path, json.dumps(_record(text=TEXT + " ")))
    message = _error(corpus, labels)
    assert f"{labels}:1:" in message and "text_sha256" in message


def test_a_doc_id_without_text_names_file_line_and_field(tmp_path, corpus):
    labels = _labels(tmp_path, json.dumps(_record()), json.dumps(_record(doc_id="demo-0404")))
    message = _error(corpus, labels)
    assert f"{labels}:2:" in message and "doc_id" in message and "demo-0404" in message


def test_only_the_raw_files_the_labels_refer_to_are_read(tmp_path, corpus):
    # doc_ids start with their raw file's stem: labels of demo-* never open other.jsonl.
    (corpus / "other.jsonl").write_text("not json\n", encoding="utf-8")
    [gold] = load_gold("train", corpus, labels=_labels(tmp_path, json.dumps(_record())))
    assert gold.doc_id == "demo-0001"
    with pytest.raises(DataError, match=r"other\.jsonl:1"):
        raw_documents(corpus)


def test_a_duplicate_doc_id_is_an_error(tmp_path):
    labels = _labels(tmp_path, json.dumps(_record()), json.dumps(_record()))
    with pytest.raises(DataError, match=r":2: field 'doc_id'"):
        read_standoff(labels)


def test_the_seed_text_is_the_file_unchanged(tmp_path):
    (tmp_path / "001_demo.txt").write_bytes(SEED_TEXT.encode("utf-8"))
    record = {
        "doc_id": "seed-demo",
        "lang": "fr",
        "text_sha256": text_sha256(SEED_TEXT),
        "actors": [
            {
                "actor": "South Korea",
                "type": "state",
                "stance": "against",
                "sentiment": "neutral",
                "alias_spans": [[0, 5], [18, 30]],
                "evidence_spans": [[15, 51]],
            }
        ],
    }
    labels = tmp_path / "001_demo.labels.jsonl"
    labels.write_text(json.dumps(record) + "\n", encoding="utf-8")
    [gold] = load_gold("seed", labels=labels)
    # The \r\n survives: offsets past it would shift under newline translation.
    assert gold.text == SEED_TEXT
    assert gold.actors[0].aliases == ["Séoul", "Corée du Sud"]
    assert gold.actors[0].evidence == ["La Corée du Sud n'envoie pas d'armes"]


def test_unknown_split_is_refused():
    with pytest.raises(ValueError, match="unknown split"):
        labels_paths("test")


def test_dataset_and_texts_cover_exactly_the_labelled_documents(shared_dir):
    # The texts rebuilt from the mirror's sources: ../shared/data/raw lacks the added sources.
    raw = ensure_corpus(mirror=shared_dir / "data" / "sources")
    dataset = load_dataset(("train", "dev"), raw_dir=raw)
    assert dataset["train"].column_names == ["doc_id", "lang", "title", "text", "actors"]
    row = dataset["dev"][0]
    assert {"actor", "stance", "sentiment", "aliases", "alias_spans"} <= set(row["actors"][0])
    labelled = {
        record.doc_id
        for split in SPLITS
        for p in labels_paths(split)
        for _, record in read_standoff(p)
    }
    texts = load_texts(raw)
    assert set(texts) == labelled
    assert len(dataset["train"]) + len(dataset["dev"]) == len(
        {r.doc_id for s in ("train", "dev") for p in labels_paths(s) for _, r in read_standoff(p)}
    )
