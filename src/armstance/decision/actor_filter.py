"""Which extracted candidates are actors: a learned filter between the extractor and the user.

The extractor finds every state, person and organisation a text names; the annotators list
only those that take a stance, are prominent or are tied to weapons for Ukraine (GUIDELINES
§2). A candidate is *listed* when the scoring matcher pairs it with a gold actor. The filter
is a logistic regression over features of the candidate in its document (how often, where
and near which cues it is mentioned, its type and shape, and the classifiers' own stance and
sentiment probabilities for it) that estimates P(listed); candidates below the threshold are
not reported.

It is fitted, like the decision weights, on inner out-of-fold predictions of the training
documents (decision/fit.py), so the probabilities it learns from are those of models that
did not see the document. The threshold is chosen inside those training documents too: the
highest one that still keeps `keep` of the listed candidates in a grouped (by document)
cross-validation of the filter itself. Its state is a handful of numbers, saved as JSON.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from armstance.actors.roles import title_only
from armstance.corpus.sources import FIRST_PERSON_COLLECTIONS, STATEMENT_COLLECTIONS, collection_of
from armstance.models.cues import categories
from armstance.schema import ACTOR_TYPES, SENTIMENTS, STANCES, ExtractedActor, Unit

FEATURES: tuple[str, ...] = (
    "log_mentions",
    "log_sentences",
    "first_position",
    "in_lead",
    "weapon_share",
    "act_share",
    "weapon_act_share",
    "log_candidates",
    "rank",
    "log_length",
    *(f"type_{t}" for t in ACTOR_TYPES),
    "title_only",
    "short_upper",
    "digits",
    "first_person_genre",
    "statement_genre",
    "p_stance",
    "p_against",
    "p_sentiment",
)
ACTS = frozenset({"supply", "request", "refuse", "warn"})
LEAD_SENTENCES = 2
FOLDS = 5


def candidate_features(
    text: str,
    actors: Sequence[ExtractedActor],
    units: Sequence[Unit],
    stance: np.ndarray,
    sentiment: np.ndarray,
) -> np.ndarray:
    """One row of FEATURES per candidate of one document, in the order of `actors`.

    `units[i]` is the unit built for `actors[i]`; `stance[i]` and `sentiment[i]` its class
    probabilities."""
    rows = []
    collection = collection_of(units[0].doc_id) if units else ""
    lead_end = _lead_end(text, units)
    for rank, (actor, unit) in enumerate(zip(actors, units, strict=True)):
        found = [categories(s) for s in unit.marked_sentences]
        weapon = [("weapon" in c) for c in found]
        act = [bool(c & ACTS) for c in found]
        surfaces = list(dict.fromkeys(m.surface for m in actor.mentions))
        first = actor.mentions[0].start
        row = {
            "log_mentions": math.log1p(len(actor.mentions)),
            "log_sentences": math.log1p(len(unit.sentence_spans)),
            "first_position": first / max(len(text), 1),
            "in_lead": float(first < lead_end),
            "weapon_share": float(np.mean(weapon)),
            "act_share": float(np.mean(act)),
            "weapon_act_share": float(np.mean([w and a for w, a in zip(weapon, act, strict=True)])),
            "log_candidates": math.log1p(len(actors)),
            "rank": rank / len(actors),
            "log_length": math.log1p(len(text)),
            **{f"type_{t}": float(actor.type == t) for t in ACTOR_TYPES},
            "title_only": float(title_only(surfaces, unit.lang)),
            "short_upper": float(all(len(s) <= 3 and s.isupper() for s in surfaces)),
            "digits": float(any(ch.isdigit() for s in surfaces for ch in s)),
            "first_person_genre": float(collection in FIRST_PERSON_COLLECTIONS),
            "statement_genre": float(collection in STATEMENT_COLLECTIONS),
            "p_stance": 1.0 - float(stance[rank][STANCES.index("none")]),
            "p_against": float(stance[rank][STANCES.index("against")]),
            "p_sentiment": 1.0 - float(sentiment[rank][SENTIMENTS.index("neutral")]),
        }
        rows.append([row[name] for name in FEATURES])
    return np.asarray(rows, dtype=float).reshape(len(rows), len(FEATURES))


def _lead_end(text: str, units: Sequence[Unit]) -> int:
    """Where the document's lead (its first sentences) ends, from the sentences the units
    hold; the whole text when it has no more sentences than the lead."""
    starts = sorted({s for unit in units for s, _ in unit.sentence_spans})
    return starts[LEAD_SENTENCES] if len(starts) > LEAD_SENTENCES else len(text) + 1


@dataclass(frozen=True)
class ActorFilter:
    """P(listed) = sigmoid(coef · (x - mean) / scale + intercept); kept when ≥ threshold."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float
    keep: float
    features: tuple[str, ...] = FEATURES

    def proba(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=float).reshape(-1, len(self.features))
        z = (rows - np.asarray(self.mean)) / np.asarray(self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.coef) + self.intercept)))

    def kept(self, rows: np.ndarray) -> np.ndarray:
        return self.proba(rows) >= self.threshold

    def to_dict(self) -> dict:
        return {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "threshold": self.threshold,
            "keep": self.keep,
        }

    @classmethod
    def from_dict(cls, data: dict) -> ActorFilter:
        features = tuple(data["features"])
        if features != FEATURES:
            raise ValueError(
                f"actor filter saved with features {list(features)}; this armstance computes "
                f"{list(FEATURES)}: retrain the model"
            )
        return cls(
            mean=tuple(data["mean"]),
            scale=tuple(data["scale"]),
            coef=tuple(data["coef"]),
            intercept=float(data["intercept"]),
            threshold=float(data["threshold"]),
            keep=float(data["keep"]),
            features=features,
        )


