"""`python -m armstance.train [experiment=NAME] [overrides]`: one experiment end to end.

Fetch the corpus if needed, cross-validate on the committed folds (train+dev), fit on the
training split, score dev in oracle and end-to-end mode, log everything to MLflow, log the
pipeline as a pyfunc model and, where configured, register it and move the alias.
"""

from __future__ import annotations

import logging
import os
import time

import hydra
import mlflow
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from armstance.config import CONFIG_DIR, register_resolvers
from armstance.corpus import ensure_corpus, load_folds, load_gold
from armstance.evaluation.splits import cv_metrics, evaluate_split, seed_metrics
from armstance.paths import annotations_dir, folds_path
from armstance.tracking import diagnostics
from armstance.tracking.model_card import model_card
from armstance.tracking.pyfunc import log_pipeline
from armstance.tracking.registry import register
from armstance.tracking.runs import (
    fingerprint,
    log_config,
    log_decisions,
    log_metrics,
    log_selection,
    log_training_history,
    run_tags,
)
from armstance.tracking.store import use_store
from armstance.tracking.sweep import sweep_parent_run_id
from armstance.training.configured import apply_selected, compass, pipeline_fitter
from armstance.training.cross_validation import LanguageScope, cross_validate

log = logging.getLogger(__name__)


def run(cfg: DictConfig) -> float | None:
    hydra_cfg = HydraConfig.get()
    experiment = hydra_cfg.runtime.choices.get("experiment") or "default"
    in_sweep = hydra_cfg.mode == RunMode.MULTIRUN
    ensure_corpus()
    selected = bool(cfg.get("selected"))
    cfg = apply_selected(cfg)
    scope = LanguageScope(
        train_langs=tuple(cfg.data.train_langs) if cfg.data.train_langs else None,
        eval_langs=tuple(cfg.data.eval_langs) if cfg.data.eval_langs else None,
    )
    train_gold, dev_gold = load_gold(cfg.data.train_split), load_gold(cfg.data.dev_split)
    labelled = [*train_gold, *dev_gold]
    scored = scope.evaluated(labelled)
    train, dev = scope.trained(train_gold), scope.evaluated(dev_gold)
    fold_of = load_folds(cfg.data.folds_path)
    fit = pipeline_fitter(cfg)

    use_store(cfg.tracking.uri, cfg.tracking.experiment_name, cfg.tracking.artifact_root)
    run_name = f"{experiment}-{cfg.model.name}-s{cfg.seed}"
    if in_sweep:
        run_name += f"-job{hydra_cfg.job.num}"
    with mlflow.start_run(run_name=run_name, parent_run_id=sweep_parent_run_id()):
        mlflow.set_tags(run_tags(cfg, experiment, {d.lang for d in scope.trained(labelled)}))
        log_config(cfg)
        data_digest = fingerprint([*annotations_dir().glob("*.jsonl"), folds_path()])
        mlflow.set_tag("dataset_fingerprint", data_digest)
        mlflow.log_params(
            {
                "n_train_docs": len(train),
                "n_dev_docs": len(dev),
                "n_compass_docs": len(compass(scored, cfg)),
            }
        )

        metrics: dict = {}
        # The model and its dev evaluation come first: they embed the training and dev
        # texts once, in this process, so that the CV's parallel fold workers find them
        # cached instead of each encoding nearly the whole corpus at the same time.
        started = time.perf_counter()
        fitted_on = train[: cfg.data.max_train_docs]
        pipeline = fit(fitted_on)
        metrics["train_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        metrics |= evaluate_split(pipeline, dev, cfg, "dev")
        metrics["dev_eval_docs_per_second"] = len(dev) / (time.perf_counter() - started)
        if cfg.evaluation.cv:
            e2e = cfg.evaluation.e2e
            news = compass(scored, cfg)
            # `cv_*`: the news documents, the compass; `cvall_*`: every labelled document,
            # where the corpus holds more than the news and `evaluation.cvall` asks for it.
            cvall = cfg.evaluation.get("cvall", True) and len(news) < len(scored)
            cv = cross_validate(
                fit,
                labelled,
                fold_of,
                cfg.data.max_train_docs,
                scope,
                e2e=e2e,
                scored_ids=None if cvall else {d.doc_id for d in news},
                n_jobs=cfg.evaluation.n_jobs,
            )
            splits = [("cv", news)] + ([("cvall", scored)] if cvall else [])
            for split, docs in splits:
                metrics |= cv_metrics(docs, cv.oracle, fold_of, "oracle", cfg, split)
                if e2e:
                    metrics |= cv_metrics(docs, cv.e2e, fold_of, "e2e", cfg, split)
            news_ids = {d.doc_id for d in news}
            if e2e:
                diagnostics.log_predictions("cv_e2e", [p for p in cv.e2e if p.doc_id in news_ids])
                diagnostics.log_stance_confusion(news, cv.e2e)
            news_oracle = [p for p in cv.oracle if p.doc_id in news_ids]
            diagnostics.log_oracle_diagnostics("cv_oracle", news, news_oracle)

        log_metrics(metrics)
        if selected:
            metrics |= log_selection(experiment)

        if cfg.data.fit_on == "train_dev":
            fitted_on = scope.trained(labelled)
            pipeline = fit(fitted_on)
        # The seed is reported, never used to choose: every run says how the model it logs
        # reads the French seed article, zero-shot.
        log_metrics(seed_metrics(pipeline, cfg))
        log_decisions(pipeline)
        log_training_history(pipeline)
        pipeline.metadata = {
            "experiment": experiment,
            "model": cfg.model.name,
            "fit_on": cfg.data.fit_on,
            "dataset_fingerprint": data_digest,
        }
        if cfg.tracking.log_model:
            uri = log_pipeline(pipeline, model_card(cfg, experiment, metrics, fitted_on))
            if cfg.tracking.register and not in_sweep:
                version = register(uri, cfg.tracking.registered_model_name, cfg.tracking.alias)
                log.info("registered %s version %s", cfg.tracking.registered_model_name, version)
        for name in (
            "cv_oracle_stance_f_avg",
            "cv_e2e_stance_f_avg",
            "dev_oracle_stance_f_avg",
            "dev_e2e_stance_f_avg",
        ):
            if metrics.get(name) is not None:
                log.info("%s = %.3f", name, metrics[name])
    return metrics.get("cv_oracle_stance_f_avg")


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="train")
def main(cfg: DictConfig) -> float | None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    return run(cfg)


register_resolvers()

if __name__ == "__main__":
    main()
