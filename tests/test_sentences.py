"""The sentence splitter on the boundary set (tests/sentence_boundaries.yaml, which the
benchmark benchmarks/sentence_splitters.py reads too) and on what units rely on: spans."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from armstance.text.sentences import split_sentences

CASES = yaml.safe_load((Path(__file__).with_name("sentence_boundaries.yaml")).read_text())["cases"]


def sentences(text: str, lang: str | None) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, lang)]


def test_the_set_is_sound():
    assert len(CASES) >= 60
    assert {case["lang"] for case in CASES} == {"fr", "de", "en"}
    assert len({case["id"] for case in CASES}) == len(CASES)
    for case in CASES:
        position = 0
        for sentence in case["sentences"]:
            # Expected sentences are the text's own characters, in order, trimmed.
            found = case["text"].find(sentence, position)
            assert found >= 0 and sentence == sentence.strip(), (case["id"], sentence)
            position = found + len(sentence)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_boundaries(case):
    assert sentences(case["text"], case["lang"]) == case["sentences"]


def test_spans_index_the_original_text_with_whitespace_trimmed():
    text = "  Erste Zeile ohne Punkt\n\nZweite Zeile! Dritter Satz?  "
    spans = split_sentences(text, "de")
    assert [text[s:e] for s, e in spans] == [
        "Erste Zeile ohne Punkt",
        "Zweite Zeile!",
        "Dritter Satz?",
    ]
    assert spans[0] == (2, 24)


def test_spans_are_ordered_and_disjoint_and_cover_every_word():
    text = "\n".join(case["text"] for case in CASES)
    spans = split_sentences(text, None)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    covered = "".join(text[s:e] for s, e in spans)
    assert "".join(covered.split()) == "".join(text.split())


def test_empty_text_has_no_sentences():
    assert split_sentences("   \n ", "en") == []


def test_a_long_text_is_split_in_linear_time():
    # The look-back is bounded: a long run of abbreviations must not make it quadratic.
    text = "Dr. " * 20_000 + "Ende."
    assert sentences(text, "de")[-1].endswith("Ende.")
