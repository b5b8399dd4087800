"""`armstance annotate import`: exchange JSONL and Label Studio exports become stand-off
labels with provenance, checked first; one problem anywhere and nothing is written."""

import datetime
import json

import pytest

from annotate_helpers import run_cli, speeches, write_jsonl
from armstance.annotate.export import task_data
from armstance.annotate.sources import read_source_documents
from armstance.annotate.tasks import Region, to_results
from armstance.corpus.load import load_gold, read_standoff
from armstance.corpus.standoff import find_all, text_sha256
from armstance.jsonl import dumps
from armstance.schema import StandoffDocument

pytest_plugins = ["fixtures_annotate"]

DOC = "bundestag-101"
TEXT = next(d["text"] for d in speeches() if d["doc_id"] == DOC)
REFUSE = "Wir lehnen jede weitere Waffenlieferung an die Ukraine ab."
WARN = "Moskau warnt vor neuen Waffenlieferungen."
NATO = "Die NATO unterstützt die Ukraine mit Munition und Luftverteidigung."


def exchange(doc_id: str = DOC) -> dict:
    return {
        "doc_id": doc_id,
        "lang": "de",
        "actors": [
            {"actor": "Abgeordnete Nummer 1", "type": "person",
             "aliases": ["Abgeordnete Nummer 1"], "stance": "against",
             "sentiment": "neutral", "evidence": [REFUSE]},
            {"actor": "Russia", "type": "state", "aliases": ["Moskau"], "stance": "against",
             "sentiment": "negative", "evidence": [WARN]},
            {"actor": "NATO", "type": "organization", "aliases": ["NATO"], "stance": "favor",
             "sentiment": "neutral", "evidence": [NATO]},
            {"actor": "Ukraine", "type": "state", "aliases": ["Ukraine"], "stance": "none",
             "sentiment": "neutral", "evidence": [NATO, REFUSE]},
        ],
    }  # fmt: skip


def other() -> dict:
    """A valid record of another speech, holding only WARN and NATO of DOC's sentences."""
    record = exchange("bundestag-102")
    record["actors"] = record["actors"][1:3]
    return record


def _import(project, capsys, rows, *flags, name="labels.jsonl"):
    path = project.root / name
    write_jsonl(path, rows)
    return run_cli(
        capsys, "import", path, "--annotator", "A1", "--annotator-kind", "person", *flags
    )


def test_exchange_import_writes_offsets_and_provenance_that_the_loaders_read(project, capsys):
    other = next(d["text"] for d in speeches() if d["doc_id"] == "bundestag-100")
    # Written by hand, compact: the import must keep it byte for byte.
    existing = f'{{"doc_id":"bundestag-100","lang":"de","text_sha256":"{text_sha256(other)}",'
    existing += '"actors":[]}\n'
    project.train.write_text(existing)
    code, out, err = _import(
        project, capsys, [exchange()], "--no-model-assisted", "--date", "2025-01-31"
    )
    assert code == 0, err
    assert "1 added, 0 replaced" in out and "armstance data folds" in out
    first, second = project.train.read_text().splitlines(keepends=True)
    assert first == existing
    record = json.loads(second)
    assert record["provenance"] == {
        "annotator": "A1",
        "annotator_kind": "person",
        "pass": 1,
        "revision": 1,
        "model_assisted": False,
        "guidelines": "1.3",
        "date": "2025-01-31",
    }
    assert "text" not in record
    untouched, gold = load_gold("train", project.raw)
    assert untouched.actors == []
    actors = {a.actor: a for a in gold.actors}
    assert actors["Ukraine"].evidence == [NATO, REFUSE]
    # Every occurrence of an alias, as the converter counts them.
    assert actors["Ukraine"].alias_spans == find_all(TEXT, "Ukraine") and TEXT.count("Ukraine") > 1
    assert (actors["Russia"].stance, actors["Russia"].sentiment) == ("against", "negative")


def test_records_without_provenance_still_validate_and_dump_without_it():
    standoff = {"doc_id": DOC, "lang": "de", "text_sha256": "a" * 64, "actors": []}
    record = StandoffDocument.model_validate(standoff)
    assert record.provenance is None
    assert json.loads(dumps(record)) == standoff


