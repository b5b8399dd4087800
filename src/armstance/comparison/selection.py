"""Nested selection runs (`make select`, tag `kind=selection`) in the report: each
experiment's outer-fold estimate, and the promotion test of the best one against the
others' outer-fold estimates on the same documents and folds."""

from __future__ import annotations

from collections.abc import Sequence

from mlflow.entities import Run
from mlflow.tracking import MlflowClient

from armstance.comparison.paired_runs import paired_lines, paired_test
from armstance.errors import CompareError

ESTIMATE = "nested_cv_e2e_stance_f_avg"
COLUMNS = (
    ("nested CV e2e F_avg", ESTIMATE),
    ("inner figure", "nested_cv_inner_e2e_stance_f_avg"),
    ("optimism", "nested_cv_optimism_e2e_stance_f_avg"),
    ("F1 against", "nested_cv_e2e_stance_f1_against"),
    ("de / en", "nested_cv_e2e_stance_f_avg_de"),
    ("sentiment", "nested_cv_e2e_sentiment_macro_f1"),
    ("actor precision (all) / recall", "nested_cv_e2e_actor_precision_all"),
    ("de→en / en→de", "transfer_de_to_en_e2e_stance_f_avg"),
    ("minutes", "select_seconds"),
)


def latest_selections(client: MlflowClient, experiment_id: str) -> list[Run]:
    """The newest finished selection run of each experiment, best estimate first."""
    runs = client.search_runs(
        [experiment_id],
        "tags.kind = 'selection' and attributes.status = 'FINISHED'",
        order_by=["attributes.start_time DESC"],
    )
    latest: dict[str, Run] = {}
    for run in runs:
        latest.setdefault(run.data.tags.get("experiment", "?"), run)
    return sorted(latest.values(), key=lambda r: -r.data.metrics.get(ESTIMATE, -1.0))


def _num(run: Run, name: str, digits: int = 3) -> str:
    value = run.data.metrics.get(name)
    return "n/a" if value is None else f"{value:.{digits}f}"


def _cell(run: Run, name: str) -> str:
    m = run.data.metrics
    if name == ESTIMATE and f"{name}_lo" in m:
        return f"{m[name]:.3f} [{m[name + '_lo']:.3f}, {m[name + '_hi']:.3f}]"
    if name.endswith("_de"):
        return f"{_num(run, name)} / {_num(run, name[:-3] + '_en')}"
    if name.endswith("precision_all"):
        return f"{_num(run, name)} / {_num(run, 'nested_cv_e2e_actor_recall')}"
    if name.startswith("transfer_de_to_en"):
        return f"{_num(run, name)} / {_num(run, 'transfer_en_to_de_e2e_stance_f_avg')}"
    if name == "select_seconds":
        return f"{m[name] / 60:.0f}" if name in m else "n/a"
    return _num(run, name)


def selection_lines(client: MlflowClient, experiment_id: str) -> list[str]:
    """The selection table and the paired tests of the best against every other."""
    runs = latest_selections(client, experiment_id)
    if not runs:
        return ["No selection run logged yet (`make select`)."]
    header = ["experiment", *(title for title, _ in COLUMNS)]
    lines = [
        "`python -m armstance.jobs.select` (`make select`): every knob of configs/select/ is"
        " chosen inside the training folds of each outer fold (an inner CV over the other"
        " folds); the outer fold, which no choice saw, is then predicted. The nested CV"
        " figure is the honest estimate; the inner figure is what the chosen values scored"
        " on the folds they were chosen on, and the optimism is the difference. Transfer:"
        " the chosen values trained on one language, scored on the other's news.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for run in runs:
        cells = [run.data.tags.get("experiment", "?"), *(_cell(run, n) for _, n in COLUMNS)]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", *promotion_lines(runs)]
    return lines


def promotion_lines(runs: Sequence[Run]) -> list[str]:
    """Paired bootstraps of the best outer-fold estimate against each other one: a
    candidate replaces the champion only when the intervals against the baseline and
    against the champion both exclude 0."""
    lines = []
    best, rest = runs[0], runs[1:]
    for other in rest:
        try:
            lines += [f"- {line}" for line in paired_lines(best, other, paired_test(best, other))]
        except CompareError as exc:
            lines.append(f"- {exc}")
    return lines
