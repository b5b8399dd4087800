"""`armstance annotate show`: a document as an annotator outside Label Studio reads it, with
the extractor's candidates (no stance) or a pass's labels on request; news refused."""

import json

from annotate_helpers import run_cli, speeches

pytest_plugins = ["fixtures_annotate"]

SPEECH = "bundestag-105"


def test_show_prints_text_and_metadata_only_by_default(project, capsys):
    code, out, _ = run_cli(capsys, "show", SPEECH)
    assert code == 0
    text = next(s["text"] for s in speeches() if s["doc_id"] == SPEECH)
    assert text in out and f"doc_id: {SPEECH}" in out
    assert "candidate actors" not in out and "labels" not in out


def test_candidates_name_types_and_surfaces_but_no_stance(project, capsys):
    code, out, _ = run_cli(capsys, "show", SPEECH, "--candidates")
    assert code == 0
    lines = out.split("candidate actors (extractor; no stance or sentiment):\n", 1)[1]
    assert "- Germany (state): Die Bundesregierung" in lines
    assert "- Russia (state): Russland | Moskau" in lines
    assert not any(word in lines for word in ("favor", "against", "neutral"))


def test_labels_are_shown_in_the_exchange_format(project, capsys):
    label = {
        "doc_id": SPEECH,
        "lang": "de",
        "actors": [
            {
                "actor": "Russia",
                "type": "state",
                "aliases": ["Moskau"],
                "stance": "against",
                "sentiment": "negative",
                "evidence": ["Moskau warnt vor neuen Waffenlieferungen."],
            }
        ],
    }
    exchange = project.root / "labels.jsonl"
    exchange.write_text(json.dumps(label) + "\n", encoding="utf-8")
    args = ("--annotator", "A1", "--annotator-kind", "model", "--no-model-assisted")
    assert run_cli(capsys, "import", exchange, *args)[0] == 0
    code, out, err = run_cli(capsys, "show", SPEECH, "--labels", "train")
    assert code == 0, err
    shown = json.loads(out.split("labels (exchange format):\n", 1)[1].splitlines()[0])
    assert shown == label["actors"][0]


def test_news_and_unknown_documents_are_refused_before_any_text_is_read(project, capsys):
    code, _, err = run_cli(capsys, "show", "guardian-001")
    assert code == 2 and "blind evaluation set" in err
    code, _, err = run_cli(capsys, "show", "bundestag-999999")
    assert code == 2 and "no rebuilt text" in err
