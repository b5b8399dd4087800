"""`python -m armstance.jobs.select [experiment=NAME]` (`make select`): nested model selection.

Chooses every knob of `select.knobs` inside the training folds of each outer fold
(training/selection.py), reports the outer-fold estimate with its interval, the inner
figure and their difference (the optimism), the German -> English and English -> German
transfer of the chosen values, and writes the values into the experiment's YAML (its
`selected:` block, which `python -m armstance.train` applies) with the estimate in a
comment. Everything lands in one MLflow run tagged `kind=selection`, with the outer-fold
predictions as artifacts (`armstance compare --paired <run id> tfidf_logreg`).
"""

from __future__ import annotations

import logging
import os
import time

import hydra
import mlflow
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from tqdm.auto import tqdm

from armstance.config import CONFIG_DIR, register_resolvers
from armstance.corpus import ensure_corpus, load_folds, load_gold
from armstance.evaluation.splits import cv_metrics
from armstance.paths import annotations_dir, folds_path, project_root
from armstance.tracking import diagnostics
from armstance.tracking.runs import fingerprint, git_commit, log_config, log_metrics
from armstance.tracking.store import use_store
from armstance.training.configured import compass, without_selected
from armstance.training.cross_validation import fold_workers
from armstance.training.selection import (
    check_selected_paths,
    modal_values,
    outer_fold,
    parse_knobs,
    start_values,
    transfer,
    write_selected,
)

log = logging.getLogger(__name__)


def run(cfg: DictConfig) -> dict:
    experiment = HydraConfig.get().runtime.choices.get("experiment") or "default"
    ensure_corpus()
    knobs = parse_knobs(cfg.select.knobs, cfg)
    check_selected_paths(cfg, knobs, experiment)
    # Selection starts from the experiment's own values, not from an earlier selection's.
    cfg = without_selected(cfg)
    start = start_values(cfg, knobs)
    labelled = [*load_gold(cfg.data.train_split), *load_gold(cfg.data.dev_split)]
    fold_of = load_folds(cfg.data.folds_path)
    news = compass(labelled, cfg)
    plain = OmegaConf.to_container(cfg, resolve=True)
    started = time.perf_counter()
    folds = sorted({fold_of[d.doc_id] for d in news})
    with fold_workers(cfg.select.n_jobs) as parallel:
        done = parallel(
            outer_fold, [(plain, fold, labelled, fold_of, cfg.select.passes) for fold in folds]
        )
        outer = sorted(
            tqdm(done, total=len(folds), desc="outer folds", unit="fold"), key=lambda o: o.fold
        )
    seconds = time.perf_counter() - started
    choices = [o.choice for o in outer]
    final = modal_values([c.values for c in choices], knobs, start)
    e2e = [p for o in outer for p in o.e2e]
    oracle = [p for o in outer for p in o.oracle]
    metrics = {"select_seconds": seconds}
    for mode, predictions in (("e2e", e2e), ("oracle", oracle)):
        scored = cv_metrics(news, predictions, fold_of, mode, cfg, split="nested_cv")
        metrics |= scored
    inner = sum(c.inner for c in choices) / len(choices)
    metrics["nested_cv_inner_e2e_stance_f_avg"] = inner
    metrics["nested_cv_optimism_e2e_stance_f_avg"] = inner - metrics["nested_cv_e2e_stance_f_avg"]
    metrics |= transfer(cfg, knobs, final, labelled, fold_of)

    use_store(cfg.tracking.uri, cfg.tracking.experiment_name, cfg.tracking.artifact_root)
    with mlflow.start_run(run_name=f"select-{experiment}-{cfg.model.name}") as active:
        mlflow.set_tags(
            {
                "kind": "selection",
                "experiment": experiment,
                "model": cfg.model.name,
                "git_commit": git_commit(),
                "dataset_fingerprint": fingerprint(
                    [*annotations_dir().glob("*.jsonl"), folds_path()]
                ),
            }
        )
        log_config(cfg)
        mlflow.log_params({f"selected.{k}": v for k, v in final.items()})
        for o in outer:
            mlflow.log_params({f"fold{o.fold}.{k}": v for k, v in o.choice.values.items()})
            mlflow.log_metric("nested_cv_inner_fold_e2e_stance_f_avg", o.choice.inner, step=o.fold)
        log_metrics(metrics)
        news_ids = {d.doc_id for d in news}
        diagnostics.log_predictions("cv_e2e", [p for p in e2e if p.doc_id in news_ids])
        diagnostics.log_predictions("cv_oracle", [p for p in oracle if p.doc_id in news_ids])
        run_id = active.info.run_id
    target = project_root() / "experiments" / f"{experiment}.yaml"
    if cfg.select.write and target.is_file():
        write_selected(target, knobs, final, metrics, run_id)
        log.info("wrote the selected values into %s", target)
    for name in (
        "nested_cv_e2e_stance_f_avg",
        "nested_cv_inner_e2e_stance_f_avg",
        "nested_cv_optimism_e2e_stance_f_avg",
    ):
        log.info("%s = %.3f", name, metrics[name])
    return metrics


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="select")
def main(cfg: DictConfig) -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    run(cfg)


register_resolvers()

if __name__ == "__main__":
    main()
