"""One unit per (document, actor): the sentences that mention the actor, mentions marked.

Training (gold actors, "oracle") and inference (extracted actors) go through the same
`UnitBuilder.build`, so the models see identical inputs in both settings. Both read the
text's clean view (text/cleaning.py: no turn markers, no footnote digits), whose offsets
are the text's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from armstance.actors.speaker import find_speakers, first_person
from armstance.schema import (
    ACTOR_CLOSE,
    ACTOR_OPEN,
    Document,
    ExtractedActor,
    GoldDocument,
    Span,
    Unit,
)
from armstance.text.cleaning import clean_view
from armstance.text.sentences import split_sentences


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Union of overlapping spans ("Jens Stoltenberg" and its "Stoltenberg"), sorted."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def mark(text: str, start: int, end: int, mentions: Sequence[Span]) -> str:
    """text[start:end] with every mention inside it wrapped in ACTOR_OPEN/ACTOR_CLOSE."""
    out, cursor = [], start
    for m_start, m_end in mentions:
        if m_start < start or m_end > end:
            continue
        out += [text[cursor:m_start], ACTOR_OPEN, text[m_start:m_end], ACTOR_CLOSE]
        cursor = m_end
    out.append(text[cursor:end])
    return "".join(out)


def unmark(marked: str) -> tuple[str, list[Span]]:
    """The inverse of `mark`: the plain text and the spans of the marked mentions in it."""
    plain: list[str] = []
    spans: list[Span] = []
    cursor = length = 0
    while (start := marked.find(ACTOR_OPEN, cursor)) != -1:
        end = marked.find(ACTOR_CLOSE, start + len(ACTOR_OPEN))
        if end == -1:
            break
        before = marked[cursor:start]
        mention = marked[start + len(ACTOR_OPEN) : end]
        plain += [before, mention]
        length += len(before)
        spans.append((length, length + len(mention)))
        length += len(mention)
        cursor = end + len(ACTOR_CLOSE)
    plain.append(marked[cursor:])
    return "".join(plain), spans


def mentioning_sentences(
    sentence_spans: Sequence[Span], marks: Sequence[Span], limit: int
) -> list[Span]:
    """The first `limit` sentences overlapping a mark; both inputs sorted, marks disjoint.

    One sweep over both lists: a 1 MB text has tens of thousands of each."""
    chosen: list[Span] = []
    j = 0
    for start, end in sentence_spans:
        while j < len(marks) and marks[j][1] <= start:
            j += 1
        if j < len(marks) and marks[j][0] < end:
            chosen.append((start, end))
            if len(chosen) == limit:
                break
    return chosen


def with_following(sentence_spans: Sequence[Span], chosen: Sequence[Span], n: int) -> list[Span]:
    """`chosen` (sentences of `sentence_spans`) and the `n` sentences after each: a warning
    or a refusal is often the sentence after the one that names the actor ("X met Y. He
    warned against further deliveries.")."""
    if n <= 0:
        return list(chosen)
    index = {span: i for i, span in enumerate(sentence_spans)}
    keep = {index[s] + k for s in chosen if s in index for k in range(n + 1)}
    extra = [sentence_spans[i] for i in sorted(keep) if i < len(sentence_spans)]
    return sorted({*chosen, *extra})


def with_speaker(text: str, lang: str, mentions: Sequence[list[Span]]) -> list[list[Span]]:
    """Each actor's mention spans, the speaker's joined by their first-person spans in their
    own turns (actors/speaker.py): the actor with a mention where a speaker is named."""
    out = [list(spans) for spans in mentions]
    for speaker in find_speakers(text):
        start, end = speaker.name
        named = [i for i, spans in enumerate(out) if any(s < end and start < e for s, e in spans)]
        if named:
            singular, plural = first_person(text, lang, speaker.turns)
            out[named[0]] += singular + plural
    return out


@dataclass(frozen=True)
class UnitBuilder:
    """`max_sentences` keeps the first N mentioning sentences (news puts the gist first).
    `speaker`: the speaker's first-person sentences join their unit (GUIDELINES §9.1).
    `following`: each mentioning sentence brings the N sentences after it."""

    max_sentences: int = 12
    speaker: bool = False
    following: int = 0

    def build(
        self,
        *,
        doc_id: str,
        lang: str,
        text: str,
        actor: str,
        actor_type: str,
        mentions: Iterable[Span],
        sentence_spans: Sequence[Span],
        stance: str | None = None,
        sentiment: str | None = None,
    ) -> Unit:
        marks = merge_spans(mentions)
        chosen = mentioning_sentences(sentence_spans, marks, self.max_sentences)
        if not chosen:
            # A mention that straddles a sentence boundary: fall back to its own span.
            chosen = [marks[0]]
        chosen = with_following(sentence_spans, chosen, self.following)
        return Unit(
            doc_id=doc_id,
            lang=lang,
            actor=actor,
            actor_type=actor_type,
            marked_sentences=[mark(text, s, e, marks) for s, e in chosen],
            sentence_spans=chosen,
            stance=stance,
            sentiment=sentiment,
        )

    def mentions(self, text: str, lang: str, spans: Sequence[list[Span]]) -> list[list[Span]]:
        """The mention spans each unit marks: the actors' own, and with `speaker` the
        speaker's first person (read on the text itself: the clean view has no turn markers)."""
        return with_speaker(text, lang, spans) if self.speaker else [list(s) for s in spans]

    def from_gold(self, doc: GoldDocument) -> list[Unit]:
        text = clean_view(doc.text)
        sentences = split_sentences(text, doc.lang)
        spans = self.mentions(doc.text, doc.lang, [a.alias_spans for a in doc.actors])
        return [
            self.build(
                doc_id=doc.doc_id,
                lang=doc.lang,
                text=text,
                actor=a.actor,
                actor_type=a.type,
                mentions=marks,
                sentence_spans=sentences,
                stance=a.stance,
                sentiment=a.sentiment,
            )
            for a, marks in zip(doc.actors, spans, strict=True)
        ]

    def from_extracted(
        self, doc: Document, lang: str, actors: Sequence[ExtractedActor]
    ) -> list[Unit]:
        text = clean_view(doc.text)
        sentences = split_sentences(text, lang)
        spans = self.mentions(
            doc.text, lang, [[(m.start, m.end) for m in a.mentions] for a in actors]
        )
        return [
            self.build(
                doc_id=doc.doc_id,
                lang=lang,
                text=text,
                actor=a.actor,
                actor_type=a.type,
                mentions=marks,
                sentence_spans=sentences,
            )
            for a, marks in zip(actors, spans, strict=True)
        ]

    def sentence_units(self, unit: Unit) -> list[Unit]:
        """One single-sentence unit per context sentence, to find the evidence sentence."""
        return [
            unit.model_copy(update={"marked_sentences": [m], "sentence_spans": [span]})
            for m, span in zip(unit.marked_sentences, unit.sentence_spans, strict=True)
        ]
