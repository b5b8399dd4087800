"""Zero-shot classification with a natural language inference (NLI) model.

Each unit is a premise; each label with a template is a hypothesis about the actor in the
unit's language ("{actor} befürwortet Waffenlieferungen an die Ukraine."). The score of a
label is the model's entailment probability for its hypothesis. One label per task may have
no template: the residual label (`none` for stance, `neutral` for sentiment), chosen when no
hypothesis reaches `threshold`.

Probabilities: the templated labels' entailment scores and the threshold (standing in as the
residual label's score), divided by their sum. Their argmax is the decision rule above; they
are scores, not calibrated probabilities.

`fit` learns nothing from texts: with `fit_threshold` it only picks the threshold that gives
the best macro-F1 on the training units (candidates: the midpoints between their sorted
highest entailment scores), so the residual rate follows the training labels. This is the
only thing fitted, on training units only (DESIGN.md, Leakage rules).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Self

import numpy as np

from armstance.evaluation.metrics import confusion_matrix, macro_f1
from armstance.models.base import UnitClassifier, Weights, check_fit_input, require_unweighted
from armstance.models.hf_loading import is_local, local_weights, resolve_model_path
from armstance.schema import ACTOR_CLOSE, ACTOR_OPEN, Unit

_DEVICES = ("auto", "cpu", "cuda")
_MENTION = re.compile(re.escape(ACTOR_OPEN) + r"(.+?)" + re.escape(ACTOR_CLOSE))
Templates = Mapping[str, Mapping[str, str]]
"""language -> label -> hypothesis template with an `{actor}` field."""


def entailment_index(label2id: Mapping[str, int]) -> int:
    """The logit column of `entailment` in an NLI model's `config.label2id`."""
    for name, index in label2id.items():
        if name.lower().startswith("entail"):
            return int(index)
    raise ValueError(f"not an NLI model: no entailment label in label2id {dict(label2id)}")


def actor_surface(unit: Unit) -> str:
    """The actor as the text names it (its first marked mention), else its canonical name:
    a French hypothesis reads better with "L'Allemagne" than with "Germany"."""
    found = _MENTION.search(unit.text)
    return found.group(1) if found else unit.actor


def plain_text(unit: Unit) -> str:
    """The unit's sentences without the actor markers, which NLI models never saw."""
    return unit.text.replace(ACTOR_OPEN, "").replace(ACTOR_CLOSE, "")


def residual_threshold(scores: np.ndarray, gold: Sequence[int], residual: int) -> float:
    """The threshold on the highest hypothesis score that maximises macro-F1 on `gold`.

    `scores` holds one column per label (the residual column is ignored). Candidates lie
    between consecutive distinct highest scores, plus one below and one above all of them.
    """
    others = [k for k in range(scores.shape[1]) if k != residual]
    best = scores[:, others].max(axis=1)
    argbest = np.array(others)[scores[:, others].argmax(axis=1)]
    edges = np.unique(best)
    candidates = np.concatenate([[0.0], (edges[:-1] + edges[1:]) / 2, [1.0]])
    labels = list(range(scores.shape[1]))
    results = []
    for threshold in candidates:
        predicted = np.where(best < threshold, residual, argbest)
        cm = confusion_matrix(list(gold), predicted.tolist(), labels)
        results.append(float(np.nan_to_num(macro_f1(cm))))
    # Ties go to the lowest threshold: abstain no more than the training labels ask for.
    return float(candidates[int(np.argmax(results))])


