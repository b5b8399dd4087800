"""`python -m armstance.newsmtsc [model=NAME] [overrides]`: sentiment transfer from NewsMTSC.

NewsMTSC (Hamborg & Donnay 2021) labels the sentiment of English news sentences toward a
marked person, the same judgement as our sentiment task. The job fine-tunes the configured
sentiment classifier on its training set, selects the epoch on the real-world dev set
(`rw_hf_dev`), scores the real-world test set next to the published figure, logs the
fine-tuned classifier folder as the run's `sentiment_model` artifact (to start our corpus's
sentiment model from: `model.init_from`, experiments/minilm_newsmtsc_init.yaml) and scores
it, untouched, on our corpus's labelled units ("transfer alone").

The reader is corpus/newsmtsc.py, the scores evaluation/newsmtsc.py.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import hydra
import mlflow
from omegaconf import DictConfig

from armstance.config import CONFIG_DIR, register_resolvers
from armstance.corpus.newsmtsc import load_splits
from armstance.evaluation.newsmtsc import score_newsmtsc, score_transfer
from armstance.tracking.runs import git_commit, log_config, log_history, log_metrics
from armstance.tracking.store import use_store
from armstance.training.fit import build_classifier
from armstance.units import UnitBuilder

log = logging.getLogger(__name__)

MODEL_ARTIFACT = "sentiment_model"


def run(cfg: DictConfig) -> float | None:
    splits = load_splits(cfg)
    use_store(cfg.tracking.uri, cfg.tracking.experiment_name, cfg.tracking.artifact_root)
    reference = cfg.newsmtsc.reference
    with mlflow.start_run(run_name=f"newsmtsc-{cfg.model.name}-s{cfg.seed}") as active:
        mlflow.set_tags(
            {
                "model": cfg.model.name,
                "experiment": "newsmtsc",
                "langs": "en",
                "seed": str(cfg.seed),
                "git_commit": git_commit(),
                "reference": reference.source,
            }
        )
        log_config(cfg)
        mlflow.log_params({f"n_{split}_targets": len(units) for split, units in splits.items()})

        classifier = build_classifier(cfg.model, "sentiment")
        train, dev = splits["train"], splits["dev"]
        classifier.fit(
            train, [u.sentiment for u in train], validation=(dev, [u.sentiment for u in dev])
        )
        log_history("newsmtsc", getattr(classifier, "history", []))

        metrics = score_newsmtsc(classifier, dev, "dev", cfg)
        metrics |= score_newsmtsc(classifier, splits["test"], "test", cfg)
        if cfg.newsmtsc.transfer:
            metrics |= score_transfer(classifier, UnitBuilder(**cfg.units), cfg)
        log_metrics(metrics)

        with tempfile.TemporaryDirectory() as tmp:
            classifier.save(Path(tmp) / MODEL_ARTIFACT)
            mlflow.log_artifacts(str(Path(tmp) / MODEL_ARTIFACT), MODEL_ARTIFACT)
        init_uri = f"runs:/{active.info.run_id}/{MODEL_ARTIFACT}"
        mlflow.set_tag("init_from_uri", init_uri)
        log.info(
            "newsmtsc_test_macro_f1 = %.3f (published %.3f); model at %s",
            metrics["newsmtsc_test_macro_f1"],
            reference.test_macro_f1,
            init_uri,
        )
    return metrics["newsmtsc_test_macro_f1"]


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="newsmtsc")
def main(cfg: DictConfig) -> float | None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    return run(cfg)


register_resolvers()

if __name__ == "__main__":
    main()
