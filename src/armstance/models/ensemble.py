"""Unit classifiers made of other unit classifiers: probability averaging and stacking.

Members are model configs (the same `_target_` dicts as any `model` config), built and
fitted by the ensemble itself, so an ensemble is one `UnitClassifier` behind the usual
interface and saves each member in its own folder.

Stacking fits its meta-classifier on out-of-fold member probabilities of an inner k-fold
by document inside the units given to `fit`: in cross-validation those are the training
folds of the outer fold, so the held-out fold never informs the stacker.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from armstance.models.base import (
    UnitClassifier,
    Weights,
    check_fit_input,
    load_classifier,
    weights_at,
)
from armstance.models.build import as_dict, build_model
from armstance.models.linear import LinearSoftmax
from armstance.schema import Unit

MEMBERS_DIR = "members"
EPS = 1e-6
# A member fitted with the same config on the same training data is the same model: model
# selection varies one member's settings at a time, so the others are kept per process.
FITTED_CACHE_SIZE = 16
_fitted: OrderedDict[tuple, UnitClassifier] = OrderedDict()


def _training_digest(units: Sequence[Unit], y: Sequence[str], sample_weight: Weights) -> str:
    """What a fit learns from: each unit (its document, language, actor, marked sentences),
    its label and its weight."""
    digest = hashlib.sha256()
    for unit, label, weight in zip(
        units, y, sample_weight if sample_weight is not None else [None] * len(units), strict=True
    ):
        digest.update(
            json.dumps(
                [unit.doc_id, unit.lang, unit.actor_type, unit.marked_sentences, label, weight]
            ).encode()
        )
    return digest.hexdigest()


class _Ensemble(UnitClassifier):
    """Shared by both ensembles: members built from configs, saved and loaded by name."""

    def __init__(
        self,
        labels: Sequence[str],
        members: Mapping[str, Any],
        fitted: Mapping[str, UnitClassifier] | None = None,
    ):
        super().__init__(labels)
        if not members:
            raise ValueError("an ensemble needs at least one member")
        self.member_configs = {name: as_dict(cfg) for name, cfg in members.items()}
        self.members: dict[str, UnitClassifier] = dict(fitted or {}) or {
            name: build_model(cfg, self.labels) for name, cfg in self.member_configs.items()
        }

    def member_proba(self, units: Sequence[Unit]) -> dict[str, np.ndarray]:
        return {name: m.predict_proba(units) for name, m in self.members.items()}

    def _fit_members(self, units: Sequence[Unit], y: Sequence[str], sample_weight: Weights) -> None:
        data = _training_digest(units, y, sample_weight)
        for name, member in self.members.items():
            key = (json.dumps(self.member_configs[name], sort_keys=True, default=str), data)
            if key in _fitted:
                _fitted.move_to_end(key)
            else:
                _fitted[key] = member.fit(units, y, sample_weight)
                while len(_fitted) > FITTED_CACHE_SIZE:
                    _fitted.popitem(last=False)
            self.members[name] = _fitted[key]

    def _save_members(self, path: Path) -> None:
        for name, member in self.members.items():
            member.save(path / MEMBERS_DIR / name)

    @staticmethod
    def _load_members(path: Path, names: Sequence[str]) -> dict[str, UnitClassifier]:
        return {name: load_classifier(path / MEMBERS_DIR / name) for name in names}


class ProbabilityAverage(_Ensemble):
    """The weighted mean of the members' probabilities (weights normalised to sum to 1)."""

    def __init__(
        self,
        labels: Sequence[str],
        members: Mapping[str, Any],
        weights: Mapping[str, float] | None = None,
        fitted: Mapping[str, UnitClassifier] | None = None,
    ):
        super().__init__(labels, members, fitted)
        weights = dict(weights or dict.fromkeys(self.member_configs, 1.0))
        if set(weights) != set(self.member_configs):
            raise ValueError(
                f"weights name {sorted(weights)}, members are {sorted(self.member_configs)}"
            )
        total = sum(weights.values())
        if total <= 0 or min(weights.values()) < 0:
            raise ValueError(f"weights must be non-negative with a positive sum, got {weights}")
        self.weights = {name: float(w) / total for name, w in weights.items()}

    def fit(self, units: Sequence[Unit], y: Sequence[str], sample_weight: Weights = None) -> Self:
        check_fit_input(units, y, self.labels, sample_weight)
        self._fit_members(units, y, sample_weight)
        return self

    def predict_proba(self, units: Sequence[Unit]) -> np.ndarray:
        probas = self.member_proba(units)
        return sum(self.weights[name] * p for name, p in probas.items())

    def save_files(self, path: Path) -> dict:
        self._save_members(path)
        return {
            "labels": list(self.labels),
            "members": self.member_configs,
            "weights": self.weights,
        }

    @classmethod
    def load_files(cls, path: Path, params: dict) -> Self:
        return cls(**params, fitted=cls._load_members(path, list(params["members"])))


