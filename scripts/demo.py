"""The corpus-analysis demo end to end: predict over the unlabelled statement collections,
analyse them, and put the figures and a summary under docs/demo/.

    python scripts/demo.py [--model models:/armstance@champion] [--engine local|spark]
        [--limit N] [--out demo]

Sources (each only if rebuilt in data/raw by `armstance data fetch`): White House passages,
Kremlin and Ukrainian presidential releases and congressional releases, analysed by
quarter; Bundestag speeches, which carry a session number and no date: the speaker's own
stance, by session, the speakers pooled by party. None of them is blind (they are ours to
label); the news collections are never read here. `--limit` takes the first N documents
of each source (a quick check).
docs/demo/README.md gets aggregates only (counts, the report's tables), never a sentence of
a source, and says how many of each source's documents also carry labels in
data/annotations, and how many of those the model was trained on (its run's
`data.exclude_collections` leaves some labelled collections out of training).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from armstance.cli import main as armstance
from armstance.paths import annotations_dir, project_root, raw_dir
from armstance.prediction.model_uri import registry_version
from armstance.tracking.store import use_configured_uri


@dataclass(frozen=True)
class Source:
    name: str
    options: tuple[str, ...]


SOURCES = (
    Source("whitehouse", ("--by", "quarter")),
    Source("kremlin", ("--by", "quarter")),
    Source("ukpresident", ("--by", "quarter")),
    Source("congress", ("--by", "quarter")),
    # The speaker's own stance, the speakers pooled by party; a party has a few speakers
    # per debate: cells of three speeches already say something.
    Source(
        "bundestag",
        (
            "--by",
            "session",
            "--speaker",
            "speaker",
            "--pool",
            "party",
            "--window",
            "session",
            "--min-docs",
            "3",
        ),
    ),
)
FIGURES = ("timeline.png", "network_two_mode.png", "network_congruence.png",
           "network_conflict.png")  # fmt: skip


def labelled_ids() -> set[str]:
    ids = set()
    for path in annotations_dir().glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                ids.add(json.loads(line)["doc_id"])
    return ids


def excluded_from_training(model_uri: str) -> set[str] | None:
    """The labelled collections the model's training run left out (its
    `data.exclude_collections.*` params); None when its run cannot be found."""
    try:
        if model_uri.startswith("runs:/"):
            run_id = model_uri.removeprefix("runs:/").split("/", 1)[0]
        elif (version := registry_version(model_uri)) is not None:
            name = model_uri.removeprefix("models:/").split("/")[0].split("@")[0]
            run_id = MlflowClient().get_model_version(name, version).run_id
        else:
            return None
        params = MlflowClient().get_run(run_id).data.params
    except MlflowException:
        return None
    prefix = "data.exclude_collections."
    return {
        k.removeprefix(prefix) for k, v in params.items() if k.startswith(prefix) and v == "True"
    }


def subset(source: Path, limit: int | None, folder: Path) -> tuple[Path, list[str]]:
    lines = source.read_text(encoding="utf-8").splitlines()[:limit]
    path = folder / source.name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, [json.loads(line)["doc_id"] for line in lines]


def run(*argv: str) -> None:
    code = armstance(list(argv))
    if code != 0:
        sys.exit(f"armstance {' '.join(argv)} failed with {code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models:/armstance@champion")
    parser.add_argument("--engine", choices=("local", "spark"), default="local")
    parser.add_argument("--limit", type=int, help="first N documents of each source")
    parser.add_argument("--out", default="demo", help="predictions and analyses (git-ignored)")
    parser.add_argument("--docs", default=str(project_root() / "docs" / "demo"))
    args = parser.parse_args()
    out, docs = Path(args.out), Path(args.docs)
    (out / "inputs").mkdir(parents=True, exist_ok=True)
    docs.mkdir(parents=True, exist_ok=True)
    done: list[tuple[Source, list[str]]] = []
    for source in SOURCES:
        raw = raw_dir() / f"{source.name}.jsonl"
        if not raw.is_file():
            print(f"demo: {raw} not rebuilt, {source.name} left out", file=sys.stderr)
            continue
        inputs, ids = subset(raw, args.limit, out / "inputs")
        table = out / f"{source.name}.parquet"
        run("predict", "--model", args.model, "--input", str(inputs), "--output", str(table),
            "--engine", args.engine)  # fmt: skip
        analysis = out / source.name
        run("analyze", str(table), "--out", str(analysis), "--overwrite", *source.options)
        for figure in FIGURES:
            shutil.copyfile(analysis / figure, docs / f"{source.name}_{figure}")
        shutil.copyfile(analysis / "report.md", docs / f"{source.name}_report.md")
        done.append((source, ids))
    write_summary(docs, args.model, args.engine, args.limit, done)
    print(f"demo: written to {out} and {docs}", file=sys.stderr)


def write_summary(
    docs: Path,
    model: str,
    engine: str,
    limit: int | None,
    done: list[tuple[Source, list[str]]],
) -> None:
    """docs/README.md: per source, its documents, those labelled and those trained on."""
    use_configured_uri()
    labelled = labelled_ids()
    excluded = excluded_from_training(model)
    lines = [
        "# Demo: stance toward arming Ukraine in the statement collections",
        "",
        f"Model `{model}`, engine {engine}"
        + (f", first {limit} documents of each source" if limit else "")
        + ". Written by `make demo` (scripts/demo.py); aggregates only.",
        "",
        "| source | documents | also labelled | trained on by the model | analysis |",
        "|---|---|---|---|---|",
    ]
    for source, ids in done:
        overlap = len(set(ids) & labelled)
        trained = "?" if excluded is None else (0 if source.name in excluded else overlap)
        lines.append(
            f"| {source.name} | {len(ids)} | {overlap} | {trained} | `{' '.join(source.options)}`:"
            f" [report]({source.name}_report.md), [timeline]({source.name}_timeline.png) |"
        )
    lines += [
        "",
        "Labelled documents of a collection the model trained on were its training data: its"
        " labels for them are not out-of-sample. The labels of the collections its training"
        " run left out (`data.exclude_collections`) were never trained on"
        + ("." if excluded is not None else "; this model's training run was not found (?)."),
    ]
    (docs / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
