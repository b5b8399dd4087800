"""`python -m armstance.newsmtsc [model=NAME] [overrides]`: sentiment transfer from NewsMTSC.

NewsMTSC (Hamborg & Donnay 2021) labels the sentiment of English news sentences toward a
marked person, the same judgement as our sentiment task. The job fine-tunes the configured
sentiment classifier on its training set, selects the epoch on the real-world dev set
(`rw_hf_dev`), scores the real-world test set next to the published figure, logs the
fine-tuned classifier folder as the run's `sentiment_model` artifact (to start our corpus's
sentiment model from: `model.init_from`, experiments/minilm_newsmtsc_init.yaml) and scores
it, untouched, on our corpus's labelled units ("transfer alone").

File layouts, both read into the project's `Unit` records (one per target, mention marked):
- train.jsonl: `{"sentence_normalized", "targets": [{"from", "to", "mention", "polarity",
  "further_mentions"?: [{"from", "to", "mention"}]}]}`, polarity 2.0/4.0/6.0;
- rw_hf_{dev,test}.jsonl: `{"sentence", "from", "to", "mention", "polarity"}`, -1/0/1.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import hydra
import mlflow
import numpy as np
from omegaconf import DictConfig

from armstance.config import CONFIG_DIR, register_resolvers
from armstance.corpus import ensure_corpus, fetch_sources, load_gold
from armstance.errors import DataError
from armstance.evaluation.bootstrap import intervals
from armstance.evaluation.metrics import confusion_matrix, macro_f1, optional
from armstance.fitting import build_classifier
from armstance.jsonl import iter_json_lines
from armstance.models.base import UnitClassifier
from armstance.schema import SENTIMENTS, Span, Unit
from armstance.tracking.runs import git_commit, log_config, log_history, log_metrics
from armstance.tracking.store import use_store
from armstance.units import UnitBuilder, mark, merge_spans

log = logging.getLogger(__name__)

TRAIN_POLARITY = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}
RW_HF_POLARITY = {-1: "negative", 0: "neutral", 1: "positive"}
MODEL_ARTIFACT = "sentiment_model"


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


def macro_f1_scores(
    per_group: np.ndarray, n_boot: int, seed: int, prefix: str
) -> dict[str, float | None]:
    """Macro-F1 of summed confusion matrices (groups, K, K), with a bootstrap interval over
    the groups (targets for NewsMTSC, documents for our corpus)."""
    value = optional(macro_f1(per_group.sum(axis=0)))
    out = {prefix: value}
    if n_boot and len(per_group):
        lo, hi = intervals({"cm": per_group}, {"f1": lambda t: macro_f1(t["cm"])}, n_boot, seed)[
            "f1"
        ]
        out |= {f"{prefix}_lo": lo, f"{prefix}_hi": hi}
    return out


def unit_confusions(
    classifier: UnitClassifier, units: Sequence[Unit], groups: Sequence[str]
) -> tuple[list[str], np.ndarray]:
    """Groups in first-seen order and one sentiment confusion matrix per group."""
    predicted = classifier.predict(units)
    order = list(dict.fromkeys(groups))
    index = {g: i for i, g in enumerate(order)}
    out = np.zeros((len(order), len(SENTIMENTS), len(SENTIMENTS)), dtype=np.int64)
    for unit, pred, group in zip(units, predicted, groups, strict=True):
        out[index[group]] += confusion_matrix([unit.sentiment], [pred], SENTIMENTS)
    return order, out


def score_newsmtsc(
    classifier: UnitClassifier, units: Sequence[Unit], split: str, cfg: DictConfig
) -> dict[str, float | None]:
    # Each target is its own resampling unit, as the published figures are per target.
    _, per_target = unit_confusions(classifier, units, [str(i) for i in range(len(units))])
    metrics = macro_f1_scores(
        per_target, cfg.newsmtsc.n_boot, cfg.newsmtsc.boot_seed, f"newsmtsc_{split}_macro_f1"
    )
    cm = per_target.sum(axis=0)
    metrics[f"newsmtsc_{split}_accuracy"] = float(np.trace(cm) / cm.sum())
    return metrics


def score_transfer(
    classifier: UnitClassifier, builder: UnitBuilder, cfg: DictConfig
) -> dict[str, float | None]:
    """The NewsMTSC model alone on our corpus's oracle units (train+dev, none trained on):
    sentiment macro-F1 over all of them, per language, and on dev only (comparable with
    `dev_oracle_sentiment_macro_f1` of the corpus experiments). Intervals over documents."""
    ensure_corpus()
    docs = {split: load_gold(split) for split in ("train", "dev")}
    metrics: dict[str, float | None] = {}
    boot = (cfg.newsmtsc.n_boot, cfg.newsmtsc.boot_seed)
    scopes = {"transfer_oracle_sentiment_macro_f1": [*docs["train"], *docs["dev"]]}
    scopes["transfer_dev_oracle_sentiment_macro_f1"] = docs["dev"]
    for prefix, scope in scopes.items():
        units = [u for doc in scope for u in builder.from_gold(doc)]
        order, per_doc = unit_confusions(classifier, units, [u.doc_id for u in units])
        metrics |= macro_f1_scores(per_doc, *boot, prefix)
        lang_of = {d.doc_id: d.lang for d in scope}
        for lang in sorted(set(lang_of.values())):
            rows = [i for i, doc_id in enumerate(order) if lang_of[doc_id] == lang]
            metrics[f"{prefix}_{lang}"] = optional(macro_f1(per_doc[rows].sum(axis=0)))
    return metrics


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


def run(cfg: DictConfig) -> float | None:
    splits = load_splits(cfg)
    use_store(cfg.tracking.uri, cfg.tracking.experiment_name, cfg.tracking.artifact_root)
    reference = cfg.newsmtsc.reference
    with mlflow.start_run(run_name=f"newsmtsc-{cfg.model.name}-s{cfg.seed}") as active:
        mlflow.set_tags(
            {
                "model": cfg.model.name,
                "experiment": "newsmtsc",
                "langs": "en",
                "seed": str(cfg.seed),
                "git_commit": git_commit(),
                "reference": reference.source,
            }
        )
        log_config(cfg)
        mlflow.log_params({f"n_{split}_targets": len(units) for split, units in splits.items()})

        classifier = build_classifier(cfg.model, "sentiment")
        train, dev = splits["train"], splits["dev"]
        classifier.fit(
            train, [u.sentiment for u in train], validation=(dev, [u.sentiment for u in dev])
        )
        log_history("newsmtsc", getattr(classifier, "history", []))

        metrics = score_newsmtsc(classifier, dev, "dev", cfg)
        metrics |= score_newsmtsc(classifier, splits["test"], "test", cfg)
        if cfg.newsmtsc.transfer:
            metrics |= score_transfer(classifier, UnitBuilder(**cfg.units), cfg)
        log_metrics(metrics)

        with tempfile.TemporaryDirectory() as tmp:
            classifier.save(Path(tmp) / MODEL_ARTIFACT)
            mlflow.log_artifacts(str(Path(tmp) / MODEL_ARTIFACT), MODEL_ARTIFACT)
        init_uri = f"runs:/{active.info.run_id}/{MODEL_ARTIFACT}"
        mlflow.set_tag("init_from_uri", init_uri)
        log.info(
            "newsmtsc_test_macro_f1 = %.3f (published %.3f); model at %s",
            metrics["newsmtsc_test_macro_f1"],
            reference.test_macro_f1,
            init_uri,
        )
    return metrics["newsmtsc_test_macro_f1"]


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="newsmtsc")
def main(cfg: DictConfig) -> float | None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    return run(cfg)


register_resolvers()

if __name__ == "__main__":
    main()
