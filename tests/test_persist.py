"""The one way model parts are stored: skops with a fixed list of trusted types, safetensors
for arrays; nothing written here unpickles."""

from __future__ import annotations

import os
import pickle
from importlib import import_module

import numpy as np
import pytest
import skops.io as sio
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import FunctionTransformer

from armstance.errors import UntrustedArtifactError
from armstance.models.persist import (
    TRUSTED_TYPES,
    load_arrays,
    load_estimator,
    save_arrays,
    save_estimator,
)
from armstance.models.tfidf_logreg import TfidfLogReg, unit_input
from armstance.schema import STANCES
from test_models import TRAIN


def assert_not_a_pickle(path) -> None:
    with pytest.raises(Exception):  # noqa: B017 - any failure to unpickle will do
        pickle.loads(path.read_bytes())


@pytest.mark.parametrize("mask_actor", [True, False])
def test_tfidf_pipeline_round_trips_with_identical_probabilities(tmp_path, mask_actor):
    model = TfidfLogReg(STANCES, C=10.0, mask_actor=mask_actor).fit(
        TRAIN, [u.stance for u in TRAIN]
    )
    save_estimator(model.pipeline, tmp_path / "p.skops")
    loaded = load_estimator(tmp_path / "p.skops")
    texts = [unit_input(u) for u in TRAIN]
    np.testing.assert_allclose(loaded.predict_proba(texts), model.pipeline.predict_proba(texts))
    assert_not_a_pickle(tmp_path / "p.skops")


def test_mlp_classifier_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(30, 4)), np.array(STANCES * 10)
    mlp = MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
    with pytest.warns(UserWarning):  # not converged in 30 iterations: fine here
        mlp.fit(x, y)
    save_estimator(mlp, tmp_path / "mlp.skops")
    np.testing.assert_allclose(
        load_estimator(tmp_path / "mlp.skops").predict_proba(x), mlp.predict_proba(x)
    )


def test_every_trusted_type_exists():
    for name in TRUSTED_TYPES:
        module, _, attribute = name.rpartition(".")
        assert hasattr(import_module(module), attribute), name


def test_a_file_with_an_untrusted_type_is_refused_and_named(tmp_path):
    # Written with skops directly, as someone else's registry might hold it.
    sio.dump(FunctionTransformer(func=os.system), tmp_path / "evil.skops")
    with pytest.raises(UntrustedArtifactError, match=r"evil\.skops.*system"):
        load_estimator(tmp_path / "evil.skops")


def test_saving_an_untrusted_type_is_refused_before_writing(tmp_path):
    with pytest.raises(UntrustedArtifactError, match="system"):
        save_estimator(FunctionTransformer(func=os.system), tmp_path / "evil.skops")
    assert not list(tmp_path.iterdir())


def test_a_file_that_is_not_skops_is_a_clear_error(tmp_path):
    for content in (b"", b"not a zip file"):
        (tmp_path / "x.skops").write_bytes(content)
        with pytest.raises(ValueError, match=r"x\.skops: not a skops file"):
            load_estimator(tmp_path / "x.skops")


def test_arrays_round_trip_with_dtype_and_shape(tmp_path):
    arrays = {
        "weights": np.arange(12, dtype=np.float32).reshape(3, 4)[:, ::2],  # not contiguous
        "thresholds": np.array([0.2, 0.5, 0.3]),
        "counts": np.array([[1, 2], [3, 4]], dtype=np.int64),
        "mask": np.array([True, False]),
    }
    save_arrays(arrays, tmp_path / "a.safetensors")
    loaded = load_arrays(tmp_path / "a.safetensors")
    assert set(loaded) == set(arrays)
    for name, array in arrays.items():
        assert loaded[name].dtype == array.dtype and loaded[name].shape == array.shape
        np.testing.assert_array_equal(loaded[name], array)
    assert_not_a_pickle(tmp_path / "a.safetensors")


def test_arrays_that_safetensors_cannot_hold_are_refused(tmp_path):
    with pytest.raises(TypeError, match=r"'names'.*<U1"):
        save_arrays({"names": np.array(["a"])}, tmp_path / "a.safetensors")
    with pytest.raises(TypeError, match="'objects'"):
        save_arrays({"objects": np.array([None])}, tmp_path / "a.safetensors")
    assert not list(tmp_path.iterdir())


def test_a_file_that_is_not_safetensors_is_a_clear_error(tmp_path):
    (tmp_path / "a.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    with pytest.raises(ValueError, match=r"a\.safetensors: not a safetensors file"):
        load_arrays(tmp_path / "a.safetensors")
