"""Hydra configuration: where the config tree lives and the resolvers it uses."""

from __future__ import annotations

from omegaconf import OmegaConf

from armstance.errors import NoSuchRun
from armstance.paths import cache_dir, project_root

CONFIG_DIR = project_root() / "configs"


def latest_run_tag(experiment: str, tag: str) -> str:
    """`${latest_run_tag:EXPERIMENT,TAG}`: TAG of the newest finished run of EXPERIMENT.

    Read from the current MLflow store when the value is first used (inside a job, after the
    job pointed MLflow at its store), so the resolved config, as logged, names the exact run.
    """
    import mlflow
    from mlflow.tracking import MlflowClient

    client = MlflowClient(mlflow.get_tracking_uri())
    found = client.get_experiment_by_name(experiment)
    query = f"attributes.status = 'FINISHED' and tags.{tag} != ''"
    runs = []
    if found is not None:
        newest = ["attributes.start_time DESC"]
        runs = client.search_runs([found.experiment_id], query, order_by=newest, max_results=1)
    if not runs:
        raise NoSuchRun(
            f"no finished run of experiment {experiment!r} with tag {tag!r} in"
            f" {mlflow.get_tracking_uri()}: run it first (for `newsmtsc`:"
            " `python -m armstance.newsmtsc`), or set the value explicitly"
        )
    return runs[0].data.tags[tag]


def register_resolvers() -> None:
    if not OmegaConf.has_resolver("armstance_root"):
        OmegaConf.register_new_resolver("armstance_root", lambda: str(project_root()))
    if not OmegaConf.has_resolver("armstance_cache"):
        OmegaConf.register_new_resolver("armstance_cache", lambda: str(cache_dir()))
    if not OmegaConf.has_resolver("latest_run_tag"):
        OmegaConf.register_new_resolver("latest_run_tag", latest_run_tag)
