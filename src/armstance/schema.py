"""Records shared by every stage of the pipeline.

Two label forms exist (DESIGN.md, Contracts):
- the *exchange* form of GUIDELINES §6 (aliases and evidence as strings), used by the
  annotation files and by what `predict` writes;
- the *stand-off* form committed in git (character offsets plus the text's sha256), so that
  no third-party text enters the repository.
"""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Lang = Literal["fr", "en", "de"]
LANGS: tuple[str, ...] = ("fr", "en", "de")
Stance = Literal["favor", "against", "none"]
STANCES: tuple[str, ...] = ("favor", "against", "none")
Sentiment = Literal["positive", "neutral", "negative"]
SENTIMENTS: tuple[str, ...] = ("positive", "neutral", "negative")
ActorType = Literal["state", "person", "organization", "group"]
ACTOR_TYPES: tuple[str, ...] = ("state", "person", "organization", "group")
TASK_LABELS: dict[str, tuple[str, ...]] = {"stance": STANCES, "sentiment": SENTIMENTS}

Span = tuple[int, int]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Document(BaseModel):
    """One news item. `text` is kept exactly as in the source: offsets index into it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    doc_id: str = Field(min_length=1)
    lang: Lang | None = None
    text: str
    title: str | None = None
    published: str | None = None


class ActorAnnotation(Record):
    """One actor of a document in the exchange form (GUIDELINES §6)."""

    actor: str = Field(min_length=1)
    type: ActorType
    aliases: list[str] = Field(min_length=1)
    stance: Stance
    sentiment: Sentiment
    evidence: list[str] = Field(default_factory=list)


class DocumentAnnotation(Record):
    doc_id: str = Field(min_length=1)
    lang: Lang
    actors: list[ActorAnnotation]


class StandoffActor(Record):
    actor: str = Field(min_length=1)
    type: ActorType
    stance: Stance
    sentiment: Sentiment
    alias_spans: list[Span] = Field(min_length=1)
    evidence_spans: list[Span] = Field(default_factory=list)

    @field_validator("alias_spans", "evidence_spans")
    @classmethod
    def _ordered(cls, spans: list[Span]) -> list[Span]:
        for start, end in spans:
            if not 0 <= start < end:
                raise ValueError(f"span [{start}, {end}] must satisfy 0 <= start < end")
        return spans


AnnotatorKind = Literal["model", "person"]
ANNOTATOR_KINDS: tuple[str, ...] = ("model", "person")


class Provenance(Record):
    """Who labelled a document, how and when (written by `armstance annotate import`).

    `annotator_kind` says who made the labels: a language model or a person. `pass` is
    which annotation of the document this is: 1 for the labels the models learn from, 2 for
    an independent second annotation. `revision` counts the labels of that pass: 1 for the
    first, 2 (3, ...) for labels that replaced them under a newer guidelines version.
    `model_assisted` says whether the annotator saw the model's pre-annotations. `revises`
    is the provenance of the labels a revision replaced, so the history stays on the record.
    """

    model_config = ConfigDict(validate_by_name=True, serialize_by_alias=True)

    annotator: str = Field(min_length=1)
    annotator_kind: AnnotatorKind
    pass_: int = Field(alias="pass", ge=1)
    revision: int = Field(default=1, ge=1)
    model_assisted: bool
    guidelines: str = Field(min_length=1)
    date: datetime.date
    revises: Provenance | None = None


class StandoffDocument(Record):
    doc_id: str = Field(min_length=1)
    lang: Lang
    text_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    actors: list[StandoffActor]
    # Labels older than the annotation loop carry none.
    provenance: Provenance | None = None


class ActorJudgement(Record):
    """What the pipeline says about one actor: the exchange form plus probabilities."""

    actor: str
    type: ActorType
    aliases: list[str]
    stance: Stance
    sentiment: Sentiment
    evidence: list[str]
    stance_proba: dict[str, float]
    sentiment_proba: dict[str, float]

    @model_validator(mode="after")
    def _complete_distributions(self) -> ActorJudgement:
        for task, proba in (("stance", self.stance_proba), ("sentiment", self.sentiment_proba)):
            if set(proba) != set(TASK_LABELS[task]):
                raise ValueError(f"{task}_proba must have keys {TASK_LABELS[task]}")
        return self


class DocumentPrediction(Record):
    doc_id: str
    lang: Lang
    actors: list[ActorJudgement]


class Mention(Record):
    """One occurrence of an actor in a text: [start, end) into Document.text. A `role`
    mention ("the Chancellor" for the chancellor the text names) is context for the
    actor's unit, not an alias (GUIDELINES §5)."""

    start: int = Field(ge=0)
    end: int
    surface: str
    role: bool = False


class ExtractedActor(Record):
    """An actor found in one document, its aliases merged under one canonical name."""

    actor: str
    type: ActorType
    mentions: list[Mention]

    @property
    def aliases(self) -> list[str]:
        return list(dict.fromkeys(m.surface for m in self.mentions if not m.role))


class GoldActor(ActorAnnotation):
    """A gold actor joined back to its text: the exchange form plus the stand-off offsets."""

    alias_spans: list[Span]
    evidence_spans: list[Span] = Field(default_factory=list)


class GoldDocument(Record):
    doc_id: str
    lang: Lang
    text: str
    title: str | None = None
    split: str
    actors: list[GoldActor]

    def to_annotation(self) -> DocumentAnnotation:
        fields = set(ActorAnnotation.model_fields)
        return DocumentAnnotation(
            doc_id=self.doc_id,
            lang=self.lang,
            actors=[ActorAnnotation(**a.model_dump(include=fields)) for a in self.actors],
        )


class Unit(Record):
    """One (document, actor) pair: the sentences that mention the actor, mentions marked.

    `marked_sentences[i]` is the document's `sentence_spans[i]` with the actor's mentions
    wrapped in ACTOR_OPEN/ACTOR_CLOSE. Labels are None at inference time.
    """

    doc_id: str
    lang: Lang
    actor: str
    actor_type: ActorType
    marked_sentences: list[str] = Field(min_length=1)
    sentence_spans: list[Span] = Field(min_length=1)
    stance: Stance | None = None
    sentiment: Sentiment | None = None

    @property
    def text(self) -> str:
        return " ".join(self.marked_sentences)


ACTOR_OPEN, ACTOR_CLOSE = "[[", "]]"
