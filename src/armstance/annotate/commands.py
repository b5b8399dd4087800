"""`armstance annotate select | sample | show | export | import | project`."""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from armstance import paths
from armstance.annotate import importer
from armstance.annotate.export import model_version, to_task, write_tasks
from armstance.annotate.idfiles import read_doc_ids, write_rows
from armstance.annotate.labelstudio import TOKEN_ENV, URL_ENV, LabelStudio, LabelStudioError
from armstance.annotate.sample import draw_second_sample
from armstance.annotate.select import (
    ALL_SOURCES,
    UNCERTAINTY,
    Quota,
    Scored,
    Selection,
    score_documents,
    select,
)
from armstance.annotate.show import sheet
from armstance.annotate.sources import (
    ANNOTATABLE_SOURCES,
    PERIODS,
    MetadataFields,
    SourceDocument,
    check_doc_id,
    read_source_documents,
    source_documents,
    source_raw_files,
)
from armstance.annotate.splits import FIRST_PASS, IMPORT_SPLITS, SECOND, Target, labelled_ids
from armstance.errors import DataError, DocumentError
from armstance.prediction.batch import predict_documents
from armstance.prediction.model_uri import load_pipeline
from armstance.schema import ANNOTATOR_KINDS, STANCES, DocumentPrediction
from armstance.tracking.store import use_configured_uri

CHAMPION = "models:/armstance@champion"
Command = Callable[[argparse.Namespace], int]


def add_commands(sub: argparse._SubParsersAction) -> None:
    annotate = sub.add_parser(
        "annotate",
        help="the annotation loop: select, export to Label Studio, import labels",
        description="Label the speeches, briefings and statements (bundestag-*, "
        "whitehouse-*, kremlin-*, ukpresident-*, congress-*): select documents, export Label "
        "Studio tasks, import the finished labels. Guide: docs/ANNOTATION.md.\n\n"
        "Example:\n\n  armstance annotate select --n 60 --seed 1 --output annotation/round1.csv",
    )
    commands = annotate.add_subparsers(dest="annotate_command", required=True)
    _add_select(commands)
    _add_sample(commands)
    _add_show(commands)
    _add_export(commands)
    _add_import(commands)
    _add_project(commands)


def _field(spec: str) -> tuple[str, str]:
    key, sep, name = spec.partition("=")
    keys = list(MetadataFields.__dataclass_fields__)
    if not sep or not name or key not in keys:
        raise argparse.ArgumentTypeError(f"{spec!r}: expected KEY=NAME, KEY one of {keys}")
    return key, name


def _fields(specs: Sequence[tuple[str, str]]) -> MetadataFields:
    return MetadataFields().with_overrides(dict(specs))


def _quota(field: str) -> Callable[[str], Quota]:
    def parse(spec: str) -> Quota:
        try:
            return Quota.parse(field, spec)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc

    return parse


def _add_field_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--field",
        action="append",
        type=_field,
        default=[],
        metavar="KEY=NAME",
        help="read metadata KEY (party, date, speaker) from the raw field NAME first",
    )


def _reporting_server_errors(run: Command) -> Command:
    """A Label Studio that cannot be reached or refuses is reported, not a traceback."""

    @functools.wraps(run)
    def wrapped(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except LabelStudioError as exc:
            print(f"armstance: error: {exc}", file=sys.stderr)
            return 2

    return wrapped


def _add_labelstudio_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--labelstudio-url",
        help=f"Label Studio's address (default ${URL_ENV}); the token is read from ${TOKEN_ENV}",
    )


def _add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=CHAMPION, help=f"model URI or path (default {CHAMPION})")


# --- select ------------------------------------------------------------------------------


