import json

import numpy as np
import pytest

from armstance.models.base import load_classifier
from armstance.models.cues import cue_tokens
from armstance.models.majority import Majority
from armstance.models.tfidf_logreg import ACTOR_TOKEN, TfidfLogReg, masked, unmarked
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
    assert masked("[[Berlin]] liefert Panzer.").split()[0] == ACTOR_TOKEN
    assert unmarked("[[Berlin]] liefert Panzer.") == "berlin liefert panzer."


def test_cue_tokens_are_shared_across_languages():
    german = cue_tokens("[[Berlin]] liefert weitere Panzer an die Ukraine.")
    french = cue_tokens("[[Paris]] va livrer des chars à l’Ukraine.")
    english = cue_tokens("[[Washington]] will send more tanks to Ukraine.")
    for tokens in (german, french, english):
        assert {"supply+weapon", "after:supply", "after:weapon"} <= set(tokens)
    refusal = cue_tokens("[[Budapest]] lehnt Waffenlieferungen ab.\nDas Wetter war schön.")
    assert "refuse+weapon" in refusal and "after:refuse" in refusal
    assert "warn" in cue_tokens("Moscou a averti [[l’OTAN]].")


@pytest.mark.slow
def test_tfidf_logreg_learns_separable_units_and_round_trips(tmp_path):
    model = TfidfLogReg(labels=STANCES, C=10.0).fit(TRAIN, [u.stance for u in TRAIN])
    proba = model.predict_proba(TRAIN)
    assert proba.shape == (len(TRAIN), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.predict(TRAIN) == [u.stance for u in TRAIN]
    model.save(tmp_path / "m")
    np.testing.assert_allclose(model.predict_proba(TRAIN), proba)  # saving left it whole
    loaded = load_classifier(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict_proba(TRAIN), proba)
    assert loaded.labels == STANCES
    # The vocabularies are term lists in JSON, in index order.
    terms = json.loads((tmp_path / "m" / "vocabulary.json").read_text(encoding="utf-8"))
    assert set(terms) == {"word", "char", "cues"} and "after:supply" in terms["cues"]
    word = model.pipeline.named_steps["features"].transformer_list[0][1]
    assert all(word.vocabulary_[term] == i for i, term in enumerate(terms["word"]))


def test_tfidf_logreg_refuses_vocabularies_of_other_vectorizers(tmp_path):
    model = TfidfLogReg(labels=STANCES, cues=False).fit(TRAIN, [u.stance for u in TRAIN])
    model.save(tmp_path / "m")
    vocabulary = tmp_path / "m" / "vocabulary.json"
    vocabulary.write_text(json.dumps({"word": ["a"]}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"vocabulary\.json: vocabularies \['word'\] do not match"):
        load_classifier(tmp_path / "m")


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


def test_refits_on_the_same_texts_reuse_the_fitted_features(monkeypatch):
    from armstance.models import tfidf_logreg

    monkeypatch.setattr(tfidf_logreg, "_features", type(tfidf_logreg._features)())
    y = [u.stance for u in TRAIN]
    first = TfidfLogReg(STANCES, C=1.0).fit(TRAIN, y)
    second = TfidfLogReg(STANCES, C=10.0).fit(TRAIN, y)
    assert second.pipeline.named_steps["features"] is first.pipeline.named_steps["features"]
    # The same model as without the cache, and other texts get features of their own.
    monkeypatch.setattr(tfidf_logreg, "_features", type(tfidf_logreg._features)())
    fresh = TfidfLogReg(STANCES, C=10.0).fit(TRAIN, y)
    assert np.allclose(second.predict_proba(TRAIN), fresh.predict_proba(TRAIN))
    other = TfidfLogReg(STANCES, C=10.0).fit(TRAIN[:-1], y[:-1])
    assert other.pipeline.named_steps["features"] is not fresh.pipeline.named_steps["features"]
