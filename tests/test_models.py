import numpy as np
import pytest

from armstance.models.base import load_classifier
from armstance.models.majority import Majority
from armstance.models.tfidf_logreg import ACTOR_TOKEN, TfidfLogReg, unit_features_text
from armstance.schema import STANCES, Unit

FAVOR = [
    "[[Berlin]] liefert weitere Panzer an die Ukraine.",
    "[[Paris]] will send more howitzers to Kyiv.",
    "[[Warschau]] sagt neue Munition zu.",
]
AGAINST = [
    "[[Moskau]] warnt vor Waffenlieferungen.",
    "[[Budapest]] refuses to send any weapons.",
    "[[Der Kreml]] droht dem Westen wegen der Lieferungen.",
]
NONE = [
    "[[Rom]] meldet gutes Wetter.",
    "[[Madrid]] hosted a football match.",
    "[[Wien]] eröffnet ein Museum.",
]


def units(texts, label):
    return [
        Unit(
            doc_id=f"d{i}-{label}",
            lang="de",
            actor="X",
            actor_type="state",
            marked_sentences=[t],
            sentence_spans=[(0, len(t))],
            stance=label,
            sentiment="neutral",
        )
        for i, t in enumerate(texts)
    ]


TRAIN = units(FAVOR, "favor") + units(AGAINST, "against") + units(NONE, "none")


def test_actor_mask_replaces_marked_mentions():
    (unit,) = units(["[[Berlin]] liefert Panzer."], "favor")
    assert unit_features_text(unit, mask_actor=True).split()[0] == ACTOR_TOKEN
    assert unit_features_text(unit, mask_actor=False) == "Berlin liefert Panzer."


def test_tfidf_logreg_learns_separable_units_and_round_trips(tmp_path):
    model = TfidfLogReg(labels=STANCES, C=10.0).fit(TRAIN, [u.stance for u in TRAIN])
    proba = model.predict_proba(TRAIN)
    assert proba.shape == (len(TRAIN), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.predict(TRAIN) == [u.stance for u in TRAIN]
    model.save(tmp_path / "m")
    loaded = load_classifier(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict_proba(TRAIN), proba)
    assert loaded.labels == STANCES


def test_class_missing_from_training_gets_zero_probability_in_its_column():
    subset = [u for u in TRAIN if u.stance != "against"]
    model = TfidfLogReg(labels=STANCES).fit(subset, [u.stance for u in subset])
    proba = model.predict_proba(TRAIN)
    assert np.all(proba[:, STANCES.index("against")] == 0)
    assert model.predict_proba([]).shape == (0, 3)


def test_unknown_label_is_rejected():
    with pytest.raises(ValueError, match="unknown labels"):
        TfidfLogReg(labels=STANCES).fit(TRAIN[:1], ["maybe"])


def test_majority_predicts_the_most_frequent_class_with_priors(tmp_path):
    y = ["none", "none", "favor"]
    model = Majority(labels=STANCES).fit(TRAIN[:3], y)
    np.testing.assert_allclose(model.predict_proba(TRAIN[:2]), [[1 / 3, 0, 2 / 3]] * 2)
    assert model.predict(TRAIN[:1]) == ["none"]
    model.save(tmp_path / "maj")
    np.testing.assert_allclose(load_classifier(tmp_path / "maj").priors, model.priors)