def _add_select(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "select",
        help="rank unlabelled speeches, briefings and statements for labelling",
        description="Rank unlabelled documents of the annotatable sources by the model's "
        "stance uncertainty (the largest over a document's actors), or with --seek by the "
        "largest probability of a stance class, spread over source, party and period. "
        "Labelled documents are skipped; any other source's doc_id is refused.\n\n"
        "Example:\n\n  armstance annotate select --n 60 --min-party AfD=8 --seed 1 "
        "--output annotation/round1.csv",
    )
    _add_model_option(p)
    p.add_argument(
        "--input",
        nargs="+",
        type=Path,
        help="raw JSONL files of candidates (default: data/raw/<source>.jsonl of every "
        "annotatable source)",
    )
    p.add_argument("--n", type=int, default=50, help="how many documents to select")
    p.add_argument(
        "--min-party",
        action="append",
        type=_quota("party"),
        default=[],
        metavar="PARTY=N|P%",
        help="at least N documents (or P%% of the selection) of this party; repeatable",
    )
    p.add_argument(
        "--min-source",
        action="append",
        type=_quota("source"),
        default=[],
        metavar="SOURCE=N|P%",
        help="at least N documents (or P%%) of this source; repeatable",
    )
    p.add_argument(
        "--decay",
        type=float,
        default=0.5,
        help="each document already picked of the same party, and of the same period, "
        "multiplies a candidate's score by this: 1 = uncertainty alone, 0 = round-robin "
        "over parties and periods (default 0.5)",
    )
    p.add_argument(
        "--uncertainty",
        choices=sorted(UNCERTAINTY),
        default="margin",
        help="how a stance distribution's uncertainty is measured (default margin)",
    )
    p.add_argument(
        "--seek",
        action="append",
        type=_seek,
        default=[],
        metavar="[SOURCE=]CLASS",
        help="score the documents of SOURCE (of every source without SOURCE=) by the "
        "champion's largest p(CLASS) over their actors instead of by uncertainty, to find a "
        f"rare class, e.g. congress=against; CLASS one of {', '.join(STANCES)}; repeatable",
    )
    p.add_argument("--period", choices=PERIODS, default="year", help="date strata")
    p.add_argument("--seed", type=int, default=0, help="breaks ties reproducibly")
    p.add_argument(
        "--exclude",
        nargs="+",
        type=Path,
        default=[],
        help="doc_id files (earlier selections) of documents already out for labelling",
    )
    _add_field_option(p)
    p.add_argument("--batch-size", type=int, default=32, help="documents per model call")
    p.add_argument("--output", type=Path, required=True, help=".jsonl or .csv")
    p.set_defaults(func=run_select)


def _predict(
    model: str, docs: Sequence[SourceDocument], batch_size: int = 32
) -> tuple[dict[str, DocumentPrediction], list[DocumentError], str]:
    """Predictions by doc_id, the problems, and the model's version, via the one loader."""
    use_configured_uri()
    pipeline = load_pipeline(model)
    inputs = [d.doc.model_copy(update={"lang": d.lang}) for d in docs]
    results = predict_documents(pipeline, inputs, batch_size)
    predictions = {r.doc_id: r for r in results if isinstance(r, DocumentPrediction)}
    problems = [r for r in results if not isinstance(r, DocumentPrediction)]
    return predictions, problems, model_version(model)


def run_select(args: argparse.Namespace) -> int:
    seek = dict(args.seek)
    if len(seek) < len(args.seek):
        print("armstance: error: --seek names a source twice", file=sys.stderr)
        return 2
    fields = _fields(args.field)
    docs = read_source_documents(args.input or source_raw_files(), fields)
    labelled = labelled_ids()
    excluded = {doc_id for path in args.exclude for doc_id in read_doc_ids(path)}
    pool = [d for d in docs if d.doc_id not in labelled and d.doc_id not in excluded]
    predictions, problems, version = _predict(args.model, pool, args.batch_size)
    for problem in problems:
        print(f"armstance: skipped {problem}", file=sys.stderr)
    scored = score_documents(
        [d for d in pool if d.doc_id in predictions],
        predictions,
        args.uncertainty,
        args.period,
        seek,
    )
    quotas = [*args.min_source, *args.min_party]
    try:
        selection = select(scored, args.n, quotas, args.decay, args.seed)
    except ValueError as exc:
        print(f"armstance: error: {exc}", file=sys.stderr)
        return 2
    rows = [
        {
            "rank": s.rank,
            "doc_id": s.candidate.doc.doc_id,
            "score": round(s.candidate.score, 4),
            "criterion": s.candidate.criterion,
            "stratum": s.candidate.stratum,
            "source": s.candidate.doc.source,
            "party": s.candidate.party,
            "period": s.candidate.period,
            "actor": s.candidate.actor,
            "n_actors": s.candidate.n_actors,
            "reason": s.reason,
        }
        for s in selection.selected
    ]
    write_rows(args.output, rows)
    console = Console(file=sys.stdout, width=120)
    console.print(_selection_table(scored, selection))
    console.print(
        f"{len(rows)} of {len(scored)} candidates selected with {version} "
        f"({len(docs) - len(pool)} labelled or excluded skipped, {len(problems)} unreadable); "
        f"wrote {args.output}"
    )
    for quota, missing in selection.shortfalls.items():
        console.print(f"[yellow]quota {quota}: {missing} short, no candidates left[/]")
    return 0


