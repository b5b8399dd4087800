"""`armstance annotate export`: Label Studio tasks pre-annotated by the champion, or text
only; the regions they carry and what the committed labelling config names."""

import json
import xml.etree.ElementTree as ET

import pytest

from annotate_helpers import run_cli, write_jsonl
from armstance.annotate.importer import actors_from_regions
from armstance.annotate.tasks import (
    CHOICES,
    CONTROLS,
    LABELS,
    TEXT,
    Region,
    TaskFieldError,
    Utf16Offsets,
    from_results,
    label_config,
    to_results,
)
from armstance.corpus.standoff import find_all, text_sha256

pytest_plugins = ["fixtures_annotate"]

SPEECH = "bundestag-105"


@pytest.mark.slow
def test_export_pre_annotates_every_mention_with_the_champion(project, champion, capsys):
    out = project.root / "annotation" / "tasks.json"
    code, stdout, _ = run_cli(
        capsys, "export", SPEECH, "whitehouse-2023-02-10-press-briefing-0", "--output", out
    )
    assert code == 0, stdout
    assert "2 tasks, pre-annotated by models:/armstance@champion (version 1)" in stdout
    task, briefing = json.loads(out.read_text())
    data = task["data"]
    text = data["text"]
    assert data["text_sha256"] == text_sha256(text)
    assert data["heading"] == (
        f"{SPEECH} · Abgeordnete Nummer 5 (Die Linke) · 2024-06-15 · Tagesordnungspunkt 5"
    )
    (prediction,) = task["predictions"]
    assert prediction["model_version"] == "models:/armstance@champion (version 1)"
    regions = from_results(prediction["result"], text)
    actors = {a.actor: a for a in actors_from_regions(regions)}
    assert {"Germany", "Russia", "Ukraine"} <= set(actors)
    for actor in actors.values():
        # Every occurrence of every alias is a mention; stance and sentiment sit on the first.
        spans = sorted({s for alias in actor.aliases for s in find_all(text, alias)})
        mentions = [r for r in regions if r.names == [actor.actor] and r.label != "evidence"]
        assert [r.span for r in mentions] == spans
        assert mentions[0].stance == actor.stance and mentions[0].sentiment == actor.sentiment
        assert all(r.stance is None for r in mentions[1:])
        assert actor.evidence and all(e in text for e in actor.evidence)
    assert briefing["data"]["lang"] == "en" and briefing["predictions"][0]["result"]


def test_export_without_predictions_loads_no_model(project, capsys):
    out = project.root / "second.json"
    code, stdout, _ = run_cli(
        capsys, "export", SPEECH, "--no-predictions", "--model", "models:/nothing@here",
        "--output", out,
    )  # fmt: skip
    assert code == 0 and "without pre-annotations" in stdout
    (task,) = json.loads(out.read_text())
    assert set(task) == {"data"}


def test_statements_are_exported_with_member_party_and_date(project, capsys):
    release = {"doc_id": "congress-2023-04-12-X000101-0", "title": "Example Opposes Aid",
               "text": "Example Opposes Aid\n\nBeijing opposes any arms deliveries.",
               "speaker": "Jane Example", "party": "Republican", "date": "2023-04-12"}  # fmt: skip
    write_jsonl(project.raw / "congress.jsonl", [release])
    out = project.root / "tasks.json"
    code, _, err = run_cli(capsys, "export", release["doc_id"], "--no-predictions", "--output", out)
    assert code == 0, err
    (task,) = json.loads(out.read_text())
    assert task["data"]["heading"] == (
        "congress-2023-04-12-X000101-0 · Jane Example (Republican) · 2023-04-12 · "
        "Example Opposes Aid"
    )
    assert (task["data"]["lang"], task["data"]["source"]) == ("en", "congress")


@pytest.mark.parametrize("doc_id", ["tagesschau-0001", "guardian-000", "seed-0001"])
def test_export_refuses_other_sources(project, capsys, doc_id):
    out = project.root / "tasks.json"
    code, _, err = run_cli(capsys, "export", SPEECH, doc_id, "--no-predictions", "--output", out)
    assert code == 2 and "never selected, labelled or trained on" in err
    assert not out.exists()


def test_export_names_documents_without_a_text(project, capsys):
    code, _, err = run_cli(
        capsys, "export", "bundestag-999", "--no-predictions", "--output", project.root / "t.json"
    )
    assert code == 2 and "no rebuilt text for ['bundestag-999']" in err


def test_offsets_count_utf16_units_outside_the_basic_plane():
    text = "𝔘 Die NATO 🙂 liefert. NATO!"
    nato = find_all(text, "NATO")
    regions = [
        Region("m0", *nato[0], "NATO", label="organization", names=["NATO"], stance="favor"),
        Region("m1", *nato[1], "NATO", label="organization", names=["NATO"]),
    ]
    results = to_results(regions, text)
    # JavaScript sees one more unit per astral character before the span.
    assert results[0]["value"]["start"] == nato[0][0] + 1
    assert next(r for r in results if r["id"] == "m1")["value"]["start"] == nato[1][0] + 2
    assert [r.span for r in from_results(results, text)] == nato
    offsets = Utf16Offsets(text)
    with pytest.raises(ValueError, match="surrogate pair"):
        offsets.to_py(1)


def test_results_must_match_the_text_and_the_config():
    text = "Berlin liefert."
    good = to_results([Region("r", 0, 6, "Berlin", label="state", names=["Germany"])], text)
    assert from_results(good, "Berlin liefert.")[0].names == ["Germany"]
    bad_text = [{**good[0], "value": {**good[0]["value"], "text": "Bernin"}}]
    with pytest.raises(TaskFieldError, match="differs from the rebuilt one"):
        from_results(bad_text, text)
    out_of_range = [{**good[0], "value": {**good[0]["value"], "end": 99}}]
    with pytest.raises(TaskFieldError, match="out of range"):
        from_results(out_of_range, text)
    unknown = [{**good[0], "value": {**good[0]["value"], "labels": ["country"]}}]
    with pytest.raises(TaskFieldError, match="label 'country' is not one of"):
        from_results(unknown, text)
    with pytest.raises(TaskFieldError, match="not a control of the labelling config"):
        from_results([{**good[0], "from_name": "relation"}], text)


def test_the_committed_config_names_what_the_tasks_use():
    root = ET.fromstring(label_config())
    (text,) = root.iter("Text")
    assert (text.get("name"), text.get("value")) == (TEXT, "$text")
    controls = {el.get("name"): el for el in root.iter() if el.get("toName") == TEXT}
    assert set(controls) == set(CONTROLS)
    assert [el.get("value") for el in controls["label"].iter("Label")] == list(LABELS)
    for name, values in CHOICES.items():
        assert [el.get("value") for el in controls[name].iter("Choice")] == list(values)
        assert controls[name].get("perRegion") == "true"
    assert controls["actor"].tag == "TextArea" and controls["actor"].get("perRegion") == "true"
    assert root.find(".//Header").get("value") == "$heading"
