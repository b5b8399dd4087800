"""Document -> actors -> units -> probabilities -> one judgement per actor.

The same object serves oracle scoring (gold actors given), end-to-end prediction
(extracted actors) and, wrapped as an MLflow pyfunc, the command line and HTTP serving.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from armstance.aggregate import judge
from armstance.decision.actor_filter import ActorFilter, candidate_features
from armstance.decision.rules import ClassWeights
from armstance.errors import DocumentError, UnsupportedLanguageError
from armstance.models.base import UnitClassifier, load_classifier
from armstance.schema import (
    TASK_LABELS,
    Document,
    DocumentPrediction,
    ExtractedActor,
    GoldDocument,
    Unit,
)
from armstance.text.language import detect_language
from armstance.units import UnitBuilder

TASKS = tuple(TASK_LABELS)
MANIFEST = "pipeline.json"


@dataclass
class ArmstancePipeline:
    classifiers: dict[str, UnitClassifier]
    builder: UnitBuilder = field(default_factory=UnitBuilder)
    extractor: object | None = None  # armstance.actors.extractor.ActorExtractor
    metadata: dict = field(default_factory=dict)
    decisions: dict[str, ClassWeights] = field(default_factory=dict)
    """Per task, the rule from probabilities to a label; argmax where absent."""
    actor_filter: ActorFilter | None = None
    """Which extracted candidates are reported (end to end only); all where absent."""

    def __post_init__(self) -> None:
        for task in TASKS:
            if self.classifiers[task].labels != TASK_LABELS[task]:
                raise ValueError(f"{task} classifier labels must be {TASK_LABELS[task]}")
            self.decisions.setdefault(task, ClassWeights.identity(task))

    def classify(self, units: Sequence[Unit]) -> dict[str, np.ndarray]:
        return {task: self.classifiers[task].predict_proba(units) for task in TASKS}

    def judge_units(
        self,
        units: Sequence[Unit],
        aliases: Sequence[Sequence[str]],
        texts: dict[str, str],
        keep: Callable[[dict[str, np.ndarray]], np.ndarray] | None = None,
    ) -> dict[str, list]:
        """Judgements grouped by doc_id, in unit order. One classifier call per task.

        `keep`, given each task's unit probabilities, says which units are judged at all."""
        sentence_units = [self.builder.sentence_units(u) for u in units]
        flat = [s for group in sentence_units for s in group]
        probas = self.classify([*units, *flat])
        n = len(units)
        kept = keep({t: p[:n] for t, p in probas.items()}) if keep else np.ones(n, bool)
        out: dict[str, list] = {}
        offset = n
        for i, unit in enumerate(units):
            k = len(sentence_units[i])
            per_sentence = {t: probas[t][offset : offset + k] for t in TASKS}
            offset += k
            if not kept[i]:
                continue
            out.setdefault(unit.doc_id, []).append(
                judge(
                    unit,
                    aliases[i],
                    texts[unit.doc_id],
                    probas["stance"][i],
                    probas["sentiment"][i],
                    per_sentence,
                    self.decisions,
                )
            )
        return out

    def predict_gold(self, docs: Sequence[GoldDocument]) -> list[DocumentPrediction]:
        """Oracle mode: judge the gold actors of each document with their gold aliases."""
        units, aliases = [], []
        for doc in docs:
            units += self.builder.from_gold(doc)
            aliases += [a.aliases for a in doc.actors]
        judged = self.judge_units(units, aliases, {d.doc_id: d.text for d in docs})
        return [
            DocumentPrediction(doc_id=d.doc_id, lang=d.lang, actors=judged.get(d.doc_id, []))
            for d in docs
        ]

    def predict(self, docs: Sequence[Document]) -> list[DocumentPrediction | DocumentError]:
        """End to end: detect language where missing, extract actors, judge them, and keep
        those the actor filter (where fitted) takes for actors.

        A document that cannot be judged yields a DocumentError in its place, so one bad
        document never costs the others their results.
        """
        if self.extractor is None:
            raise RuntimeError("this pipeline has no actor extractor: use predict_gold")
        units, aliases, langs = [], [], {}
        extracted: list[tuple[str, list[ExtractedActor], slice]] = []
        results: dict[str, DocumentError] = {}
        for doc in docs:
            try:
                check_document(doc)
                lang = doc.lang or detect_language(doc.text)
            except (DocumentError, UnsupportedLanguageError) as exc:
                results[doc.doc_id] = DocumentError(doc.doc_id, getattr(exc, "problem", str(exc)))
                continue
            langs[doc.doc_id] = lang
            actors = self.extractor.extract(doc.model_copy(update={"lang": lang}))
            extracted.append((doc.text, actors, slice(len(units), len(units) + len(actors))))
            units += self.builder.from_extracted(doc, lang, actors)
            aliases += [a.aliases for a in actors]

        def keep(probas: dict[str, np.ndarray]) -> np.ndarray:
            kept = np.ones(len(units), dtype=bool)
            for text, actors, at in extracted:
                if actors:
                    rows = candidate_features(
                        text, actors, units[at], probas["stance"][at], probas["sentiment"][at]
                    )
                    kept[at] = self.actor_filter.kept(rows)
            return kept

        judged = self.judge_units(
            units,
            aliases,
            {d.doc_id: d.text for d in docs},
            keep if self.actor_filter is not None else None,
        )
        return [
            results.get(d.doc_id)
            or DocumentPrediction(
                doc_id=d.doc_id, lang=langs[d.doc_id], actors=judged.get(d.doc_id, [])
            )
            for d in docs
        ]

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for task in TASKS:
            self.classifiers[task].save(path / task)
        manifest = {
            "builder": asdict(self.builder),
            "extractor": None if self.extractor is None else self.extractor.to_config(),
            "decisions": {task: rule.to_dict() for task, rule in self.decisions.items()},
            "actor_filter": None if self.actor_filter is None else self.actor_filter.to_dict(),
            "metadata": self.metadata,
        }
        (path / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> ArmstancePipeline:
        path = Path(path)
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        extractor = None
        if manifest["extractor"] is not None:
            from armstance.actors.extractor import ActorExtractor

            extractor = ActorExtractor.from_config(manifest["extractor"])
        return cls(
            classifiers={task: load_classifier(path / task) for task in TASKS},
            builder=UnitBuilder(**manifest["builder"]),
            extractor=extractor,
            metadata=manifest["metadata"],
            decisions={
                task: ClassWeights.from_dict(rule)
                for task, rule in manifest.get("decisions", {}).items()
            },
            # Pipelines saved before the filter existed report every candidate.
            actor_filter=(
                ActorFilter.from_dict(manifest["actor_filter"])
                if manifest.get("actor_filter")
                else None
            ),
        )


def check_document(doc: Document) -> None:
    if not doc.text.strip():
        raise DocumentError(doc.doc_id, "empty or whitespace-only text")
    if "\x00" in doc.text:
        raise DocumentError(doc.doc_id, "text contains NUL bytes: binary input?")
