"""`armstance predict`: run a trained pipeline over articles; JSONL or a readable table."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from armstance.errors import DocumentError
from armstance.jsonl import atomic_writer, dumps
from armstance.prediction.batch import predict_documents
from armstance.prediction.console_table import gold_for_inputs, render
from armstance.prediction.inputs import InputProblem, read_inputs
from armstance.prediction.model_uri import load_pipeline
from armstance.schema import DocumentPrediction
from armstance.tracking.store import use_configured_uri


def command(args: argparse.Namespace) -> int:
    inputs = read_inputs(args.input or ["-"])
    problems: list[InputProblem | DocumentError] = list(inputs.problems)
    use_configured_uri()
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
        "--model models:/armstance@champion --format table",
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
    p.add_argument("--output", help="JSONL output file (written atomically); default stdout")
    p.add_argument(
        "--format",
        choices=("jsonl", "table"),
        default="jsonl",
        help="jsonl: one record per document (default); table: a readable table per document",
    )
    p.add_argument("--batch-size", type=int, default=32, help="documents per model call")
    p.add_argument("--width", type=int, default=160, help="table width in characters")
    p.add_argument("--evidence-chars", type=int, help="table: cut evidence to this many characters")
    p.add_argument(
        "--gold",
        help="table: gold labels to show beside the predictions, an exchange JSONL (joined on"
        " doc_id) or split:NAME for the project's labels (e.g. split:seed; joined on doc_id"
        " or on the text)",
    )
    p.set_defaults(func=command)
