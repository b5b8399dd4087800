"""`python -m armstance.evaluate [model_uri=URI] [split=dev] [collections=[a,b]]`: score a
logged model. `split=[train,dev]` scores several splits together.

Runs the model's pipeline on a labelled split with gold actors (oracle) and, unless
`evaluation.e2e=false`, with its own extracted actors (e2e), prints the scores and logs
them as a run tagged with the model.
Scoring files instead of a model: `armstance evaluate --gold G --pred P`.
"""

from __future__ import annotations

import logging

import hydra
import mlflow
from omegaconf import DictConfig

from armstance.config import CONFIG_DIR, register_resolvers
from armstance.corpus import ensure_corpus, load_gold
from armstance.corpus.sources import of_collections
from armstance.evaluation.splits import evaluate_split
from armstance.prediction.model_uri import load_pipeline
from armstance.tracking.runs import git_commit, log_metrics
from armstance.tracking.store import use_store

log = logging.getLogger(__name__)


def run(cfg: DictConfig) -> dict:
    use_store(cfg.tracking.uri, cfg.tracking.experiment_name, cfg.tracking.artifact_root)
    pipeline = load_pipeline(cfg.model_uri)
    ensure_corpus()
    splits = [cfg.split] if isinstance(cfg.split, str) else [str(s) for s in cfg.split]
    collections = cfg.get("collections")
    docs = of_collections(
        [d for s in splits for d in load_gold(s)],
        None if collections is None else [str(c) for c in collections],
        f"split {','.join(splits)!r}",
    )
    prefix = "_".join(splits)
    metrics = evaluate_split(pipeline, docs, cfg, prefix)
    for name in sorted(metrics):
        if not name.endswith(("_lo", "_hi")) and metrics[name] is not None:
            log.info("%s = %.3f", name, metrics[name])
    if cfg.log:
        meta = pipeline.metadata
        with mlflow.start_run(run_name=f"evaluate-{meta.get('experiment', 'model')}-{prefix}"):
            mlflow.set_tags(
                {
                    "model": meta.get("model", "unknown"),
                    "experiment": meta.get("experiment", "unknown"),
                    "langs": ",".join(sorted({d.lang for d in docs})),
                    "seed": "n/a",
                    "git_commit": git_commit(),
                    "evaluated_model_uri": cfg.model_uri,
                    "collections": ",".join(collections) if collections else "all",
                    "kind": "evaluation",
                }
            )
            log_metrics(metrics)
    return metrics


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="evaluate")
def main(cfg: DictConfig) -> None:
    run(cfg)


register_resolvers()

if __name__ == "__main__":
    main()