def _selection_table(scored: Sequence[Scored], selection: Selection) -> Table:
    pool = Counter(s.stratum for s in scored)
    picked = defaultdict(list)
    for s in selection.selected:
        picked[s.candidate.stratum].append(s.candidate.score)
    table = Table(title="selection by stratum (source | party | period)")
    for column, justify in (
        ("stratum", "left"),
        ("candidates", "right"),
        ("selected", "right"),
        ("mean score", "right"),
    ):
        table.add_column(column, justify=justify)
    for stratum in sorted(pool, key=lambda k: (-len(picked[k]), k)):
        scores = picked[stratum]
        mean = f"{sum(scores) / len(scores):.3f}" if scores else "-"
        table.add_row(stratum, str(pool[stratum]), str(len(scores)), mean)
    return table


# --- sample (second annotation) ----------------------------------------------------------


def _add_sample(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "sample",
        help="draw a seeded sample of labelled documents for an independent second annotation",
        description="Draw a reproducible sample of already labelled documents for a second "
        "annotator, who labels them without pre-annotations; the agreement of the two is "
        "measured by `armstance agreement`.\n\n"
        "Example:\n\n  armstance annotate sample --n 30 --seed 2 --source bundestag "
        "--output annotation/second.csv",
    )
    p.add_argument("--n", type=int, required=True, help="how many documents to draw")
    p.add_argument("--seed", type=int, default=0, help="seed of the draw (default 0)")
    p.add_argument(
        "--source",
        type=_sources,
        metavar="NAME[,NAME]",
        help=f"draw from these collections only (of {', '.join(ANNOTATABLE_SOURCES)})",
    )
    p.add_argument("--output", type=Path, required=True, help=".jsonl or .csv")
    p.set_defaults(func=run_sample)


def _seek(spec: str) -> tuple[str, str]:
    source, sep, label = spec.rpartition("=")
    source = source.strip() if sep else ALL_SOURCES
    label = label.strip()
    if label not in STANCES or (source != ALL_SOURCES and source not in ANNOTATABLE_SOURCES):
        raise argparse.ArgumentTypeError(
            f"{spec!r}: expected [SOURCE=]CLASS, CLASS one of {', '.join(STANCES)}, SOURCE one "
            f"of {', '.join(ANNOTATABLE_SOURCES)}"
        )
    return source, label


def _sources(spec: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(name.strip() for name in spec.split(",") if name.strip()))
    unknown = [name for name in names if name not in ANNOTATABLE_SOURCES]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"{spec!r}: expected NAME[,NAME] of {', '.join(ANNOTATABLE_SOURCES)}"
        )
    return names


def run_sample(args: argparse.Namespace) -> int:
    ids = draw_second_sample(args.n, args.seed, args.source)
    write_rows(args.output, [{"doc_id": doc_id} for doc_id in ids])
    print(
        f"drew {len(ids)} documents (seed {args.seed}) for a second annotation; wrote "
        f"{args.output}. Export them with --no-predictions."
    )
    return 0


def _add_show(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "show",
        help="print documents for annotators working outside Label Studio",
        description="Print each document's rebuilt text with its metadata, for an annotator "
        "who writes the exchange format of the guidelines (then `armstance annotate import`). "
        "Example:\n\n  armstance annotate show --ids annotation/round2/ann-09.csv --candidates",
    )
    p.add_argument("doc_ids", nargs="*", help="doc_ids to show")
    p.add_argument("--ids", nargs="+", type=Path, default=[], help="doc_id files (.jsonl/.csv)")
    p.add_argument(
        "--candidates",
        action="store_true",
        help="also the actor extractor's candidates (names, types, surface forms; no stance): "
        "the pre-annotation of a model-assisted first pass",
    )
    p.add_argument(
        "--labels",
        choices=IMPORT_SPLITS,
        help="also the document's labels in this split, in the exchange format: what a "
        "revision under a newer guidelines version starts from",
    )
    _add_field_option(p)
    p.set_defaults(func=run_show)


