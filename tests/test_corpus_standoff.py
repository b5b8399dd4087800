import json
from pathlib import Path

import pytest

from armstance.corpus.load import SPLITS, labels_paths, load_gold, read_standoff
from armstance.corpus.standoff import convert_file, join, text_sha256, to_standoff
from armstance.errors import DataError
from armstance.jsonl import read_records
from armstance.schema import DocumentAnnotation

PROVENANCE = {
    "annotator": "A1",
    "annotator_kind": "person",
    "pass": 1,
    "model_assisted": False,
    "guidelines": "1.2",
    "date": "2026-11-30",
}
TEXT = "Olaf Scholz sagt: Scholz liefert. Die Bundesregierung prüft, sagte Scholz."


def _annotation(aliases: list[str], evidence: list[str]) -> DocumentAnnotation:
    return DocumentAnnotation(
        doc_id="demo-1",
        lang="de",
        actors=[
            {
                "actor": "Olaf Scholz",
                "type": "person",
                "aliases": aliases,
                "stance": "favor",
                "sentiment": "neutral",
                "evidence": evidence,
            }
        ],
    )


def test_every_alias_occurrence_and_first_evidence_occurrence():
    record = to_standoff(_annotation(["Scholz", "Olaf Scholz"], ["Scholz"]), TEXT, "f", 1)
    actor = record.actors[0]
    # "Olaf Scholz" and the "Scholz" inside it overlap; both are kept, in text order.
    assert actor.alias_spans == [(0, 11), (5, 11), (18, 24), (67, 73)]
    assert actor.evidence_spans == [(5, 11)]
    assert record.text_sha256 == text_sha256(TEXT)


def test_join_restores_strings_with_aliases_in_first_occurrence_order():
    annotation = _annotation(["Scholz", "Olaf Scholz"], ["Scholz liefert.", "sagte Scholz"])
    gold = join(
        to_standoff(annotation, TEXT, "f", 1), TEXT, split="x", title=None, path="f", line=1
    )
    actor = gold.actors[0]
    assert actor.aliases == ["Olaf Scholz", "Scholz"]
    assert actor.evidence == ["Scholz liefert.", "sagte Scholz"]
    assert gold.to_annotation().actors[0].evidence == annotation.actors[0].evidence


@pytest.mark.parametrize("field", ["aliases", "evidence"])
def test_a_string_not_in_the_text_names_file_line_actor_and_string(field):
    strings = {"aliases": ["Scholz"], "evidence": []}
    strings[field] = [*strings[field], "Kanzler Scholz"]
    with pytest.raises(DataError) as err:
        to_standoff(_annotation(**strings), TEXT, "labels.jsonl", 7)
    message = str(err.value)
    assert "labels.jsonl:7" in message and f"actors.0.{field}" in message
    assert "'Olaf Scholz'" in message and "'Kanzler Scholz'" in message


def test_convert_file_writes_offsets_and_no_text(tmp_path):
    src = tmp_path / "exchange.jsonl"
    src.write_text(_annotation(["Scholz"], ["Scholz liefert."]).model_dump_json() + "\n")
    assert convert_file(src, {"demo-1": TEXT}, tmp_path / "standoff.jsonl") == 1
    written = (tmp_path / "standoff.jsonl").read_text(encoding="utf-8")
    assert "liefert" not in written and json.loads(written)["text_sha256"] == text_sha256(TEXT)
    with pytest.raises(DataError, match="doc_id"):
        convert_file(src, {}, tmp_path / "other.jsonl")


def _exchange(path: Path) -> dict[str, DocumentAnnotation]:
    return {a.doc_id: a for _, a in read_records(path, DocumentAnnotation)}


def _aliases_as_sets(annotation: DocumentAnnotation) -> dict:
    data = annotation.model_dump()
    for actor in data["actors"]:
        actor["aliases"] = set(actor["aliases"])
    return data


@pytest.mark.parametrize("split", SPLITS)
def test_committed_standoff_round_trips_to_the_exchange_files(shared_dir, split):
    """Joined back, the committed labels equal the annotation files: evidence exactly,
    aliases as sets (they come back in order of first occurrence in the text)."""
    original = _exchange(shared_dir / f"data/annotations/{split}.jsonl")
    everything = load_gold(split)
    gold = [g for g in everything if g.doc_id in original]
    assert [g.doc_id for g in gold] == list(original)
    # Every other record came through the annotation loop, which records its provenance.
    loop = {
        r.doc_id for path in labels_paths(split) for _, r in read_standoff(path) if r.provenance
    }
    assert {g.doc_id for g in everything} - set(original) <= loop
    for doc in gold:
        assert _aliases_as_sets(doc.to_annotation()) == _aliases_as_sets(original[doc.doc_id])
        for actor in doc.actors:
            positions = [doc.text.find(a) for a in actor.aliases]
            assert positions == sorted(positions)


def test_convert_keeps_labels_from_the_annotation_loop(tmp_path):
    src = tmp_path / "exchange.jsonl"
    src.write_text(_annotation(["Scholz"], ["Scholz liefert."]).model_dump_json() + "\n")
    dest = tmp_path / "standoff.jsonl"
    convert_file(src, {"demo-1": TEXT}, dest)
    first = dest.read_text(encoding="utf-8")
    looped = json.loads(first) | {"doc_id": "bundestag-9", "provenance": PROVENANCE}
    stale = json.loads(first) | {"doc_id": "old-1"}  # no provenance: not the loop's
    dest.write_text(first + json.dumps(looped) + "\n" + json.dumps(stale) + "\n")
    assert convert_file(src, {"demo-1": TEXT}, dest) == 1
    kept = [json.loads(line)["doc_id"] for line in dest.read_text(encoding="utf-8").splitlines()]
    assert kept == ["demo-1", "bundestag-9"]
