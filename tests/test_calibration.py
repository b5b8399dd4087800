from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Self

import mlflow
import numpy as np
import pytest

from armstance.evaluation.calibration import expected_calibration_error, reliability
from armstance.models.base import UnitClassifier, load_classifier
from armstance.models.calibration import (
    CalibratedClassifier,
    fit_temperature,
    nll,
    softmax,
    temperature_scale,
)
from armstance.models.majority import Majority
from armstance.models.tfidf_logreg import TfidfLogReg
from armstance.schema import STANCES, Unit
from armstance.training.fit import build_classifier

if TYPE_CHECKING:
    from fixtures_store import Store

pytest_plugins = ["fixtures_store"]


def test_ece_matches_a_hand_computation() -> None:
    proba = np.array(
        [
            [0.95, 0.05],  # bin 15 (0.933, 1.0], correct
            [0.06, 0.94],  # bin 15, wrong (gold 0)
            [0.65, 0.35],  # bin 10 (0.6, 0.667], wrong
            [0.28, 0.72],  # bin 11 (0.667, 0.733], correct
            [0.85, 0.15],  # bin 13 (0.8, 0.867], correct
        ]
    )
    gold = np.array([0, 0, 1, 1, 0])
    # bin 15: accuracy 1/2, confidence 0.945 -> 2/5 * 0.445; the others alone in their bin.
    expected = (2 * 0.445 + 0.65 + 0.28 + 0.15) / 5
    assert expected_calibration_error(proba, gold) == pytest.approx(expected)
    bins = reliability(proba, gold)
    assert bins.counts.tolist() == [0] * 9 + [1, 1, 0, 1, 0, 2]
    assert bins.accuracy[14] == 0.5 and bins.confidence[14] == pytest.approx(0.945)


def test_ece_of_nothing_is_undefined_and_of_a_sure_right_model_zero() -> None:
    assert expected_calibration_error(np.zeros((0, 3)), np.zeros(0, dtype=int)) is None
    assert expected_calibration_error(np.eye(3), np.arange(3)) == 0.0
    with pytest.raises(ValueError, match=r"gold indices must lie in \[0, 3\)"):
        expected_calibration_error(np.eye(3), np.array([0, 1, 3]))