CASES = {
    "stance label": (lambda r: r["actors"][0].update(stance="pro"), "actors.0.stance"),
    "actor type": (lambda r: r["actors"][1].update(type="country"), "actors.1.type"),
    "alias not in text": (
        lambda r: r["actors"][1].update(aliases=["Moskva"]),
        "'Moskva' of actor 'Russia' not found",
    ),
    "evidence not in text": (
        lambda r: r["actors"][1].update(evidence=["Moskau warnt."]),
        "field 'actors.1.evidence'",
    ),
    "evidence too long": (
        lambda r: r["actors"][2].update(evidence=[TEXT]),
        f"evidence of {len(TEXT)} characters (1 to 300)",
    ),
    "no evidence": (lambda r: r["actors"][2].update(evidence=[]), "has 0 evidence spans"),
    "four evidence": (
        lambda r: r["actors"][2].update(evidence=[NATO, "NATO", WARN, REFUSE]),
        "has 4 evidence spans",
    ),
    "empty alias": (lambda r: r["actors"][2].update(aliases=[" "]), "has an empty alias"),
    "duplicate actor": (
        lambda r: r["actors"][2].update(actor="russia"),
        "field 'actors.2.actor': 'russia' duplicates 'Russia'",
    ),
    "other source": (lambda r: r.update(doc_id="tagesschau-0001"), "blind evaluation set"),
    "unknown document": (lambda r: r.update(doc_id="bundestag-999"), "no rebuilt text"),
    "text changed": (lambda r: r.update(text_sha256="b" * 64), "field 'text_sha256'"),
    "language": (lambda r: r.update(lang="en"), "field 'lang': 'en', but the document is 'de'"),
    "twice": (lambda r: r.update(doc_id="bundestag-102"), "appears twice in this input"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_problem_anywhere_writes_nothing_and_names_line_doc_and_field(project, capsys, case):
    change, expected = CASES[case]
    rows = [other(), exchange()]
    change(rows[1])
    code, _, err = _import(project, capsys, rows, "--no-model-assisted")
    assert code == 2
    assert "1 problem(s), nothing written" in err
    assert f"line 2 (doc_id {rows[1]['doc_id']})" in err and expected in err
    assert not project.train.exists()


def test_provenance_must_be_known_for_exchange_files(project, capsys):
    code, _, err = _import(project, capsys, [exchange()])
    assert code == 2 and "pass --model-assisted or --no-model-assisted" in err


def test_reimport_needs_replace_and_a_document_keeps_its_split(project, capsys):
    assert _import(project, capsys, [exchange()], "--model-assisted")[0] == 0
    code, _, err = _import(project, capsys, [exchange()], "--model-assisted")
    assert code == 2 and "already labelled in train (pass --replace to correct it" in err
    changed = exchange()
    changed["actors"][1]["sentiment"] = "neutral"
    code, out, _ = _import(project, capsys, [changed], "--model-assisted", "--replace")
    assert code == 0 and "0 added, 1 replaced" in out
    ((_, record),) = read_standoff(project.train)
    assert record.actors[1].sentiment == "neutral"
    code, _, err = _import(project, capsys, [exchange()], "--model-assisted", "--split", "dev")
    assert code == 2 and "is labelled in train: a document belongs to one split" in err


def test_second_annotation_is_independent_and_never_edited(project, capsys):
    flags = ("--split", "second_annotator", "--no-model-assisted")
    code, _, err = _import(project, capsys, [exchange()], *flags)
    assert code == 2 and "has no first-pass labels" in err
    assert _import(project, capsys, [exchange()], "--model-assisted")[0] == 0
    code, _, err = _import(project, capsys, [exchange()], "--split", "second_annotator",
                           "--model-assisted")  # fmt: skip
    assert code == 2 and "without pre-annotations" in err
    assert _import(project, capsys, [exchange()], *flags)[0] == 0
    second = project.root / "data" / "annotations" / "second_annotator.jsonl"
    ((_, record),) = read_standoff(second)
    assert record.provenance.pass_ == 2 and not record.provenance.model_assisted
    code, _, err = _import(project, capsys, [exchange()], *flags)
    assert code == 2 and "already has a second annotation" in err
    code, _, err = _import(project, capsys, [exchange()], *flags, "--replace")
    assert code == 2 and "--replace is refused for second_annotator" in err


def test_the_kind_of_annotator_is_required(project, capsys):
    path = project.root / "labels.jsonl"
    write_jsonl(path, [exchange()])
    with pytest.raises(SystemExit):
        run_cli(capsys, "import", path, "--annotator", "A1", "--no-model-assisted")
    assert "--annotator-kind" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run_cli(capsys, "import", path, "--annotator", "A1", "--annotator-kind", "robot")
    assert not project.train.exists()


def test_a_revision_replaces_earlier_labels_and_only_those(project, capsys):
    first = [exchange(), other()]
    assert _import(project, capsys, first, "--model-assisted", "--guidelines", "1.2")[0] == 0
    before = project.train.read_text().splitlines()
    revised = exchange()
    revised["actors"][2]["stance"] = "none"
    # A document without labels in train cannot be revised: nothing is written.
    code, _, err = _import(
        project, capsys, [revised, exchange("bundestag-103")], "--no-model-assisted",
        "--revision", "2",
    )  # fmt: skip
    assert code == 2 and "1 problem(s), nothing written" in err
    assert "line 2 (doc_id bundestag-103): field 'doc_id': is not labelled in train" in err
    assert project.train.read_text().splitlines() == before
    code, out, err = _import(project, capsys, [revised], "--no-model-assisted", "--revision", "2")
    assert code == 0, err
    assert "into train as revision 2 (0 added, 1 replaced)" in out
    lines = project.train.read_text().splitlines()
    assert lines[1] == before[1]  # the other document's line, byte for byte
    records = dict((r.doc_id, r) for _, r in read_standoff(project.train))
    made = records[DOC].provenance
    assert (made.revision, made.guidelines, made.annotator_kind) == (2, "1.3", "person")
    # The revision keeps the provenance of the labels it replaced.
    assert (made.revises.revision, made.revises.guidelines, made.revises.model_assisted) == (
        1,
        "1.2",
        True,
    )
    assert records[DOC].actors[2].stance == "none"
    assert records["bundestag-102"].provenance.revision == 1
    # Not twice, and not backwards.
    code, _, err = _import(project, capsys, [revised], "--no-model-assisted", "--revision", "2")
    assert code == 2 and "are revision 2: a revision must be newer" in err
    # A correction keeps to its revision.
    code, _, err = _import(project, capsys, [revised], "--no-model-assisted", "--replace")
    assert code == 2 and "are revision 2: --replace corrects labels of the same revision" in err
    code, out, _ = _import(
        project, capsys, [revised], "--no-model-assisted", "--replace", "--revision", "2"
    )
    assert code == 0 and "0 added, 1 replaced" in out
    corrected = dict((r.doc_id, r) for _, r in read_standoff(project.train))[DOC].provenance
    assert corrected.revises == made.revises
    code, _, err = _import(project, capsys, [revised], "--no-model-assisted", "--revision", "0")
    assert code == 2 and "--revision must be 1 or more" in err


def test_a_second_annotation_can_be_revised_but_not_corrected(project, capsys):
    flags = ("--split", "second_annotator", "--no-model-assisted")
    assert _import(project, capsys, [exchange(), other()], "--model-assisted")[0] == 0
    code, _, err = _import(project, capsys, [exchange()], *flags, "--revision", "2")
    assert code == 2 and "is not labelled in second_annotator: revision 2" in err
    assert _import(project, capsys, [exchange(), other()], *flags)[0] == 0
    second = project.root / "data" / "annotations" / "second_annotator.jsonl"
    before = second.read_text().splitlines()
    revised = exchange()
    revised["actors"][1]["sentiment"] = "neutral"
    code, out, err = _import(project, capsys, [revised], *flags, "--revision", "2")
    assert code == 0, err
    assert "into second_annotator as revision 2 (0 added, 1 replaced)" in out
    after = second.read_text().splitlines()
    assert after[1] == before[1] and after[0] != before[0]
    ((_, record), _) = read_standoff(second)
    assert (record.provenance.pass_, record.provenance.revision) == (2, 2)
    assert record.actors[1].sentiment == "neutral"


def test_committed_provenance_says_the_annotators_were_models():
    from armstance.corpus.load import labels_paths

    for split in ("train", "second_annotator"):
        (path,) = labels_paths(split)
        made = [r.provenance for _, r in read_standoff(path) if r.provenance]
        assert made and {p.annotator_kind for p in made} == {"model"}
        # The speeches and briefings: revision 2 under guidelines 1.3, made from revision 1
        # under 1.2, every pass keeping its own model assistance.
        revised = [p for p in made if p.revision == 2]
        assert revised and all(p.guidelines == "1.3" and p.revises.revision == 1 for p in revised)
        assert all(p.revises.guidelines == "1.2" for p in revised)
        assert all(p.model_assisted == p.revises.model_assisted for p in revised)


def _task(project, regions: list[Region], *, predictions: bool, updated="2025-02-03") -> dict:
    (doc,) = [
        d for d in read_source_documents([project.raw / "bundestag.jsonl"]) if d.doc_id == DOC
    ]
    return {
        "id": 7,
        "data": task_data(doc),
        "predictions": [{"result": []}] if predictions else [],
        "annotations": [
            {"id": 1, "result": to_results(regions, TEXT), "was_cancelled": False,
             "updated_at": f"{updated}T10:00:00.000Z"},
        ],
    }  # fmt: skip


def _span(needle: str, k: int = 0) -> tuple[int, int]:
    return find_all(TEXT, needle)[k]


def regions() -> list[Region]:
    return [
        Region("a", *_span("Moskau"), "Moskau", label="state", names=["Russia"],
               stance="against", sentiment="negative"),
        Region("b", *_span("NATO"), "NATO", label="organization", names=["NATO"],
               stance="favor", sentiment="neutral"),
        Region("e1", *_span(WARN), WARN, label="evidence", names=["Russia"]),
        Region("e2", *_span(NATO), NATO, label="evidence", names=["NATO", "Russia"]),
    ]  # fmt: skip


def _write_tasks(project, tasks) -> object:
    path = project.root / "export.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False))
    return path


def test_label_studio_export_becomes_stand_off_labels(project, capsys):
    unfinished = {"id": 8, "data": {"doc_id": "bundestag-102"}, "annotations": []}
    path = _write_tasks(project, [_task(project, regions(), predictions=True), unfinished])
    code, _, err = run_cli(capsys, "import", path, "--annotator", "A2", "--annotator-kind", "model")
    assert code == 0, err
    assert "task 8 (doc_id bundestag-102): no submitted annotation" in err
    ((_, record),) = read_standoff(project.train)
    assert record.provenance.model_assisted
    assert record.provenance.date == datetime.date(2025, 2, 3)
    russia, nato = record.actors
    assert (russia.actor, russia.stance, nato.actor, nato.stance) == (
        "Russia",
        "against",
        "NATO",
        "favor",
    )
    assert russia.evidence_spans == [_span(WARN), _span(NATO)]
    assert nato.alias_spans == find_all(TEXT, "NATO")
    # Pre-annotations were shown: the annotation cannot be declared unassisted.
    code, _, err = run_cli(
        capsys,
        "import",
        path,
        "--annotator",
        "A2",
        "--annotator-kind",
        "model",
        "--no-model-assisted",
        "--replace",
    )
    assert code == 2 and "task 7 (doc_id bundestag-101): field 'model_assisted'" in err


def _without(name: str):
    return lambda rs: [r for r in rs if r.id != name]


def _edit(name: str, **changes):
    def apply(rs):
        for r in rs:
            if r.id == name:
                for key, value in changes.items():
                    setattr(r, key, value)
        return rs

    return apply


LS_CASES = {
    "no stance": (_edit("a", stance=None), "actor 'Russia': stance is missing"),
    "two types": (
        lambda rs: [
            *rs,
            Region("c", *_span("Moskau", 1), "Moskau", label="group", names=["Russia"]),
        ],
        "actor 'Russia': type differs between mentions: ['group', 'state']",
    ),
    "unnamed mention": (_edit("b", names=[]), "a mention needs one canonical actor name"),
    "evidence for nobody": (
        _edit("e1", names=["Poland"]),
        "evidence for 'Poland', which has no mention",
    ),
    "stance on evidence": (_edit("e1", stance="favor"), "evidence carries no stance"),
    "no label": (_edit("b", label=None), "has no label"),
    "same span twice": (
        lambda rs: [*rs, Region("d", *_span("Moskau"), "Moskau", label="state", names=["Kyiv"])],
        "is marked as both 'Russia' and 'Kyiv'",
    ),
}


@pytest.mark.parametrize("case", LS_CASES)
def test_label_studio_problems_name_the_task_and_write_nothing(project, capsys, case):
    change, expected = LS_CASES[case]
    path = _write_tasks(project, [_task(project, change(regions()), predictions=False)])
    code, _, err = run_cli(capsys, "import", path, "--annotator", "A2", "--annotator-kind", "model")
    assert code == 2
    assert "task 7 (doc_id bundestag-101): field" in err and expected in err
    assert not project.train.exists()


def test_a_task_whose_text_changed_is_refused(project, capsys):
    task = _task(project, regions(), predictions=False)
    task["data"]["text"] = TEXT.replace("Moskau", "Moskva")
    code, _, err = run_cli(
        capsys,
        "import",
        _write_tasks(project, [task]),
        "--annotator",
        "A2",
        "--annotator-kind",
        "model",
    )
    assert code == 2 and "field 'data.text': differs from the rebuilt text" in err


def test_sample_draws_labelled_speeches_reproducibly(project, capsys):
    rows = [exchange(), other()]
    assert _import(project, capsys, rows, "--model-assisted")[0] == 0
    out = project.root / "sample.jsonl"
    code, stdout, _ = run_cli(capsys, "sample", "--n", "1", "--seed", "4", "--output", out)
    assert code == 0 and "drew 1 documents (seed 4)" in stdout
    (first,) = [json.loads(line)["doc_id"] for line in out.read_text().splitlines()]
    assert first in {DOC, "bundestag-102"}
    run_cli(capsys, "sample", "--n", "1", "--seed", "4", "--output", out)
    assert json.loads(out.read_text())["doc_id"] == first
    run_cli(capsys, "sample", "--n", "5", "--seed", "4", "--output", out)
    assert len(out.read_text().splitlines()) == 2


def test_sample_can_be_restricted_to_some_collections(project, capsys):
    labelled = ["bundestag-100", "whitehouse-2023-02-10-press-briefing-0", "kremlin-90001-0",
                "congress-2023-04-12-X000101-0", "congress-2023-04-12-X000101-1"]  # fmt: skip
    write_jsonl(project.train, [{"doc_id": d, "lang": "en", "text_sha256": "0" * 64,
                                 "actors": []} for d in labelled])  # fmt: skip
    out = project.root / "sample.csv"
    code, stdout, _ = run_cli(capsys, "sample", "--n", "9", "--source", "congress,kremlin",
                              "--output", out)  # fmt: skip
    assert code == 0 and "drew 3 documents" in stdout
    assert out.read_text().split() == ["doc_id", *sorted(labelled[2:])]
    with pytest.raises(SystemExit):
        run_cli(capsys, "sample", "--n", "1", "--source", "congress,nyt", "--output", out)
    assert "expected NAME[,NAME] of bundestag, whitehouse, kremlin" in capsys.readouterr().err


def test_an_export_of_another_shape_is_refused_per_task(project, capsys):
    path = _write_tasks(project, ["not a task", {"id": 3, "data": {"doc_id": "nyt-001"}}])
    code, _, err = run_cli(capsys, "import", path, "--annotator", "A2", "--annotator-kind", "model")
    assert code == 2 and "2 problem(s), nothing written" in err
    assert "task #0: field 'data': not a Label Studio task" in err
    assert "task 3 (doc_id nyt-001): field 'data.doc_id'" in err


def test_check_validates_and_writes_nothing(project, capsys):
    before = project.train.read_text() if project.train.exists() else None
    code, out, err = _import(project, capsys, [exchange(), other()], "--model-assisted", "--check")
    assert code == 0, err
    assert "2 documents, 6 actors, all valid (not written)" in out
    assert (project.train.read_text() if project.train.exists() else None) == before
    bad = exchange()
    bad["actors"][1]["evidence"] = ["Moskau warnt vor gar nichts."]
    code, _, err = _import(project, capsys, [bad], "--model-assisted", "--check")
    assert code != 0 and DOC in err and "evidence" in err
