"""Training and prediction speed of a transformer model config on synthetic units.

    python benchmarks/transformer_speed.py --units 64 [--model minilm] [--threads 2]

Fits the config for one epoch (no validation part, so every unit is trained on), then
predicts the same units. Units are built from invented template sentences; `--sentences`
sets their length (corpus units hold up to 12 sentences).
"""

from __future__ import annotations

import argparse
import random
import resource
import time

import torch
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from armstance.config import CONFIG_DIR, register_resolvers
from armstance.models.build import build_model
from armstance.models.hf_loading import load_pretrained
from armstance.models.tiny_bert import invented_sentences
from armstance.schema import ACTOR_CLOSE, ACTOR_OPEN, STANCES, Unit


def synthetic_units(n: int, sentences: int, seed: int) -> tuple[list[Unit], list[str]]:
    rng = random.Random(seed)
    pool = [s.replace(ACTOR_OPEN, "").replace(ACTOR_CLOSE, "") for s in invented_sentences()]
    units, labels = [], []
    for i in range(n):
        marked = [f"{ACTOR_OPEN}Actor{i % 7}{ACTOR_CLOSE} said: {rng.choice(pool)}"]
        marked += rng.sample(pool, sentences - 1)
        units.append(
            Unit(
                doc_id=f"doc{i // 3}",
                lang="en",
                actor=f"Actor{i % 7}",
                actor_type="state",
                marked_sentences=marked,
                sentence_spans=[(j, j + 1) for j in range(sentences)],
            )
        )
        labels.append(rng.choices(STANCES, weights=(5, 1, 4))[0])
    return units, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--model", default="minilm", help="a config of configs/model/")
    parser.add_argument("--sentences", type=int, default=6, help="sentences per unit")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--model-name-or-path", help="override the config's weights (e.g. a copied folder)"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    # Composed as the training job composes it: model configs build on each other.
    register_resolvers()
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        root = compose("train", overrides=[f"model={args.model}", f"seed={args.seed}"])
    cfg = OmegaConf.to_container(root.model, resolve=True)
    cfg.update(epochs=1, val_fraction=0.0)
    if args.model_name_or_path:
        cfg["model_name_or_path"] = args.model_name_or_path
    units, labels = synthetic_units(args.units, args.sentences, args.seed)

    # Warm-up load first: the first one pays imports and a cold disk, which `fit` does not.
    load_pretrained(cfg["model_name_or_path"], STANCES)
    start = time.perf_counter()
    load_pretrained(cfg["model_name_or_path"], STANCES)
    load_s = time.perf_counter() - start

    model = build_model(cfg, STANCES)
    start = time.perf_counter()
    model.fit(units, labels)
    fit_s = time.perf_counter() - start

    start = time.perf_counter()
    model.predict_proba(units)
    predict_s = time.perf_counter() - start

    encoded = model.tokenizer(
        [u.actor for u in units],
        [u.text for u in units],
        truncation="only_second",
        max_length=cfg["max_length"],
    )
    tokens = [len(ids) for ids in encoded["input_ids"]]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"model {args.model}, {args.units} units, mean {sum(tokens) / len(tokens):.0f} tokens")
    print(f"threads {torch.get_num_threads()}, device {model.model.device}")
    print(f"seconds per epoch: {fit_s - load_s:.1f} (fit {fit_s:.1f} incl. load {load_s:.1f})")
    print(f"predictions per second: {len(units) / predict_s:.1f}")
    print(f"peak RSS: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