class Stacking(_Ensemble):
    """A multinomial logistic regression over the members' log-probabilities."""

    def __init__(
        self,
        labels: Sequence[str],
        members: Mapping[str, Any],
        inner_folds: int = 5,
        C: float = 1.0,
        class_weight: str | None = "balanced",
        fitted: Mapping[str, UnitClassifier] | None = None,
        meta: LinearSoftmax | None = None,
    ):
        super().__init__(labels, members, fitted)
        self.inner_folds = int(inner_folds)
        self.C = float(C)
        self.class_weight = class_weight
        self.meta = meta

    def meta_features(self, probas: Mapping[str, np.ndarray]) -> np.ndarray:
        return np.hstack([np.log(np.clip(probas[name], EPS, 1.0)) for name in self.members])

    def out_of_fold_features(
        self, units: Sequence[Unit], y: Sequence[str], sample_weight: Weights = None
    ) -> np.ndarray:
        groups = [u.doc_id for u in units]
        n_docs = len(set(groups))
        if n_docs < 2:
            raise ValueError(f"stacking needs units of at least 2 documents, got {n_docs}")
        labels = np.asarray(y)
        features = np.zeros((len(units), len(self.labels) * len(self.members)))
        for train, held in GroupKFold(min(self.inner_folds, n_docs)).split(units, y, groups):
            probas = {}
            for name, member in self.members.items():
                model = copy.deepcopy(member).fit(
                    [units[i] for i in train],
                    labels[train].tolist(),
                    weights_at(sample_weight, train),
                )
                probas[name] = model.predict_proba([units[i] for i in held])
            features[held] = self.meta_features(probas)
        return features

    def fit(self, units: Sequence[Unit], y: Sequence[str], sample_weight: Weights = None) -> Self:
        check_fit_input(units, y, self.labels, sample_weight)
        features = self.out_of_fold_features(units, y, sample_weight)
        model = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=5000)
        model.fit(features, list(y), sample_weight=sample_weight)
        self.meta = LinearSoftmax.from_sklearn(model, self.labels)
        self._fit_members(units, y, sample_weight)
        return self

    def predict_proba(self, units: Sequence[Unit]) -> np.ndarray:
        if self.meta is None:
            raise RuntimeError("Stacking is not fitted")
        if not units:
            return np.zeros((0, len(self.labels)))
        return self.meta.predict_proba(self.meta_features(self.member_proba(units)))

    def save_files(self, path: Path) -> dict:
        self._save_members(path)
        self.meta.save(path / "meta")
        return {
            "labels": list(self.labels),
            "members": self.member_configs,
            "inner_folds": self.inner_folds,
            "C": self.C,
            "class_weight": self.class_weight,
        }

    @classmethod
    def load_files(cls, path: Path, params: dict) -> Self:
        return cls(
            **params,
            fitted=cls._load_members(path, list(params["members"])),
            meta=LinearSoftmax.load(path / "meta"),
        )
