"""`python -m armstance.learning_curve [experiment=NAME] [curve.fractions=[...]]`: how much
does each labelled collection help on the news, German and English?

For each added collection (`curve.collections`: kremlin, ukpresident, congress; earlier
bundestag, whitehouse) and each share
of its labelled documents (`curve.fractions`, a seeded draw, the smaller shares nested in
the larger), the configured model is cross-validated on the news documents' folds with
those documents added to every fold's training set; the point at share 0 (news alone) is
common to all curves. Only news documents are scored, so an added document never leaks
into the score. The figures land in one MLflow run (tag `kind=learning_curve`): a metric
per point (`curve_{collection}_cv_{mode}_stance_f_avg`, step = training units added), the
table as JSON and the plot as PNG.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict

import hydra
import matplotlib.pyplot as plt
import mlflow
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig
from tqdm.auto import tqdm

from armstance.config import CONFIG_DIR, register_resolvers
from armstance.corpus import ensure_corpus, load_folds, load_gold
from armstance.corpus.sources import collection_of
from armstance.paths import annotations_dir, folds_path
from armstance.tracking.runs import fingerprint, git_commit, log_config
from armstance.tracking.store import use_store
from armstance.training.configured import apply_selected, compass, pipeline_fitter
from armstance.training.learning_curve import (
    NEWS,
    PLOT,
    TABLE,
    Point,
    curve_figure,
    cv_point,
    nested_draws,
)

log = logging.getLogger(__name__)


def run(cfg: DictConfig) -> list[Point]:
    ensure_corpus()
    cfg = apply_selected(cfg)
    labelled = [*load_gold(cfg.data.train_split), *load_gold(cfg.data.dev_split)]
    news = compass(labelled, cfg)
    fold_of = load_folds(cfg.data.folds_path)
    fit = pipeline_fitter(cfg)
    experiment = HydraConfig.get().runtime.choices.get("experiment") or "default"
    use_store(cfg.tracking.uri, cfg.tracking.experiment_name, cfg.tracking.artifact_root)
    plan = [(NEWS, 0.0, [])]
    for collection in cfg.curve.collections:
        pool = [d for d in labelled if collection_of(d.doc_id) == collection]
        if not pool:
            raise ValueError(f"curve.collections: no labelled document of {collection!r}")
        draws = nested_draws(pool, [f for f in cfg.curve.fractions if f > 0], cfg.curve.seed)
        plan += [(collection, f, docs) for f, docs in draws.items()]
    points = []
    with mlflow.start_run(run_name=f"learning_curve-{experiment}-{cfg.model.name}"):
        mlflow.set_tags(
            {
                "kind": "learning_curve",
                "experiment": experiment,
                "model": cfg.model.name,
                "git_commit": git_commit(),
                "dataset_fingerprint": fingerprint(
                    [*annotations_dir().glob("*.jsonl"), folds_path()]
                ),
            }
        )
        log_config(cfg)
        for collection, fraction, added in tqdm(plan, desc="learning curve", unit="point"):
            units = sum(len(d.actors) for d in added)
            scores = cv_point(cfg, fit, news, added, fold_of)
            point = Point(collection, fraction, len(added), units, **scores)
            points.append(point)
            log.info("%s %.2f: %d units, CV e2e F_avg %s", collection, fraction, units, scores)
            for name, value in scores.items():
                if value is not None and not name.endswith(("_lo", "_hi")):
                    for curve in [collection] if collection != NEWS else cfg.curve.collections:
                        mlflow.log_metric(f"curve_{curve}_{name}", value, step=units)
        mlflow.log_text(json.dumps([asdict(p) for p in points], indent=2), TABLE)
        fig = curve_figure(points)
        mlflow.log_figure(fig, PLOT)
        plt.close(fig)
    return points


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="learning_curve")
def main(cfg: DictConfig) -> None:
    run(cfg)


register_resolvers()

if __name__ == "__main__":
    main()