def _logistic(rows: np.ndarray, listed: np.ndarray, keep: float) -> ActorFilter:
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=5000).fit((rows - mean) / scale, listed)
    return ActorFilter(
        mean=tuple(map(float, mean)),
        scale=tuple(map(float, scale)),
        coef=tuple(map(float, model.coef_[0])),
        intercept=float(model.intercept_[0]),
        threshold=0.0,
        keep=keep,
    )


def fit_actor_filter(
    rows: np.ndarray, listed: Sequence[bool], groups: Sequence[str], keep: float
) -> ActorFilter:
    """The filter fitted on all rows, with the threshold that keeps `keep` of the listed
    candidates in a grouped k-fold of the rows (out-of-fold probabilities)."""
    from sklearn.model_selection import GroupKFold

    if not 0 < keep <= 1:
        raise ValueError(f"decision.actor_filter must be in (0, 1], got {keep}")
    rows, listed = np.asarray(rows, dtype=float), np.asarray(listed, dtype=bool)
    if listed.all() or not listed.any():
        # Nothing to tell apart: keep every candidate.
        return ActorFilter(
            (0.0,) * len(FEATURES), (1.0,) * len(FEATURES), (0.0,) * len(FEATURES), 0.0, 0.0, keep
        )
    out_of_fold = np.zeros(len(listed))
    folds = min(FOLDS, len(set(groups)))
    for train, held in GroupKFold(folds).split(rows, listed, groups):
        if listed[train].all() or not listed[train].any():
            out_of_fold[held] = 1.0
            continue
        out_of_fold[held] = _logistic(rows[train], listed[train], keep).proba(rows[held])
    # The highest threshold under which at most (1 - keep) of the listed candidates fall.
    threshold = float(np.quantile(out_of_fold[listed], 1.0 - keep, method="lower"))
    fitted = _logistic(rows, listed, keep)
    return ActorFilter(fitted.mean, fitted.scale, fitted.coef, fitted.intercept, threshold, keep)
