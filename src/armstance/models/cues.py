"""Cue features shared by French, English and German (see cues.yaml).

Each context sentence yields the cue categories it contains ("weapon", "supply", ...),
their telling co-occurrences ("supply+weapon", "refuse+weapon") and the categories right
after or before the marked actor mention ("after:supply": the actor is likely the one who
supplies). The tokens are the same in every language.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib.resources import files

import yaml

from armstance.schema import ACTOR_CLOSE, ACTOR_OPEN

PAIRS = (
    ("supply", "weapon"),
    ("request", "weapon"),
    ("refuse", "weapon"),
    ("warn", "weapon"),
    ("negation", "supply"),
    ("negation", "weapon"),
)
NEAR_CHARS = 80  # how far after/before a mention a cue counts as the actor's own
SENTENCE_SEPARATOR = "\n"


@cache
def cue_patterns() -> dict[str, re.Pattern]:
    lexicon = yaml.safe_load(files("armstance.models").joinpath("cues.yaml").read_text("utf-8"))
    return {
        category: re.compile(
            r"(?<!\w)(?:" + "|".join(by_lang.values()) + ")",
            re.IGNORECASE,
        )
        for category, by_lang in lexicon.items()
    }


def categories(text: str) -> set[str]:
    return {name for name, pattern in cue_patterns().items() if pattern.search(text)}


def _near_mentions(sentence: str) -> tuple[str, str]:
    after, before = [], []
    for match in re.finditer(re.escape(ACTOR_OPEN) + ".*?" + re.escape(ACTOR_CLOSE), sentence):
        after.append(sentence[match.end() : match.end() + NEAR_CHARS])
        before.append(sentence[max(0, match.start() - NEAR_CHARS) : match.start()])
    return " ".join(after), " ".join(before)


def cue_tokens(marked_text: str) -> list[str]:
    """Analyzer for a vectorizer: cue tokens of each sentence of a marked unit text."""
    return list(_cue_tokens(marked_text))


# Cross-validation and the decision rules' inner folds featurise the same unit texts in
# every fit: the regular expressions run once per text and process.
@lru_cache(maxsize=100_000)
def _cue_tokens(marked_text: str) -> tuple[str, ...]:
    tokens: list[str] = []
    for sentence in marked_text.split(SENTENCE_SEPARATOR):
        found = categories(sentence)
        tokens += sorted(found)
        tokens += [f"{a}+{b}" for a, b in PAIRS if a in found and b in found]
        after, before = _near_mentions(sentence)
        tokens += [f"after:{c}" for c in sorted(categories(after))]
        tokens += [f"before:{c}" for c in sorted(categories(before))]
    return tuple(tokens)
