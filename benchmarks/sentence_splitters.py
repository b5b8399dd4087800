"""Sentence splitters on the project's boundary set: accuracy and speed.

    python benchmarks/sentence_splitters.py [--repeat 20]

Reads tests/sentence_boundaries.yaml (invented French, German and English cases with the
sentences expected) and scores each splitter: the share of cases whose sentence list it
gets exactly right, and boundary precision and recall (a boundary = where a sentence after
the first starts, whitespace trimmed). Speed: sentences per second over the set repeated
`--repeat` times (one call per case), and characters per second on one document made of
all the cases' texts joined by blank lines (a few thousand characters).

Splitters: armstance.text.sentences; pysbd (clean=False, char_span=True); spaCy, the
`senter` of fr_core_news_md for French and a blank pipeline with the rule-based
`sentencizer` for English and German. One that is not installed is skipped, and said so.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from armstance.schema import Span
from armstance.text.sentences import split_sentences

SET = Path(__file__).resolve().parents[1] / "tests" / "sentence_boundaries.yaml"
LANGS = ("fr", "de", "en")
Splitter = Callable[[str, str], list[Span]]


@dataclass(frozen=True)
class Case:
    id: str
    lang: str
    text: str
    sentences: list[str]

    def boundaries(self) -> set[int]:
        starts, position = [], 0
        for sentence in self.sentences:
            start = self.text.index(sentence, position)
            starts.append(start)
            position = start + len(sentence)
        return set(starts[1:])


def trimmed(text: str, spans: list[Span]) -> list[Span]:
    out = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append((start, end))
    return out


def pysbd_splitter() -> Splitter | str:
    if importlib.util.find_spec("pysbd") is None:
        return "pysbd is not installed (pip install pysbd==0.3.4)"
    import pysbd

    segmenters = {
        lang: pysbd.Segmenter(language=lang, clean=False, char_span=True) for lang in LANGS
    }

    def split(text: str, lang: str) -> list[Span]:
        return trimmed(text, [(s.start, s.end) for s in segmenters[lang].segment(text)])

    return split


def spacy_splitter() -> Splitter | str:
    import spacy

    if importlib.util.find_spec("fr_core_news_md") is None:
        return "fr_core_news_md is not installed"
    french = spacy.load("fr_core_news_md", exclude=["parser", "ner", "lemmatizer"])
    french.enable_pipe("senter")
    nlps = {"fr": french}
    for lang in ("de", "en"):
        nlps[lang] = spacy.blank(lang)
        nlps[lang].add_pipe("sentencizer")

    def split(text: str, lang: str) -> list[Span]:
        doc = nlps[lang](text)
        return trimmed(text, [(s.start_char, s.end_char) for s in doc.sents])

    return split


SPLITTERS: dict[str, Callable[[], Splitter | str]] = {
    "armstance": lambda: split_sentences,
    "pysbd": pysbd_splitter,
    "spacy": spacy_splitter,
}


@dataclass
class Score:
    cases: int = 0
    exact: int = 0
    true_positive: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, case: Case, spans: list[Span]) -> None:
        got = [case.text[s:e] for s, e in spans]
        predicted = {s for s, _ in spans[1:]}
        gold = case.boundaries()
        self.cases += 1
        self.exact += got == case.sentences
        self.true_positive += len(predicted & gold)
        self.predicted += len(predicted)
        self.gold += len(gold)

    def row(self) -> str:
        precision = self.true_positive / self.predicted if self.predicted else float("nan")
        recall = self.true_positive / self.gold if self.gold else float("nan")
        return (
            f"{self.exact:3d}/{self.cases:<3d} exact ({self.exact / self.cases:6.1%})"
            f"  boundary P {precision:.3f} R {recall:.3f}"
        )


def accuracy(split: Splitter, cases: list[Case]) -> dict[str, Score]:
    scores = {lang: Score() for lang in (*LANGS, "all")}
    for case in cases:
        spans = split(case.text, case.lang)
        scores[case.lang].add(case, spans)
        scores["all"].add(case, spans)
    return scores


def speed(split: Splitter, cases: list[Case], repeat: int) -> tuple[float, float, float]:
    """Sentences/s over the set repeated; characters/s and sentences/s on one document."""
    started = time.perf_counter()
    found = 0
    for _ in range(repeat):
        for case in cases:
            found += len(split(case.text, case.lang))
    set_rate = found / (time.perf_counter() - started)
    chars = chars_found = 0
    started = time.perf_counter()
    for lang in LANGS:
        document = "\n\n".join(case.text for case in cases if case.lang == lang)
        for _ in range(repeat):
            chars_found += len(split(document, lang))
            chars += len(document)
    seconds = time.perf_counter() - started
    return set_rate, chars / seconds, chars_found / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="passes over the set")
    args = parser.parse_args()
    cases = [Case(**case) for case in yaml.safe_load(SET.read_text())["cases"]]
    document_chars = sum(len(case.text) + 2 for case in cases)
    print(
        f"{len(cases)} cases ({', '.join(LANGS)}), {sum(len(c.sentences) for c in cases)}"
        f" sentences; documents of {document_chars} characters in all"
    )
    for name, make in SPLITTERS.items():
        started = time.perf_counter()
        split = make()
        if isinstance(split, str):
            print(f"\n{name}: skipped, {split}")
            continue
        print(f"\n{name} (loaded in {time.perf_counter() - started:.2f} s)")
        for lang, score in accuracy(split, cases).items():
            print(f"  {lang:<4} {score.row()}")
        set_rate, char_rate, doc_rate = speed(split, cases, args.repeat)
        print(
            f"  speed: {set_rate:,.0f} sentences/s over the set (x{args.repeat});"
            f" one document a language: {char_rate:,.0f} characters/s,"
            f" {doc_rate:,.0f} sentences/s"
        )


if __name__ == "__main__":
    main()