def over_confident(n: int = 3000, sharpen: float = 3.0, seed: int = 0):
    """Labels drawn from softmax(z); the 'model' reports softmax(sharpen * z)."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 1.2, size=(n, 3))
    truth = softmax(logits)
    gold = np.array([rng.choice(3, p=p) for p in truth])
    return softmax(sharpen * logits), gold


def test_temperature_scaling_undoes_over_confidence() -> None:
    proba, gold = over_confident()
    temperature = fit_temperature(proba, gold)
    assert temperature == pytest.approx(3.0, rel=0.15)
    calibrated = temperature_scale(proba, temperature)
    assert nll(calibrated, gold) < nll(proba, gold) - 0.1
    assert expected_calibration_error(calibrated, gold) < 0.5 * expected_calibration_error(
        proba, gold
    )
    # Scaling keeps the ranking, so the predicted labels do not change.
    assert (calibrated.argmax(axis=1) == proba.argmax(axis=1)).all()


PHRASES = {
    "favor": "will send more tanks and air defence to",
    "against": "refuses any weapons deliveries to",
    "none": "held talks about trade with",
}


def units(n_docs: int = 12) -> tuple[list[Unit], list[str]]:
    out, labels = [], []
    for d in range(n_docs):
        for k, stance in enumerate(STANCES):
            text = f"[[Country {k}]] {PHRASES[stance]} Ukraine, said the report number {d}."
            out.append(
                Unit(
                    doc_id=f"doc{d}",
                    lang="en",
                    actor=f"Country {k}",
                    actor_type="state",
                    marked_sentences=[text],
                    sentence_spans=[(0, len(text))],
                )
            )
            labels.append(stance)
    return out, labels


@pytest.mark.slow
@pytest.mark.parametrize("method", ["temperature", "isotonic"])
def test_calibrated_classifier_round_trips_through_save_and_load(method, tmp_path) -> None:
    train, y = units()
    base = TfidfLogReg(STANCES, char_ngrams=(3, 3), max_features=500)
    model = CalibratedClassifier(STANCES, base, method=method).fit(train, y)
    proba = model.predict_proba(train)
    assert proba.shape == (len(train), 3)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert model.predict(train) == y  # an easy task stays solved after calibration
    model.save(tmp_path / "stance")
    assert (tmp_path / "stance" / "base" / "classifier.json").is_file()
    loaded = load_classifier(tmp_path / "stance")
    assert isinstance(loaded, CalibratedClassifier) and isinstance(loaded.base, TfidfLogReg)
    assert loaded.method == method
    assert np.allclose(loaded.predict_proba(train), proba)


class SeenDocuments(UnitClassifier):
    """Sure of `favor` for units of documents it was fitted on, uniform otherwise."""

    def __init__(self, labels: Sequence[str]):
        super().__init__(labels)
        self.seen: set[str] = set()

    def fit(self, units: Sequence[Unit], y: Sequence[str], sample_weight=None) -> Self:
        self.seen = {u.doc_id for u in units}
        return self

    def predict_proba(self, units: Sequence[Unit]) -> np.ndarray:
        sure = np.eye(len(self.labels))[0]
        uniform = np.full(len(self.labels), 1 / len(self.labels))
        return np.array([sure if u.doc_id in self.seen else uniform for u in units])

    def save_files(self, path: Path) -> dict:
        return {"labels": list(self.labels)}

    @classmethod
    def load_files(cls, path: Path, params: dict) -> Self:
        return cls(**params)


def test_inner_folds_never_fit_on_the_documents_they_predict() -> None:
    train, y = units(n_docs=7)
    model = CalibratedClassifier(STANCES, SeenDocuments(STANCES), inner_folds=3)
    assert np.allclose(model.out_of_fold_proba(train, y), 1 / 3)
    model.fit(train, y)
    assert model.base.seen == {u.doc_id for u in train}  # the final model sees everything


def test_calibration_needs_two_documents() -> None:
    train, y = units(n_docs=1)
    with pytest.raises(ValueError, match="at least 2 documents, got 1"):
        CalibratedClassifier(STANCES, Majority(STANCES)).fit(train, y)


def test_model_config_selects_the_calibration() -> None:
    cfg = {"name": "majority", "_target_": "armstance.models.majority.Majority"}
    assert isinstance(build_classifier({**cfg, "calibration": "none"}, "stance"), Majority)
    assert isinstance(build_classifier(cfg, "stance"), Majority)
    wrapped = build_classifier({**cfg, "calibration": "isotonic"}, "sentiment")
    assert isinstance(wrapped, CalibratedClassifier) and wrapped.method == "isotonic"
    assert isinstance(wrapped.base, Majority) and wrapped.labels == wrapped.base.labels
    with pytest.raises(ValueError, match=r"model\.calibration must be one of"):
        build_classifier({**cfg, "calibration": "platt"}, "stance")


@pytest.mark.slow
def test_training_runs_log_ece_and_reliability_diagrams(in_store: Store) -> None:
    client = mlflow.tracking.MlflowClient()
    runs = client.search_runs(
        [client.get_experiment_by_name("armstance").experiment_id],
        "tags.experiment = 'tfidf_logreg'",
    )
    metrics = runs[0].data.metrics
    for task in ("stance", "sentiment"):
        for suffix in ("", "_de", "_en"):
            assert 0.0 <= metrics[f"cv_oracle_{task}_ece{suffix}"] <= 1.0
    artifacts = {a.path for a in client.list_artifacts(runs[0].info.run_id)}
    assert {"cv_oracle_stance_reliability.png", "cv_oracle_sentiment_reliability.png"} <= artifacts
