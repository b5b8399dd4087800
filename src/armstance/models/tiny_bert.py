"""A tiny BERT and WordPiece tokenizer built locally in seconds, for tests and smoke runs.

Nothing is downloaded: the tokenizer is trained on sentences generated here from invented
templates about arms deliveries in French, English and German, and the weights are random.
The model learns nothing useful; it exercises the real fine-tuning and loading code.
"""

from __future__ import annotations

import itertools
import shutil
import string
import tempfile
from pathlib import Path

from armstance.paths import cache_dir
from armstance.schema import ACTOR_CLOSE, ACTOR_OPEN

TINY_BERT_NAME = "tiny-bert"
# Bump when the architecture or the corpus changes, so a stale cache is not reused.
_CACHE_VERSION = "v1"
_SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

_TEMPLATES: dict[str, tuple[list[str], list[str], list[str], str]] = {
    "en": (
        ["Germany", "France", "the United States", "NATO", "Hungary", "the Kremlin", "Poland"],
        ["will deliver", "refuses to send", "promised", "criticised the delivery of"],
        ["tanks", "howitzers", "air defence systems", "ammunition", "fighter jets", "drones"],
        "{actor} {verb} {obj} to Ukraine.",
    ),
    "fr": (
        ["L'Allemagne", "La France", "Les États-Unis", "L'OTAN", "La Hongrie", "Le Kremlin"],
        ["va livrer", "refuse d'envoyer", "a promis", "a critiqué la livraison de"],
        ["chars", "obusiers", "systèmes de défense aérienne", "munitions", "avions de combat"],
        "{actor} {verb} des {obj} à l'Ukraine.",
    ),
    "de": (
        ["Deutschland", "Frankreich", "Die USA", "Die NATO", "Ungarn", "Der Kreml", "Polen"],
        ["liefert", "verweigert", "versprach", "kritisierte die Lieferung von"],
        ["Kampfpanzer", "Haubitzen", "Luftabwehrsysteme", "Munition", "Kampfjets", "Drohnen"],
        "{actor} {verb} {obj} an die Ukraine.",
    ),
}


def invented_sentences() -> list[str]:
    """A few hundred generated sentences; every other one has its actor marked."""
    lines = []
    for actors, verbs, objects, template in _TEMPLATES.values():
        for i, (actor, verb, obj) in enumerate(itertools.product(actors, verbs, objects)):
            shown = f"{ACTOR_OPEN}{actor}{ACTOR_CLOSE}" if i % 2 else actor
            lines.append(template.format(actor=shown, verb=verb, obj=obj))
    return lines


def _train_tokenizer(lines: list[str]):
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    # Every printable ASCII character gets a token, so text outside the invented corpus
    # (input prefixes, punctuation) maps to characters rather than to [UNK].
    trainer = trainers.WordPieceTrainer(
        vocab_size=2000,
        special_tokens=_SPECIAL_TOKENS,
        initial_alphabet=list(string.ascii_letters + string.digits + string.punctuation),
    )
    tok.train_from_iterator(lines, trainer)
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_input_names=["input_ids", "token_type_ids", "attention_mask"],
    )


def build_tiny_bert(path: Path, seed: int = 0) -> Path:
    """Write a randomly initialised 2-layer BERT (hidden 32) and its tokenizer into `path`."""
    import torch
    from transformers import BertConfig, BertModel

    tokenizer = _train_tokenizer(invented_sentences())
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    path = Path(path)
    BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def tiny_bert_path() -> Path:
    """The cached tiny BERT, built on first use."""
    target = cache_dir() / f"tiny_bert_{_CACHE_VERSION}"
    if (target / "config.json").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and rename, so a concurrent reader never sees half a model.
    staging = Path(tempfile.mkdtemp(prefix=".tiny_bert_", dir=target.parent))
    try:
        build_tiny_bert(staging)
        staging.rename(target)
    except OSError:
        if not (target / "config.json").is_file():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