def run_show(args: argparse.Namespace) -> int:
    ids = list(dict.fromkeys([*args.doc_ids, *(i for f in args.ids for i in read_doc_ids(f))]))
    if not ids:
        print("armstance: error: no doc_ids given", file=sys.stderr)
        return 2
    for doc_id in ids:  # before any text is read
        check_doc_id(doc_id, "show")
    texts = source_documents(fields=_fields(args.field))
    missing = [doc_id for doc_id in ids if doc_id not in texts]
    if missing:
        raise DataError("show", None, "doc_id", f"no rebuilt text for {missing}")
    labels = {}
    if args.labels:
        from armstance.corpus import load_gold

        # The texts shown are the rebuilt ones read above; labels join to the same files.
        gold = load_gold(args.labels, paths.raw_dir())
        labels = {d.doc_id: d.to_annotation() for d in gold}
        unlabelled = [doc_id for doc_id in ids if doc_id not in labels]
        if unlabelled:
            raise DataError("show", None, "doc_id", f"no labels in {args.labels}: {unlabelled}")
    extractor = None
    if args.candidates:
        from armstance.actors.extractor import ActorExtractor

        extractor = ActorExtractor()
    for doc_id in ids:
        doc = texts[doc_id]
        plain = doc.doc.model_copy(update={"lang": doc.lang})
        candidates = extractor.extract(plain) if extractor else None
        sys.stdout.write(sheet(doc, candidates, labels.get(doc_id)))
    return 0


# --- export ------------------------------------------------------------------------------


def _add_export(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "export",
        help="write Label Studio tasks, pre-annotated by the model unless --no-predictions",
        description="Write the given documents as Label Studio tasks for the committed "
        "labelling config, pre-annotated by the model's actors, stances and sentiments unless "
        "--no-predictions; optionally send them to a Label Studio project.\n\n"
        "Example:\n\n  armstance annotate export --ids annotation/round1.csv "
        "--output annotation/round1-tasks.json --labelstudio-project 1",
    )
    p.add_argument("doc_ids", nargs="*", help="doc_ids to export")
    p.add_argument("--ids", nargs="+", type=Path, default=[], help="doc_id files (.jsonl/.csv)")
    _add_model_option(p)
    p.add_argument(
        "--no-predictions",
        action="store_true",
        help="text only, no pre-annotations (second annotation: no model, no first labels)",
    )
    _add_field_option(p)
    p.add_argument("--batch-size", type=int, default=32, help="documents per model call")
    p.add_argument(
        "--output",
        type=Path,
        required=True,
        help="Label Studio import file (JSON), e.g. annotation/round1.json (git-ignored)",
    )
    p.add_argument(
        "--labelstudio-project", type=int, help="also send the tasks to this Label Studio project"
    )
    _add_labelstudio_url(p)
    p.set_defaults(func=run_export)


@_reporting_server_errors
def run_export(args: argparse.Namespace) -> int:
    ids = list(dict.fromkeys([*args.doc_ids, *(i for f in args.ids for i in read_doc_ids(f))]))
    if not ids:
        print("armstance: error: no doc_ids given", file=sys.stderr)
        return 2
    for doc_id in ids:  # before any text is read
        check_doc_id(doc_id, "export")
    texts = source_documents(fields=_fields(args.field))
    missing = [doc_id for doc_id in ids if doc_id not in texts]
    if missing:
        raise DataError("export", None, "doc_id", f"no rebuilt text for {missing}")
    docs = [texts[doc_id] for doc_id in ids]
    predictions, version = {}, None
    if not args.no_predictions:
        predictions, problems, version = _predict(args.model, docs, args.batch_size)
        if problems:
            raise DataError("export", None, None, "; ".join(str(p) for p in problems))
    write_tasks(args.output, [to_task(d, predictions.get(d.doc_id), version) for d in docs])
    how = f"pre-annotated by {version}" if version else "without pre-annotations"
    print(f"wrote {args.output}: {len(docs)} tasks, {how}")
    if args.labelstudio_project is not None:
        client = LabelStudio.from_env(args.labelstudio_url)
        sent = client.import_tasks(args.labelstudio_project, json.loads(args.output.read_text()))
        print(f"sent {sent} tasks to project {args.labelstudio_project} at {client.url}")
    return 0


# --- import ------------------------------------------------------------------------------


