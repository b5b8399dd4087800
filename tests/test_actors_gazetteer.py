"""The gazetteer file, its alias syntax and its matcher, on texts written for the tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from armstance.actors import gazetteer as gz
from armstance.errors import DataError


@pytest.fixture(scope="module")
def gazetteer() -> gz.Gazetteer:
    return gz.load()


def found(gazetteer: gz.Gazetteer, text: str, lang: str) -> list[tuple[str, str]]:
    return [(h.surface, h.entry.actor) for h in gazetteer.match(text, lang)]


def test_optional_parts_expand_to_every_form():
    assert gz.expand("Bundestag[es|s]") == ["Bundestag", "Bundestages", "Bundestags"]
    assert gz.expand("[die ]Ukrainer[n]") == [
        "Ukrainer",
        "Ukrainern",
        "die Ukrainer",
        "die Ukrainern",
    ]


def test_trie_regex_prefers_the_longest_form():
    pattern = re.compile(rf"(?:{gz.trie_regex(['EU', 'EU-Kommission', 'Europa'])})(?!\w)")
    assert [m.group() for m in pattern.finditer("EU-Kommission, EU, Europa")] == [
        "EU-Kommission",
        "EU",
        "Europa",
    ]


def test_canonical_names_follow_the_training_labels(gazetteer):
    for name in [
        "Volodymyr Zelensky",
        "Recep Tayyip Erdoğan",
        "United States",
        "the West",
        "Oleksii Reznikov",
        "European Union",
        "Greens",
        "Die Linke",
    ]:
        assert name in gazetteer.types


def test_metonyms_map_to_their_state(gazetteer):
    assert found(gazetteer, "Le Kremlin a averti Washington.", "fr") == [
        ("Le Kremlin", "Russia"),
        ("Washington", "United States"),
    ]
    assert found(gazetteer, "Berlin liefert, Moskau droht, Kiew dankt.", "de") == [
        ("Berlin", "Germany"),
        ("Moskau", "Russia"),
        ("Kiew", "Ukraine"),
    ]
    assert found(gazetteer, "the Pentagon said", "en") == [("the Pentagon", "United States")]
    assert all(h.entry.metonym for h in gazetteer.match("the Pentagon said", "en"))


def test_demonym_phrases_name_the_state(gazetteer):
    assert found(gazetteer, "selon les responsables sud-coréens", "fr") == [
        ("les responsables sud-coréens", "South Korea")
    ]
    assert found(gazetteer, "The German government and Russian officials", "en") == [
        ("The German government", "Germany"),
        ("Russian officials", "Russia"),
    ]
    assert found(gazetteer, "Die ukrainische Regierung bat darum.", "de") == [
        ("ukrainische Regierung", "Ukraine")
    ]


def test_german_inflection(gazetteer):
    text = "Deutschlands Zusage, Russlands Drohung, im Namen des Bundestages und der Ukraine"
    assert found(gazetteer, text, "de") == [
        ("Deutschlands", "Germany"),
        ("Russlands", "Russia"),
        ("Bundestages", "Bundestag"),
        ("Ukraine", "Ukraine"),
    ]


def test_both_apostrophes_match_and_spans_index_the_original_text(gazetteer):
    text = "l’Allemagne et l'Allemagne"
    hits = gazetteer.match(text, "fr")
    assert [(h.surface, h.entry.actor) for h in hits] == [
        ("l’Allemagne", "Germany"),
        ("l'Allemagne", "Germany"),
    ]
    assert all(text[h.start : h.end] == h.surface for h in hits)


def test_acronyms_are_case_sensitive_and_words_are_whole(gazetteer):
    assert found(gazetteer, "Tell us about the Russians.", "en") == [("the Russians", "Russia")]
    assert found(gazetteer, "die linke Hand, die Linke", "de") == [("die Linke", "Die Linke")]
    assert found(gazetteer, "Ostukraine", "de") == []


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "gazetteer.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_bad_type_is_reported_with_file_and_field(tmp_path):
    path = _write(tmp_path, "actors:\n  - name: Atlantis\n    type: island\n")
    with pytest.raises(DataError, match=r"gazetteer.yaml.*actors\[0\]\.type"):
        gz.load(path)


def test_one_form_for_two_actors_is_an_error(tmp_path):
    body = (
        "actors:\n"
        "  - {name: A, type: state, aliases: {en: [Alpha]}}\n"
        "  - {name: B, type: state, aliases: {all: [Alpha]}}\n"
    )
    with pytest.raises(DataError, match="'Alpha' already names A"):
        gz.load(_write(tmp_path, body))
