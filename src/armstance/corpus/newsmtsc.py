"""NewsMTSC (Hamborg & Donnay 2021): target-dependent sentiment in English news sentences,
read into the project's `Unit` records (one per target, its mentions marked).

File layouts, both read:
- train.jsonl: `{"sentence_normalized", "targets": [{"from", "to", "mention", "polarity",
  "further_mentions"?: [{"from", "to", "mention"}]}]}`, polarity 2.0/4.0/6.0;
- rw_hf_{dev,test}.jsonl: `{"sentence", "from", "to", "mention", "polarity"}`, -1/0/1.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from omegaconf import DictConfig

from armstance.corpus.fetch import fetch_sources
from armstance.errors import DataError
from armstance.jsonl import iter_json_lines
from armstance.schema import Span, Unit
from armstance.units import mark, merge_spans

TRAIN_POLARITY = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}


RW_HF_POLARITY = {-1: "negative", 0: "neutral", 1: "positive"}


def _span(path: Path, line: int, field: str, obj: dict, sentence: str) -> Span:
    start, end, mention = obj.get("from"), obj.get("to"), obj.get("mention")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(sentence)):
        raise DataError(
            path, line, f"{field}from", f"[{start}, {end}) is not a span of the sentence"
        )
    if sentence[start:end] != mention:
        raise DataError(
            path,
            line,
            f"{field}mention",
            f"{mention!r} differs from the sentence at [{start}, {end})",
        )
    return start, end


def _label(path: Path, line: int, field: str, value: object, mapping: dict) -> str:
    try:
        return mapping[value]
    except (KeyError, TypeError):
        raise DataError(
            path, line, field, f"polarity {value!r} is not one of {sorted(mapping)}"
        ) from None


def target_unit(sentence: str, mentions: Sequence[Span], main: Span, sentiment: str) -> Unit:
    """One target as a unit: the sentence with every mention of the target marked.

    Targets of one sentence share a `doc_id` (a digest of the sentence), so a document-level
    split keeps them on one side. NewsMTSC targets are people, hence `person`.
    """
    digest = hashlib.sha256(sentence.encode()).hexdigest()[:16]
    return Unit(
        doc_id=f"newsmtsc-{digest}",
        lang="en",
        actor=sentence[main[0] : main[1]],
        actor_type="person",
        marked_sentences=[mark(sentence, 0, len(sentence), merge_spans(mentions))],
        sentence_spans=[(0, len(sentence))],
        sentiment=sentiment,
    )


def _sentence(path: Path, line: int, obj: dict, field: str) -> str:
    sentence = obj.get(field)
    if not isinstance(sentence, str) or not sentence:
        raise DataError(path, line, field, "missing or not a non-empty string")
    return sentence


def _train_units(path: Path, line: int, obj: dict) -> list[Unit]:
    sentence = _sentence(path, line, obj, "sentence_normalized")
    if not isinstance(obj["targets"], list) or not obj["targets"]:
        raise DataError(path, line, "targets", "expected a non-empty list")
    units = []
    for k, target in enumerate(obj["targets"]):
        field = f"targets[{k}]."
        main = _span(path, line, field, target, sentence)
        further = [
            _span(path, line, f"{field}further_mentions[{j}].", m, sentence)
            for j, m in enumerate(target.get("further_mentions") or [])
        ]
        label = _label(path, line, f"{field}polarity", target.get("polarity"), TRAIN_POLARITY)
        units.append(target_unit(sentence, [main, *further], main, label))
    return units


def _rw_hf_unit(path: Path, line: int, obj: dict) -> Unit:
    sentence = _sentence(path, line, obj, "sentence")
    main = _span(path, line, "", obj, sentence)
    label = _label(path, line, "polarity", obj.get("polarity"), RW_HF_POLARITY)
    return target_unit(sentence, [main], main, label)


def read_targets(path: str | Path) -> list[Unit]:
    """Every target of a NewsMTSC file (either layout, told apart line by line) as a Unit."""
    path = Path(path)
    units: list[Unit] = []
    for line, obj in iter_json_lines(path):
        if "targets" in obj:
            units += _train_units(path, line, obj)
        elif "sentence" in obj:
            units.append(_rw_hf_unit(path, line, obj))
        else:
            raise DataError(path, line, None, "neither 'targets' (train) nor 'sentence' (rw_hf)")
    return units


def load_splits(cfg: DictConfig) -> dict[str, list[Unit]]:
    names = cfg.newsmtsc.sources
    paths = fetch_sources(names=[names.train, names.dev, names.test])
    splits = {
        split: read_targets(p) for split, p in zip(("train", "dev", "test"), paths, strict=True)
    }
    cap = cfg.newsmtsc.max_eval_samples
    for split in ("dev", "test"):
        splits[split] = splits[split][:cap]
    return splits
