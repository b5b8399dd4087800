"""`armstance evaluate` and `armstance agreement`: score label files, print a table."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from armstance.corpus.sources import collection_of
from armstance.evaluation.agreement import agreement
from armstance.evaluation.scoring import MODES, PredictedDoc, aligned_rows, score_alignment
from armstance.jsonl import atomic_writer, iter_json_lines, read_records
from armstance.schema import LANGS, Document, DocumentAnnotation, DocumentPrediction

ALL = "all"


def add_commands(sub: argparse._SubParsersAction) -> None:
    ev = sub.add_parser(
        "evaluate",
        help="score a prediction file against a gold file",
        description="Score predictions against gold labels, both in the exchange format: "
        "stance F_avg (mean of F1 favor and F1 against), 3-class macro-F1 and sentiment "
        "macro-F1, with bootstrap intervals over documents. e2e matches the predicted actors "
        "to the gold ones; oracle expects predictions for the gold actors.\n\n"
        "Example:\n\n  armstance evaluate --gold gold.jsonl --pred preds.jsonl --mode e2e",
    )
    ev.add_argument("--gold", type=Path, required=True, help="gold labels (exchange JSONL)")
    ev.add_argument("--pred", type=Path, required=True, help="predictions (exchange JSONL)")
    ev.add_argument(
        "--mode",
        choices=MODES,
        default="e2e",
        help="e2e: match predicted actors to gold ones (default); oracle: gold actors given",
    )
    _add_common(ev)
    ev.set_defaults(func=run_evaluate)

    ag = sub.add_parser(
        "agreement",
        help="agreement of annotator B with annotator A",
        description="Score annotator B's labels against annotator A's with the same matcher "
        "and metrics as `evaluate`: how consistently two annotators apply the guidelines. "
        "--log records the figures as the annotator-agreement row of the leaderboard.\n\n"
        "Example:\n\n  armstance agreement split:train,dev split:second_annotator --log",
    )
    ag.add_argument(
        "a", type=Path, help="annotator A, the reference: exchange JSONL, or split:train,dev"
    )
    ag.add_argument("b", type=Path, help="annotator B: exchange JSONL, or split:second_annotator")
    _add_common(ag)
    ag.add_argument(
        "--log", action="store_true", help="log the agreement as a run in the MLflow store"
    )
    ag.add_argument(
        "--collections",
        help="only documents of these collections, comma-separated doc_id prefixes "
        "(e.g. bundestag,whitehouse); default: every document both annotated",
    )
    ag.set_defaults(func=run_agreement)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--texts",
        type=Path,
        help="documents (JSONL of doc_id, text) for actor matching; default: the texts of "
        "the labelled corpus",
    )
    parser.add_argument("--json", type=Path, help="also write the metrics to this JSON file")


def read_labels(path: Path) -> list[DocumentAnnotation]:
    """An exchange-form file, or `split:NAME[,NAME]` for the project's committed labels."""
    if str(path).startswith("split:"):
        from armstance.corpus.load import load_split_ref

        return [doc.to_annotation() for doc in load_split_ref(str(path))]
    return [doc for _, doc in read_records(path, DocumentAnnotation)]


def read_predictions(path: Path) -> list[PredictedDoc]:
    """Exchange-form documents; read as DocumentPrediction when actors carry probabilities."""
    model = DocumentPrediction if _carries_proba(path) else DocumentAnnotation
    return [doc for _, doc in read_records(path, model)]


def _carries_proba(path: Path) -> bool:
    for _, obj in iter_json_lines(path):
        actors = obj.get("actors")
        if isinstance(actors, list) and any(
            isinstance(a, dict) and ("stance_proba" in a or "sentiment_proba" in a) for a in actors
        ):
            return True
    return False


def read_texts(path: Path | None) -> dict[str, str]:
    if path is None:
        # Imported here: the corpus loader pulls in the raw-data machinery, which oracle
        # scoring never needs.
        from armstance.corpus.texts import load_texts

        return load_texts()
    return {doc.doc_id: doc.text for _, doc in read_records(path, Document)}


