"""`armstance analyze PREDICTIONS --out DIR`: stance tables, names, networks, figures and a
report from predictions (the Parquet table or JSONL), into a fresh folder."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from armstance.actors import gazetteer as gz
from armstance.analysis.adjustment import find_confusion
from armstance.analysis.figures import network_figures, timeline, top_actors
from armstance.analysis.loading import load_predictions
from armstance.analysis.names import canonical_names
from armstance.analysis.networks import networks, write_networks
from armstance.analysis.periods import CALENDAR, check_column, periods
from armstance.analysis.report import Summary, render
from armstance.analysis.speakers import speaker_rows
from armstance.analysis.stance_tables import document_stances, stance_table
from armstance.errors import DataError
from armstance.jsonl import atomic_folder

EXPERIMENT = "armstance-analysis"


@dataclass(frozen=True)
class Settings:
    predictions: str
    out: str
    by: str = "month"
    window: str | None = None
    group_by: str | None = None
    speaker: str | None = None
    pool: str | None = None
    min_docs: int = 5
    n_boot: int = 1000
    seed: int = 0
    top: int = 6
    model_uri: str | None = None
    confusion: str | None = None
    overwrite: bool = False
    log: bool = False


def analyze(settings: Settings) -> Path:
    """Run the analysis; returns the folder written."""
    if Path(settings.out).exists() and not settings.overwrite:
        raise DataError(settings.out, None, None, "exists: name a new folder or pass --overwrite")
    predictions = load_predictions(settings.predictions)
    source = str(predictions.path)
    if settings.group_by:
        check_column(settings.group_by, predictions.columns, "--group-by", source)
    names = canonical_names(predictions.actors, gz.load())
    actors = names.apply(predictions.actors)
    if settings.pool and not settings.speaker:
        raise DataError(source, None, None, "--pool needs --speaker")
    if settings.speaker:
        for option, column in (("--speaker", settings.speaker), ("--pool", settings.pool)):
            if column:
                check_column(column, predictions.columns, option, source)
        actors = speaker_rows(actors, settings.speaker, settings.pool)
        if actors.empty:
            raise DataError(source, None, settings.speaker, "no document's speaker is an actor")
    by = periods(predictions.documents, settings.by, predictions.columns, source)
    window = periods(
        predictions.documents, settings.window or settings.by, predictions.columns, source
    )
    model_uri = settings.model_uri or predictions.model_uri
    if settings.confusion is None and model_uri:
        from armstance.tracking.store import use_configured_uri

        use_configured_uri()
    version = predictions.model_version if model_uri == predictions.model_uri else None
    lookup = find_confusion(settings.confusion, model_uri, version)
    rates = lookup.confusion.rates() if lookup.confusion is not None else None
    table = stance_table(
        document_stances(actors, by.label),
        settings.group_by,
        settings.min_docs,
        settings.n_boot,
        settings.seed,
        rates,
    )
    found = networks(document_stances(actors, window.label))
    warnings = list(dict.fromkeys([*by.warnings, *window.warnings]))
    if lookup.confusion is None:
        warnings.append(f"adjusted shares left empty: {lookup.note}")
    for warning in warnings:
        print(f"armstance: warning: {warning}", file=sys.stderr)

    with atomic_folder(settings.out, settings.overwrite) as folder:
        table.to_csv(folder / "stance_table.csv", index=False)
        table.to_parquet(folder / "stance_table.parquet", index=False)
        names.merged.to_csv(folder / "names_merged.csv", index=False)
        names.ambiguous.to_csv(folder / "names_ambiguous.csv", index=False)
        write_networks(found, folder)
        top = top_actors(table, settings.top)
        timeline(table, top, folder / "timeline.png", f"stance of the top actors by {by.kind}")
        network_figures(found, folder, max_nodes=30)
        if lookup.confusion is not None:
            (folder / "confusion.json").write_text(lookup.confusion.to_json(), encoding="utf-8")
        record = vars(settings) | {"period": by.kind, "window_period": window.kind}
        (folder / "settings.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
        files = [*sorted(p.name for p in folder.iterdir()), "report.md"]
        summary = Summary(
            predictions=predictions,
            period_kind=by.kind,
            window_kind=window.kind,
            group_by=settings.group_by,
            speaker=settings.speaker,
            pool=settings.pool,
            speaker_docs=actors["doc_id"].nunique() if settings.speaker else None,
            min_docs=settings.min_docs,
            n_boot=settings.n_boot,
            seed=settings.seed,
            confusion=lookup,
            warnings=warnings,
            cells=len(table),
            network_edges={name: g.number_of_edges() for name, g in found.items()},
            ambiguous=len(names.ambiguous),
            merged=len(names.merged),
            files=files,
        )
        (folder / "report.md").write_text(render(summary, table, top), encoding="utf-8")
    if settings.log:
        log_analysis(Path(settings.out), settings, predictions.model_uri)
    return Path(settings.out)


def log_analysis(folder: Path, settings: Settings, model_uri: str | None) -> str:
    """Log the folder as the artifacts of a run tagged kind=analysis, in an experiment of
    its own (never a training run: comparison.runs leaves kind=analysis out)."""
    import mlflow

    from armstance.tracking.runs import git_commit
    from armstance.tracking.store import configured_tracking, use_store

    tracking = configured_tracking()
    use_store(tracking.uri, EXPERIMENT, tracking.artifact_root)
    tags = {"kind": "analysis", "git_commit": git_commit()}
    if model_uri:
        tags["model_uri"] = model_uri
    with mlflow.start_run(run_name=f"analysis-{folder.name}", tags=tags) as run:
        params = {k: str(v) for k, v in vars(settings).items() if k not in ("overwrite", "log")}
        mlflow.log_params(params)
        mlflow.log_artifacts(str(folder))
    print(f"armstance: logged as run {run.info.run_id} in experiment {EXPERIMENT}", file=sys.stderr)
    return run.info.run_id


def command(args: argparse.Namespace) -> int:
    settings = Settings(
        **{k: v for k, v in vars(args).items() if k in Settings.__dataclass_fields__}
    )
    out = analyze(settings)
    print(f"armstance: analysis written to {out}", file=sys.stderr)
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "analyze",
        help="stance per actor and period, names, discourse networks, report",
        description="Turn a prediction table (or predict's JSONL) into research outputs: "
        "stance shares per actor and period with bootstrap intervals and confusion-adjusted "
        "shares, names merged across documents, actor x stance, congruence and conflict "
        "networks (GraphML and CSV), figures and a Markdown report (docs/ANALYSIS.md).\n\n"
        "Example:\n\n"
        "  armstance analyze preds.parquet --out analysis/ --by month --group-by party",
    )
    p.add_argument("predictions", help="predictions: the Parquet table or `predict`'s JSONL")
    p.add_argument("--out", required=True, help="folder to write (must not exist)")
    periods_help = f"{'|'.join(CALENDAR)} (of the date column) or any column of the predictions"
    p.add_argument("--by", default="month", help=f"table periods: {periods_help}")
    p.add_argument("--window", help=f"network periods (default: --by): {periods_help}")
    p.add_argument("--group-by", help="a column to split the tables by (party, outlet, ...)")
    p.add_argument(
        "--speaker",
        help="a column naming each document's speaker (e.g. speaker): keep only the speaker's"
        " own stance",
    )
    p.add_argument("--pool", help="with --speaker: one actor per value of this column (e.g. party)")
    p.add_argument("--min-docs", type=int, default=5, help="leave out smaller cells")
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (recorded)")
    p.add_argument("--top", type=int, default=6, help="actors in the timeline figure")
    p.add_argument(
        "--model-uri",
        help="the model whose CV confusion adjusts the shares (default: the"
        " predictions' model_uri)",
    )
    p.add_argument("--confusion", help="a confusion JSON file instead of the model's run")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out folder")
    p.add_argument("--log", action="store_true", help=f"log to MLflow ({EXPERIMENT})")
    p.set_defaults(func=command)
