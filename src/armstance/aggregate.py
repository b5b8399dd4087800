"""From unit probabilities to one judgement per (document, actor), with its evidence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from armstance.decision.rules import ClassWeights
from armstance.schema import SENTIMENTS, STANCES, ActorJudgement, Unit

MAX_EVIDENCE_CHARS = 300  # GUIDELINES §5


def evidence_text(text: str, start: int, end: int) -> str:
    """text[start:end], cut at a word boundary to the guideline's limit: still a substring."""
    if end - start <= MAX_EVIDENCE_CHARS:
        return text[start:end]
    cut = text.rfind(" ", start, start + MAX_EVIDENCE_CHARS)
    return text[start : cut if cut > start else start + MAX_EVIDENCE_CHARS]


def pick_evidence(stance: str, sentiment: str, sentence_proba: dict[str, np.ndarray]) -> int:
    """Index of the context sentence that most supports the decision.

    For a stance the sentence whose own stance probability for that label is highest; for
    stance `none`, the sentence carrying the sentiment if that is not neutral; else the
    first mention (GUIDELINES §5: for `none`, the main mention).
    """
    if stance != "none":
        return int(sentence_proba["stance"][:, STANCES.index(stance)].argmax())
    if sentiment != "neutral":
        return int(sentence_proba["sentiment"][:, SENTIMENTS.index(sentiment)].argmax())
    return 0


def judge(
    unit: Unit,
    aliases: Sequence[str],
    text: str,
    stance_proba: np.ndarray,
    sentiment_proba: np.ndarray,
    sentence_proba: dict[str, np.ndarray],
    decisions: dict[str, ClassWeights],
) -> ActorJudgement:
    """The labels are the decision rules' (argmax of weighted probabilities); the
    probabilities reported are the model's, unweighted."""
    stance = STANCES[int(decisions["stance"].decide(stance_proba))]
    sentiment = SENTIMENTS[int(decisions["sentiment"].decide(sentiment_proba))]
    start, end = unit.sentence_spans[pick_evidence(stance, sentiment, sentence_proba)]
    return ActorJudgement(
        actor=unit.actor,
        type=unit.actor_type,
        aliases=list(aliases),
        stance=stance,
        sentiment=sentiment,
        evidence=[evidence_text(text, start, end)],
        stance_proba={k: round(float(p), 6) for k, p in zip(STANCES, stance_proba, strict=True)},
        sentiment_proba={
            k: round(float(p), 6) for k, p in zip(SENTIMENTS, sentiment_proba, strict=True)
        },
    )
