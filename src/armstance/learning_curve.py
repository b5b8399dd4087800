"""`python -m armstance.learning_curve [experiment=NAME] [curve.fractions=[...]]`: how much
do the speeches and briefings help on the news?

For each added collection (`curve.collections`, e.g. bundestag, whitehouse) and each share
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
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import hydra
import matplotlib.pyplot as plt
import mlflow
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig
from tqdm.auto import tqdm

from armstance.config import CONFIG_DIR, register_resolvers
from armstance.corpus import ensure_corpus, load_folds, load_gold
from armstance.corpus.sources import collection_of
from armstance.evaluation.scoring import score
from armstance.fitting import cross_validate
from armstance.paths import annotations_dir, folds_path
from armstance.schema import GoldDocument
from armstance.tracking.runs import fingerprint, git_commit, log_config
from armstance.tracking.store import use_store
from armstance.train import compass, pipeline_fitter

log = logging.getLogger(__name__)
TABLE = "learning_curve.json"
PLOT = "learning_curve.png"
NEWS = "news"


@dataclass(frozen=True)
class Point:
    collection: str
    fraction: float
    docs_added: int
    units_added: int
    cv_e2e_stance_f_avg: float | None
    cv_e2e_stance_f_avg_lo: float | None
    cv_e2e_stance_f_avg_hi: float | None
    cv_oracle_stance_f_avg: float | None
    cv_e2e_sentiment_macro_f1: float | None


def nested_draws(
    docs: Sequence[GoldDocument], fractions: Sequence[float], seed: int
) -> dict[float, list[GoldDocument]]:
    """For each fraction, the first round(f * n) documents of one seeded shuffle: a larger
    share holds every smaller one, so a curve adds documents and never swaps them."""
    order = sorted(docs, key=lambda d: d.doc_id)
    random.Random(seed).shuffle(order)
    return {f: order[: round(f * len(order))] for f in fractions}


def cv_point(
    cfg: DictConfig,
    fit,
    news: Sequence[GoldDocument],
    added: Sequence[GoldDocument],
    fold_of: dict[str, int],
) -> dict[str, float | None]:
    """CV scores on the news documents, `added` joining every fold's training set."""

    def fit_with_added(train: Sequence[GoldDocument]):
        return fit([*train, *added])

    cv = cross_validate(fit_with_added, news, fold_of, e2e=True)
    gold = [d.to_annotation() for d in news]
    texts = {d.doc_id: d.text for d in news}
    boot = {"n_boot": cfg.evaluation.n_boot, "seed": cfg.evaluation.boot_seed}
    e2e = score(gold, cv.e2e, texts, mode="e2e", **boot)
    oracle = score(gold, cv.oracle, texts, mode="oracle", n_boot=0)
    return {
        "cv_e2e_stance_f_avg": e2e["stance_f_avg"],
        "cv_e2e_stance_f_avg_lo": e2e.get("stance_f_avg_lo"),
        "cv_e2e_stance_f_avg_hi": e2e.get("stance_f_avg_hi"),
        "cv_oracle_stance_f_avg": oracle["stance_f_avg"],
        "cv_e2e_sentiment_macro_f1": e2e["sentiment_macro_f1"],
    }


def curve_figure(points: Sequence[Point]):
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=110)
    base = next(p for p in points if p.collection == NEWS)
    for collection in sorted({p.collection for p in points} - {NEWS}):
        line = [base, *[p for p in points if p.collection == collection]]
        x = [p.units_added for p in line]
        y = [p.cv_e2e_stance_f_avg for p in line]
        lo = [p.cv_e2e_stance_f_avg_lo for p in line]
        hi = [p.cv_e2e_stance_f_avg_hi for p in line]
        ax.plot(x, y, marker="o", label=collection)
        if None not in lo and None not in hi:
            ax.fill_between(x, lo, hi, alpha=0.15)
    ax.set(
        xlabel="training units added (gold actors of the added documents)",
        ylabel="CV e2e stance F_avg on the news",
        title="Learning curve: speeches and briefings added to the news",
    )
    ax.legend()
    fig.tight_layout()
    return fig


def run(cfg: DictConfig) -> list[Point]:
    ensure_corpus()
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