def _add_import(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "import",
        help="Label Studio export (JSON) or exchange JSONL -> stand-off labels, all or nothing",
        description="Check finished labels (offsets, text hashes, label values, evidence, "
        "sources) and write them as stand-off labels with their provenance into "
        "data/annotations/, or write nothing if any record is wrong.\n\n"
        "Example:\n\n  armstance annotate import annotation/round1-export.json "
        "--fetch-project 1 --annotator ann-09 --annotator-kind model",
    )
    p.add_argument("input", type=Path, help="Label Studio JSON export or GUIDELINES §6 JSONL")
    p.add_argument(
        "--fetch-project",
        type=int,
        help="first download this Label Studio project's JSON export into INPUT",
    )
    _add_labelstudio_url(p)
    p.add_argument(
        "--split",
        choices=IMPORT_SPLITS,
        default="train",
        help="the labels file to write into (default train)",
    )
    p.add_argument("--annotator", required=True, help="the annotator's id (pseudonymous)")
    p.add_argument(
        "--annotator-kind",
        required=True,
        choices=ANNOTATOR_KINDS,
        help="who made the labels: a language model or a person",
    )
    p.add_argument(
        "--pass",
        dest="annotation_pass",
        type=int,
        help=f"which annotation of the documents this is (default 1; 2 for {SECOND})",
    )
    p.add_argument(
        "--model-assisted",
        action=argparse.BooleanOptionalAction,
        help="whether pre-annotations were shown (Label Studio exports say so themselves; "
        "exchange files need it)",
    )
    p.add_argument(
        "--revision",
        type=int,
        default=1,
        help="1 (default) for a document's first labels in the split; 2, 3, ... for labels "
        "made again under a newer guidelines version, which replace the earlier ones (only "
        "documents already labelled in the split, with an older revision)",
    )
    p.add_argument(
        "--guidelines",
        default=importer.GUIDELINES_VERSION,
        help=f"the guidelines version the labels follow (default {importer.GUIDELINES_VERSION})",
    )
    p.add_argument(
        "--date",
        type=datetime.date.fromisoformat,
        help="annotation date, YYYY-MM-DD (default: the annotation's, else today)",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="correct documents already labelled in train or dev (labels of the same revision)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="validate everything and report, write nothing (for annotators before handing in)",
    )
    p.set_defaults(func=run_import)


@_reporting_server_errors
def run_import(args: argparse.Namespace) -> int:
    try:
        target = Target(args.split, args.replace, args.revision)
    except ValueError as exc:
        print(f"armstance: error: {exc}", file=sys.stderr)
        return 2
    settings = importer.Settings(
        annotator=args.annotator,
        annotator_kind=args.annotator_kind,
        annotation_pass=args.annotation_pass or (2 if target.is_second else 1),
        revision=args.revision,
        model_assisted=args.model_assisted,
        guidelines=args.guidelines,
        date=args.date,
    )
    if args.fetch_project is not None:
        client = LabelStudio.from_env(args.labelstudio_url)
        write_tasks(args.input, client.export(args.fetch_project))
        print(f"fetched project {args.fetch_project}'s export from {client.url} to {args.input}")
    docs = source_documents()
    read = importer.read_input(args.input, docs)
    records = importer.to_records(args.input, read, docs, settings, target)
    for skipped in read.skipped:
        print(f"armstance: skipped {skipped}: no submitted annotation", file=sys.stderr)
    if not records:
        print("armstance: nothing to import", file=sys.stderr)
        return 1
    if args.check:
        actors = sum(len(r.actors) for r in records)
        print(f"{args.input}: {len(records)} documents, {actors} actors, all valid (not written)")
        return 0
    added, replaced = target.write(records)
    revision = f" as revision {args.revision}" if args.revision > 1 else ""
    print(
        f"imported {len(records)} documents into {args.split}{revision} "
        f"({len(added)} added, {len(replaced)} replaced)"
    )
    if args.split in FIRST_PASS:
        print("train/dev changed: give new documents folds: `armstance data folds --extend`")
    return 0


# --- project -----------------------------------------------------------------------------


def _add_project(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "project",
        help="create a Label Studio project with the committed labelling config",
        description="Create a project on a running Label Studio with the committed labelling "
        "config, and print its id.\n\n"
        "Example:\n\n  armstance annotate project --title 'Round 1'",
    )
    p.add_argument("--title", required=True, help="the project's title in Label Studio")
    _add_labelstudio_url(p)
    p.set_defaults(func=run_project)


@_reporting_server_errors
def run_project(args: argparse.Namespace) -> int:
    client = LabelStudio.from_env(args.labelstudio_url)
    project = client.create_project(args.title)
    print(f"created project {project} at {client.url}/projects/{project}")
    return 0
