"""`python -m armstance.train [experiment=NAME] [overrides]`: one experiment end to end.

Fetch the corpus if needed, cross-validate on the committed folds (train+dev), fit on the
training split, score dev in oracle and end-to-end mode, log everything to MLflow, log the
pipeline as a pyfunc model and, where configured, register it and move the alias.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence

import hydra
import mlflow
import numpy as np
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from armstance.config import CONFIG_DIR, register_resolvers
from armstance.corpus import ensure_corpus, load_folds, load_gold
from armstance.corpus.sources import collection_of
from armstance.decision_fit import DecisionConfig
from armstance.evaluation.scoring import score
from armstance.fitting import LanguageScope, TrainingSet, cross_validate, fit_pipeline
from armstance.paths import annotations_dir, folds_path
from armstance.pipeline import ArmstancePipeline
from armstance.schema import Document, DocumentPrediction, GoldDocument
from armstance.tracking import diagnostics
from armstance.tracking.model_card import model_card
from armstance.tracking.pyfunc import log_pipeline, register
from armstance.tracking.runs import fingerprint, git_commit, log_config, log_history, log_metrics
from armstance.tracking.store import use_store
from armstance.tracking.sweep import sweep_parent_run_id
from armstance.units import UnitBuilder

log = logging.getLogger(__name__)
HEADLINE = ("stance_f_avg", "stance_macro_f1", "sentiment_macro_f1")


def prefixed(prefix: str, metrics: dict) -> dict:
    return {f"{prefix}_{name}": value for name, value in metrics.items()}


def fold_spread(
    gold: Sequence[GoldDocument],
    predictions: Sequence[DocumentPrediction],
    fold_of: dict,
    mode: str,
) -> dict[str, float | None]:
    """Standard deviation of the headline metrics over the CV folds (`..._sd`)."""
    per_fold: dict[str, list[float]] = {name: [] for name in HEADLINE}
    by_id = {p.doc_id: p for p in predictions}
    for fold in sorted(set(fold_of.values())):
        docs = [d for d in gold if fold_of[d.doc_id] == fold]
        scores = score(
            [d.to_annotation() for d in docs],
            [by_id[d.doc_id] for d in docs],
            {d.doc_id: d.text for d in docs},
            mode=mode,
            n_boot=0,
        )
        for name in HEADLINE:
            if scores.get(name) is not None:
                per_fold[name].append(scores[name])
    return {
        f"{name}_sd": float(np.std(values, ddof=1)) if len(values) > 1 else None
        for name, values in per_fold.items()
    }


def cv_metrics(
    gold: Sequence[GoldDocument],
    predictions: Sequence[DocumentPrediction],
    fold_of: dict,
    mode: str,
    cfg: DictConfig,
    split: str = "cv",
) -> dict:
    """Scores of out-of-fold predictions of the `gold` documents, with intervals and their
    spread over folds, named `{split}_{mode}_...`."""
    predictions = [p for p in predictions if p.doc_id in {d.doc_id for d in gold}]
    scores = score(
        [d.to_annotation() for d in gold],
        predictions,
        {d.doc_id: d.text for d in gold},
        mode=mode,
        n_boot=cfg.evaluation.n_boot,
        seed=cfg.evaluation.boot_seed,
    )
    return prefixed(f"{split}_{mode}", scores | fold_spread(gold, predictions, fold_of, mode))


def compass(docs: Sequence[GoldDocument], cfg: DictConfig) -> list[GoldDocument]:
    """The documents model selection is judged on: those of `data.compass_collections`
    (the news), whatever else the corpus has grown to hold."""
    return [d for d in docs if collection_of(d.doc_id) in cfg.data.compass_collections]


def seed_metrics(pipeline: ArmstancePipeline, cfg: DictConfig) -> dict:
    """The logged model on the seed article(s): `seed_{oracle,e2e}_*` scores and
    `seed_oracle_stance_agree`, how many gold actors get their gold stance."""
    seed = load_gold("seed")
    metrics = evaluate_split(pipeline, seed, cfg, "seed")
    judged = {(p.doc_id, a.actor): a.stance for p in pipeline.predict_gold(seed) for a in p.actors}
    metrics["seed_oracle_stance_agree"] = sum(
        judged[(d.doc_id, a.actor)] == a.stance for d in seed for a in d.actors
    )
    return metrics


def log_decisions(pipeline: ArmstancePipeline) -> None:
    """The class weights of the logged model's decision rules, as params."""
    mlflow.log_params(
        {
            f"decision_{task}_weight_{label}": round(weight, 4)
            for task, rule in pipeline.decisions.items()
            for label, weight in zip(rule.labels, rule.weights, strict=True)
        }
    )


def training_histories(classifier, name: str):
    """(name, per-epoch history) of a classifier trained in epochs, and of its parts (an
    ensemble's members, a calibrated model's base), named `<task>_<member>`."""
    if getattr(classifier, "history", None):
        yield name, classifier.history
    for member, part in getattr(classifier, "members", {}).items():
        yield from training_histories(part, f"{name}_{member}")
    if (base := getattr(classifier, "base", None)) is not None:
        yield from training_histories(base, name)