class ZeroShotNLI(UnitClassifier):
    """Entailment scores of per-language, per-label hypotheses (see the module docstring).

    `model_name_or_path` is an NLI checkpoint (resolved as in hf_loading: a hub id, a local
    folder, `tiny-bert` is not one); its head is used as it is, never trained.
    """

    def __init__(
        self,
        labels: Sequence[str],
        templates: Templates,
        model_name_or_path: str = "MoritzLaurer/mDeBERTa-v3-base-mnli-xnli",
        threshold: float = 0.5,
        fit_threshold: bool = True,
        max_length: int = 256,
        batch_size: int = 16,
        device: str = "auto",
    ):
        super().__init__(labels)
        if device not in _DEVICES:
            raise ValueError(f"device must be one of {_DEVICES}, got {device!r}")
        if not 0 <= threshold <= 1:
            raise ValueError(f"threshold must be in [0, 1], got {threshold}")
        own = {
            lang: {k: t for k, t in per.items() if k in self.labels}
            for lang, per in templates.items()
        }
        if not own:
            raise ValueError("templates: no language given")
        templated = {frozenset(per) for per in own.values()}
        if len(templated) != 1:
            raise ValueError(
                f"templates must cover the same labels in every language, got "
                f"{ {lang: sorted(per) for lang, per in own.items()} }"
            )
        residual = [label for label in self.labels if label not in next(iter(templated))]
        if len(residual) > 1 or len(residual) == len(self.labels):
            raise ValueError(
                f"templates must cover all labels of {list(self.labels)} but at most one; "
                f"uncovered: {residual}"
            )
        for lang, per in own.items():
            for label, template in per.items():
                if "{actor}" not in template:
                    raise ValueError(f"templates.{lang}.{label}: {template!r} lacks '{{actor}}'")
        self.templates = {lang: dict(per) for lang, per in own.items()}
        self.residual = residual[0] if residual else None
        self.params = {
            "model_name_or_path": str(model_name_or_path),
            "threshold": float(threshold),
            "fit_threshold": bool(fit_threshold),
            "max_length": int(max_length),
            "batch_size": int(batch_size),
            "device": device,
        }
        self.threshold_ = float(threshold)
        self.tokenizer = None
        self.model = None

    def _load(self, name_or_path: str) -> None:
        import torch

        path = resolve_model_path(name_or_path)
        local = is_local(path)
        if local:
            # As in hf_loading: a local checkpoint must never reach for the hub.
            os.environ["HF_HUB_OFFLINE"] = "1"
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=local)
        self.model = AutoModelForSequenceClassification.from_pretrained(
            path, **local_weights(local)
        )
        entailment_index(self.model.config.label2id)  # fail early on a non-NLI checkpoint
        device = self.params["device"]
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.model.to(device)
        self.model.eval()

    def hypotheses(self, unit: Unit) -> dict[str, str]:
        """label -> hypothesis about the unit's actor, in the unit's language."""
        if unit.lang not in self.templates:
            raise ValueError(
                f"unit {unit.doc_id}/{unit.actor}: no templates for language {unit.lang!r} "
                f"(have {sorted(self.templates)})"
            )
        actor = actor_surface(unit)
        return {k: t.format(actor=actor) for k, t in self.templates[unit.lang].items()}

    def entailment_scores(self, units: Sequence[Unit]) -> np.ndarray:
        """(units, labels): entailment probability of each label's hypothesis; the residual
        column is 0."""
        import torch

        if self.model is None or self.tokenizer is None:
            self._load(self.params["model_name_or_path"])
        column = {label: k for k, label in enumerate(self.labels)}
        pairs = [
            (i, column[label], plain_text(u), hypothesis)
            for i, u in enumerate(units)
            for label, hypothesis in self.hypotheses(u).items()
        ]
        entail = entailment_index(self.model.config.label2id)
        out = np.zeros((len(units), len(self.labels)))
        device = next(self.model.parameters()).device
        step = self.params["batch_size"]
        with torch.no_grad():
            for start in range(0, len(pairs), step):
                batch = pairs[start : start + step]
                enc = self.tokenizer(
                    [p[2] for p in batch],
                    [p[3] for p in batch],
                    truncation="only_first",
                    max_length=self.params["max_length"],
                    padding=True,
                    return_tensors="pt",
                ).to(device)
                proba = torch.softmax(self.model(**enc).logits.float(), dim=-1)[:, entail]
                for (i, k, _, _), p in zip(batch, proba.cpu().numpy(), strict=True):
                    out[i, k] = p
        return out

    def fit(self, units: Sequence[Unit], y: Sequence[str], sample_weight: Weights = None) -> Self:
        check_fit_input(units, y, self.labels, sample_weight)
        require_unweighted(sample_weight, "the zero-shot NLI classifier")
        if self.params["fit_threshold"] and self.residual is not None and units:
            scores = self.entailment_scores(units)
            gold = [self.labels.index(v) for v in y]
            self.threshold_ = residual_threshold(scores, gold, self.labels.index(self.residual))
        return self

    def predict_proba(self, units: Sequence[Unit]) -> np.ndarray:
        if not units:
            return np.zeros((0, len(self.labels)))
        scores = self.entailment_scores(units)
        if self.residual is not None:
            scores[:, self.labels.index(self.residual)] = self.threshold_
        # A floor keeps rows defined when every score is 0 (threshold 0, no entailment).
        scores = np.maximum(scores, 1e-12)
        return scores / scores.sum(axis=1, keepdims=True)

    def save_files(self, path: Path) -> dict:
        if self.model is None or self.tokenizer is None:
            self._load(self.params["model_name_or_path"])
        # The weights travel with the saved classifier: serving never downloads.
        self.model.save_pretrained(path / "hf")
        self.tokenizer.save_pretrained(path / "hf")
        return {
            "labels": list(self.labels),
            "templates": self.templates,
            **self.params,
            "threshold": self.threshold_,
        }

    @classmethod
    def load_files(cls, path: Path, params: dict) -> Self:
        hf_dir = path / "hf"
        if not (hf_dir / "config.json").is_file():
            raise FileNotFoundError(f"{hf_dir / 'config.json'} missing: not a saved NLI model")
        model = cls(**params)
        model._load(str(hf_dir))
        return model