def _sources(gold: Path, pred: Path, texts: Path | None) -> dict[str, str]:
    texts_name = str(texts) if texts else "the corpus texts"
    return {"gold_source": str(gold), "pred_source": str(pred), "texts_source": texts_name}


def run_evaluate(args: argparse.Namespace) -> int:
    gold = [doc for _, doc in read_records(args.gold, DocumentAnnotation)]
    pred = read_predictions(args.pred)
    texts = read_texts(args.texts) if args.mode == "e2e" else None
    alignment = aligned_rows(
        gold, pred, texts, args.mode, **_sources(args.gold, args.pred, args.texts)
    )
    metrics = score_alignment(alignment)
    title = f"{args.mode} scores, {len(alignment.docs)} documents"
    return _report(metrics, title, args.json)


def run_agreement(args: argparse.Namespace) -> int:
    a, b = read_labels(args.a), read_labels(args.b)
    if args.collections:
        keep = set(args.collections.split(","))
        a, b = ([d for d in docs if collection_of(d.doc_id) in keep] for docs in (a, b))
    metrics = agreement(a, b, read_texts(args.texts), **_sources(args.a, args.b, args.texts))
    if args.log:
        log_agreement(metrics, args.a, args.b, sorted({d.lang for d in b}), args.collections)
    return _report(metrics, f"agreement of {args.b.name} with {args.a.name}", args.json)


def log_agreement(
    metrics: Mapping, a: Path, b: Path, langs: list[str], collections: str | None = None
) -> None:
    """The annotator agreement as a run beside the models', same metric names and matcher;
    `collections` (a tag) says which documents, where not all."""
    import mlflow

    from armstance.tracking.runs import git_commit, log_metrics
    from armstance.tracking.store import use_configured_store

    use_configured_store()
    with mlflow.start_run(run_name=f"agreement-{b.stem}"):
        mlflow.set_tags(
            {
                "kind": "agreement",
                "model": "human",
                "experiment": "agreement",
                "langs": ",".join(langs),
                "seed": "n/a",
                "git_commit": git_commit(),
                "reference": a.name,
                "annotator": b.name,
            }
            | ({"collections": collections} if collections else {})
        )
        log_metrics(metrics)


def _report(metrics: Mapping[str, float | int | None], title: str, json_path: Path | None) -> int:
    Console().print(metrics_table(metrics, title))
    if json_path is not None:
        with atomic_writer(json_path) as fh:
            json.dump(dict(metrics), fh, indent=2)
            fh.write("\n")
    return 0


def _split_name(name: str) -> tuple[str, str, str]:
    """'stance_f_avg_de_lo' -> ('stance_f_avg', 'de', 'lo'); scope 'all', part 'value'."""
    part = "value"
    for bound in ("lo", "hi"):
        if name.endswith(f"_{bound}"):
            name, part = name[: -len(bound) - 1], bound
    for lang in LANGS:
        if name.endswith(f"_{lang}"):
            return name[: -len(lang) - 1], lang, part
    return name, ALL, part


def _fmt(value: float | int | None) -> str:
    if value is None:
        return "n/a"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def metrics_table(metrics: Mapping[str, float | int | None], title: str) -> Table:
    """One row per metric, one column per scope (all, then each language), with the
    bootstrap interval under the value where there is one."""
    cells: dict[str, dict[str, dict[str, float | int | None]]] = {}
    for name, value in metrics.items():
        base, scope, part = _split_name(name)
        cells.setdefault(base, {}).setdefault(scope, {})[part] = value
    scopes = [ALL] + [lang for lang in LANGS if any(lang in row for row in cells.values())]
    table = Table(title=title)
    table.add_column("metric")
    for scope in scopes:
        table.add_column(scope, justify="right")
    for base, row in cells.items():
        rendered = []
        for scope in scopes:
            cell = row.get(scope, {})
            text = _fmt(cell.get("value")) if "value" in cell else ""
            if "lo" in cell:
                text += f"\n[{_fmt(cell['lo'])}, {_fmt(cell['hi'])}]"
            rendered.append(Text(text))  # Text: brackets are not markup
        table.add_row(base, *rendered)
    return table
