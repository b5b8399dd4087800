"""`armstance predict`: run a trained pipeline over articles; JSONL, a readable table, or
the flat prediction table (Parquet), in one process or on Spark."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyarrow.compute as pc
from rich.console import Console

from armstance.errors import DataError, DocumentError
from armstance.jsonl import atomic_writer, dumps
from armstance.prediction.batch import predict_documents
from armstance.prediction.console_table import gold_for_inputs, render
from armstance.prediction.inputs import InputProblem, Inputs, read_inputs
from armstance.prediction.model_uri import load_pipeline, registry_version
from armstance.prediction.table import (
    ModelRef,
    core_table,
    prediction_table,
    result_rows,
    write_table,
)
from armstance.schema import DocumentPrediction
from armstance.tracking.store import use_configured_uri

TABLE_SUFFIX = ".parquet"


def command(args: argparse.Namespace) -> int:
    as_table = args.output is not None and Path(args.output).suffix == TABLE_SUFFIX
    if args.engine == "spark" and not as_table:
        raise DataError(
            args.output or "<stdout>",
            None,
            None,
            f"--engine spark writes a Parquet table: give --output FILE{TABLE_SUFFIX}",
        )
    inputs = read_inputs(args.input or ["-"])
    use_configured_uri()
    if as_table:
        return table_command(args, inputs)
    problems: list[InputProblem | DocumentError] = list(inputs.problems)
    pipeline = load_pipeline(args.model)
    results = predict_documents(pipeline, inputs.documents, args.batch_size)
    predictions = [r for r in results if isinstance(r, DocumentPrediction)]
    problems += [r for r in results if isinstance(r, DocumentError)]
    if args.format == "table":
        gold = gold_for_inputs(inputs.documents, args.gold) if args.gold else None
        console = Console(file=sys.stdout, width=args.width)
        render(predictions, console, inputs.documents, gold, args.evidence_chars)
    elif args.output:
        with atomic_writer(args.output) as fh:
            for p in predictions:
                fh.write(dumps(p) + "\n")
    else:
        for p in predictions:
            sys.stdout.write(dumps(p) + "\n")
    for problem in problems:
        print(f"armstance: skipped {problem}", file=sys.stderr)
    print(
        f"armstance: {len(predictions)} documents predicted, {len(problems)} skipped",
        file=sys.stderr,
    )
    return 1 if problems and not predictions else 0


def table_command(args: argparse.Namespace, inputs: Inputs) -> int:
    """The flat table: every document has its rows, errors included; nothing is skipped."""
    model = ModelRef(args.model, registry_version(args.model))
    if args.engine == "spark":
        from armstance.prediction.spark_engine import SparkOptions, predict_with_spark

        options = SparkOptions(args.master, args.batch_size, args.task_cpus, args.partitions)
        core, loads = predict_with_spark(args.model, inputs.documents, options)
        if loads is not None:
            print(f"armstance: {loads}", file=sys.stderr)
    else:
        pipeline = load_pipeline(args.model)
        results = predict_documents(pipeline, inputs.documents, args.batch_size)
        core = core_table([row for r in results for row in result_rows(r)])
    table = prediction_table(core, inputs, model)
    write_table(table, args.output)
    errors = table.column("error").null_count
    errors = table.num_rows - errors
    judged = len(set(core.filter(pc.is_null(core.column("error"))).column("doc_id").to_pylist()))
    print(
        f"armstance: {table.num_rows} rows for {judged} judged documents written to"
        f" {args.output} ({errors} error rows)",
        file=sys.stderr,
    )
    return 1 if errors and not judged else 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "predict",
        help="stance and sentiment for every actor of new articles",
        description="Run a trained model over articles: every actor found, its stance "
        "toward arming Ukraine and the article's sentiment toward it, with probabilities "
        "and evidence sentences. Documents that cannot be judged are reported on stderr and "
        "left out.\n\n"
        "Examples:\n\n"
        "  armstance predict --model models:/armstance@champion --input articles/ "
        "--output preds.jsonl\n"
        "  echo 'Berlin liefert weitere Panzer.' | armstance predict "
        "--model models:/armstance@champion --format table\n"
        "  armstance predict --model models:/armstance@champion --input corpus.parquet "
        "--output table.parquet --engine spark --master 'local[2]'",
    )
    p.add_argument(
        "--model",
        required=True,
        help="runs:/ID/model, models:/armstance@champion, models:/armstance/N or a path",
    )
    p.add_argument(
        "--input",
        nargs="*",
        help=".txt files, folders, JSONL of {doc_id, lang?, text}; '-' or none: stdin",
    )
    p.add_argument(
        "--output",
        help="JSONL output file, or FILE.parquet for the flat table of one row per (document,"
        " actor) (written atomically); default stdout",
    )
    p.add_argument(
        "--format",
        choices=("jsonl", "table"),
        default="jsonl",
        help="jsonl: one record per document (default); table: a readable table per document",
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=32,
        help="documents per model call (Spark: per Arrow batch, arrow.maxRecordsPerBatch)",
    )
    p.add_argument(
        "--engine",
        choices=("local", "spark"),
        default="local",
        help="local: this process; spark: mlflow.pyfunc.spark_udf in a Spark session"
        " (needs --output FILE.parquet and a Java runtime)",
    )
    p.add_argument(
        "--master",
        default="local[*]",
        help="Spark master URL: local[N], spark://HOST:PORT, yarn, k8s://...",
    )
    p.add_argument("--task-cpus", type=int, default=1, help="spark.task.cpus = torch threads")
    p.add_argument("--partitions", type=int, help="Spark partitions (default: 4 per task slot)")
    p.add_argument("--width", type=int, default=160, help="table width in characters")
    p.add_argument("--evidence-chars", type=int, help="table: cut evidence to this many characters")
    p.add_argument(
        "--gold",
        help="table: gold labels to show beside the predictions, an exchange JSONL (joined on"
        " doc_id) or split:NAME for the project's labels (e.g. split:seed; joined on doc_id"
        " or on the text)",
    )
    p.set_defaults(func=command)
