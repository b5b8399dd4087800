"""Ensembles of unit classifiers: probability averaging and stacking on inner folds, built
from model configs and saved member by member."""

import numpy as np
import pytest
from hydra import compose, initialize_config_dir

from armstance.config import CONFIG_DIR, register_resolvers
from armstance.models.base import load_classifier
from armstance.models.ensemble import ProbabilityAverage, Stacking
from armstance.schema import STANCES
from armstance.training.fit import build_classifier
from test_models import TRAIN

TFIDF = {"_target_": "armstance.models.tfidf_logreg.TfidfLogReg", "C": 10.0, "name": "t"}
MAJORITY = {"_target_": "armstance.models.majority.Majority", "calibration": "none"}
Y = [u.stance for u in TRAIN]


@pytest.mark.slow
def test_average_is_the_weighted_mean_of_the_members(tmp_path):
    model = ProbabilityAverage(
        STANCES, {"tfidf": TFIDF, "prior": MAJORITY}, {"tfidf": 3, "prior": 1}
    )
    model.fit(TRAIN, Y)
    members = model.member_proba(TRAIN)
    expected = 0.75 * members["tfidf"] + 0.25 * members["prior"]
    assert np.allclose(model.predict_proba(TRAIN), expected)
    model.save(tmp_path / "avg")
    loaded = load_classifier(tmp_path / "avg")
    assert loaded.weights == {"tfidf": 0.75, "prior": 0.25}
    assert np.allclose(loaded.predict_proba(TRAIN), expected)


def test_stacking_fits_its_meta_model_on_inner_folds_and_round_trips(tmp_path):
    model = Stacking(STANCES, {"tfidf": TFIDF, "prior": MAJORITY}, inner_folds=3, C=10.0)
    features = model.out_of_fold_features(TRAIN, Y)
    # Out-of-fold: the tf-idf member never scores a unit it was fitted on, so its
    # probabilities differ from those of a member fitted on everything.
    full = build_classifier(TFIDF, "stance").fit(TRAIN, Y).predict_proba(TRAIN)
    assert not np.allclose(features[:, :3], np.log(np.clip(full, 1e-6, 1)))
    model.fit(TRAIN, Y)
    proba = model.predict_proba(TRAIN)
    assert np.allclose(proba.sum(axis=1), 1)
    model.save(tmp_path / "stack")
    assert np.allclose(load_classifier(tmp_path / "stack").predict_proba(TRAIN), proba)


def test_bad_weights_are_refused():
    with pytest.raises(ValueError, match="weights name"):
        ProbabilityAverage(STANCES, {"tfidf": TFIDF}, {"other": 1})
    with pytest.raises(ValueError, match="non-negative"):
        ProbabilityAverage(STANCES, {"tfidf": TFIDF, "prior": MAJORITY}, {"tfidf": 1, "prior": -1})


def test_ensemble_configs_compose_from_model_configs():
    register_resolvers()
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("train", overrides=["model=tfidf_e5_avg"])
    classifier = build_classifier(cfg.model, "stance")
    assert isinstance(classifier, ProbabilityAverage)
    assert set(classifier.members) == {"tfidf", "e5"}


def test_a_member_fitted_on_the_same_data_with_the_same_config_is_reused():
    first = ProbabilityAverage(STANCES, {"tfidf": TFIDF, "prior": MAJORITY}).fit(TRAIN, Y)
    other_c = {**TFIDF, "C": 1.0}
    second = ProbabilityAverage(STANCES, {"tfidf": other_c, "prior": MAJORITY}).fit(TRAIN, Y)
    assert second.members["prior"] is first.members["prior"]
    assert second.members["tfidf"] is not first.members["tfidf"]
    # Other labels or other weights are other data.
    weighted = ProbabilityAverage(STANCES, {"tfidf": TFIDF, "prior": MAJORITY})
    weighted.fit(TRAIN, Y, [2.0] * (len(Y) - 1) + [1.0])
    assert weighted.members["prior"] is not first.members["prior"]