def log_training_history(pipeline: ArmstancePipeline) -> None:
    """Each epoch's figures (e.g. the training loss) of the logged model, by epoch, so the
    MLflow UI draws the curves."""
    for task, classifier in pipeline.classifiers.items():
        for name, history in training_histories(classifier, task):
            log_history(name, history)


def make_extractor(cfg: DictConfig):
    from armstance.actors.extractor import ActorExtractor

    return ActorExtractor(use_spacy_fr=cfg.actors.use_spacy_fr, heuristics=cfg.actors.heuristics)


def evaluate_split(
    pipeline: ArmstancePipeline, docs: Sequence[GoldDocument], cfg: DictConfig, split: str
) -> dict:
    """Oracle and (if configured) end-to-end scores of a fitted pipeline on labelled docs."""
    gold = [d.to_annotation() for d in docs]
    texts = {d.doc_id: d.text for d in docs}
    boot = {"n_boot": cfg.evaluation.n_boot, "seed": cfg.evaluation.boot_seed}
    metrics = prefixed(
        f"{split}_oracle", score(gold, pipeline.predict_gold(docs), texts, mode="oracle", **boot)
    )
    if cfg.evaluation.e2e:
        plain = [Document(doc_id=d.doc_id, lang=d.lang, text=d.text) for d in docs]
        predicted = pipeline.predict(plain)
        metrics |= prefixed(f"{split}_e2e", score(gold, predicted, texts, mode="e2e", **boot))
    return metrics


def run_tags(cfg: DictConfig, experiment: str, langs: Sequence[str]) -> dict[str, str]:
    tags = {
        "model": cfg.model.name,
        "experiment": experiment,
        "langs": ",".join(sorted(langs)),
        "seed": str(cfg.seed),
        "git_commit": git_commit(),
    }
    if cfg.model.get("vocabulary"):
        tags["vocabulary"] = str(cfg.model.vocabulary)
    # A job on a SLURM cluster: its logs and accounting are found by this id.
    if os.environ.get("SLURM_JOB_ID"):
        tags["slurm_job_id"] = os.environ["SLURM_JOB_ID"]
    return tags


def pipeline_fitter(cfg: DictConfig) -> Callable[[Sequence[GoldDocument]], ArmstancePipeline]:
    """What the configuration fits on a list of training documents: the classifiers, the
    decision rules and the actor extractor (part of every logged pipeline, so a model
    fitted without e2e scoring still predicts raw articles)."""
    builder = UnitBuilder(**cfg.units)
    extractor = make_extractor(cfg)
    decision = DecisionConfig(
        tasks=tuple(cfg.decision.tasks),
        inner_folds=cfg.decision.inner_folds,
        units=cfg.decision.units,
        collections=tuple(cfg.decision.collections) if cfg.decision.collections else None,
    )
    training = TrainingSet(
        unlisted_as_none=cfg.data.unlisted_as_none,
        collection_weights=OmegaConf.to_container(cfg.data.collection_weights) or {},
    )

    def fit(docs: Sequence[GoldDocument]) -> ArmstancePipeline:
        return fit_pipeline(cfg.model, docs, builder, extractor, decision, training)

    return fit


def run(cfg: DictConfig) -> float | None:
    hydra_cfg = HydraConfig.get()
    experiment = hydra_cfg.runtime.choices.get("experiment") or "default"
    in_sweep = hydra_cfg.mode == RunMode.MULTIRUN
    ensure_corpus()
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
        if cfg.evaluation.cv:
            e2e = cfg.evaluation.e2e
            cv = cross_validate(fit, labelled, fold_of, cfg.data.max_train_docs, scope, e2e=e2e)
            news = compass(scored, cfg)
            # `cv_*`: the news documents, the compass; `cvall_*`: every labelled document,
            # where the corpus holds more than the news.
            splits = [("cv", news)] + ([("cvall", scored)] if len(news) < len(scored) else [])
            for split, docs in splits:
                metrics |= cv_metrics(docs, cv.oracle, fold_of, "oracle", cfg, split)
                if e2e:
                    metrics |= cv_metrics(docs, cv.e2e, fold_of, "e2e", cfg, split)
            news_ids = {d.doc_id for d in news}
            if e2e:
                diagnostics.log_predictions("cv_e2e", [p for p in cv.e2e if p.doc_id in news_ids])
            news_oracle = [p for p in cv.oracle if p.doc_id in news_ids]
            diagnostics.log_oracle_diagnostics("cv_oracle", news, news_oracle)

        started = time.perf_counter()
        pipeline = fit(train[: cfg.data.max_train_docs])
        metrics["train_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        metrics |= evaluate_split(pipeline, dev, cfg, "dev")
        metrics["dev_eval_docs_per_second"] = len(dev) / (time.perf_counter() - started)
        log_metrics(metrics)

        if cfg.data.fit_on == "train_dev":
            pipeline = fit(scope.trained(labelled))
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
            uri = log_pipeline(pipeline, model_card(cfg, experiment, metrics))
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
