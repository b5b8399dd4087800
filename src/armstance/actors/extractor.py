"""ActorExtractor: the first stage of the pipeline (DESIGN.md, "The pipeline").

Gazetteer hits (all languages), plus spaCy PER/ORG entities for French and rule-based
person names for English and German, merged into one actor per referent
(armstance.actors.merge). The extractor is rebuilt from `to_config()`, a JSON-able dict,
so it can travel inside a saved model; the default gazetteer is the one shipped in the
package and is recorded as `None`, so a model stays valid wherever the package is installed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from armstance.actors import gazetteer as gz
from armstance.actors import spacy_fr
from armstance.actors.heuristics import Candidate, PersonHeuristics
from armstance.actors.merge import merge
from armstance.actors.roles import resolve_roles
from armstance.schema import Document, ExtractedActor
from armstance.text.cleaning import clean_view

MEMO_DOCUMENTS = 4096


class ActorExtractor:
    def __init__(
        self,
        gazetteer_path: Path | None = None,
        use_spacy_fr: bool = True,
        heuristics: bool = True,
        drop_role_only: bool = True,
    ):
        self.gazetteer_path = Path(gazetteer_path) if gazetteer_path is not None else None
        self.use_spacy_fr = use_spacy_fr
        self.heuristics = heuristics
        self.drop_role_only = drop_role_only
        self.gazetteer = gz.load(self.gazetteer_path)
        self._persons = PersonHeuristics(self.gazetteer.first_names, self.gazetteer.demonyms)
        # Training extracts the same documents again for every fold and every fit.
        self._memo = lru_cache(maxsize=MEMO_DOCUMENTS)(self._extract)

    def extract(self, doc: Document) -> list[ExtractedActor]:
        """The actors of `doc`, in order of first mention; `doc.lang` must be set."""
        if doc.lang is None:
            raise ValueError(f"document {doc.doc_id!r}: lang must be set before extraction")
        return list(self._memo(doc.text, doc.lang))

    def _extract(self, raw: str, lang: str) -> tuple[ExtractedActor, ...]:
        # Turn markers and footnote digits are not language (text/cleaning.py); the view has
        # the text's length, so mentions found in it point into the text.
        text = clean_view(raw)
        hits = self.gazetteer.match(text, lang)
        candidates = self._candidates(text, lang, [(h.start, h.end) for h in hits])
        actors = merge(text, lang, hits, candidates, self.gazetteer, self.drop_role_only)
        return tuple(resolve_roles(text, lang, actors))

    def _candidates(self, text: str, lang: str, known: list[tuple[int, int]]) -> list[Candidate]:
        if lang == "fr":
            return spacy_fr.find(text, known) if self.use_spacy_fr else []
        return self._persons.find(text, lang) if self.heuristics else []

    def to_config(self) -> dict[str, Any]:
        return {
            "gazetteer_path": None if self.gazetteer_path is None else str(self.gazetteer_path),
            "use_spacy_fr": self.use_spacy_fr,
            "heuristics": self.heuristics,
            "drop_role_only": self.drop_role_only,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ActorExtractor:
        return cls(**config)

    def __getstate__(self) -> dict[str, Any]:
        return self.to_config()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)
