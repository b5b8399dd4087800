"""The corpus-analysis demo end to end: predict over the unlabelled statement collections,
analyse them, and put the figures and a summary under docs/demo/.

    python scripts/demo.py [--model models:/armstance@champion] [--engine local|spark]
        [--limit N] [--out demo]

Sources (each only if rebuilt in data/raw by `armstance data fetch`): White House passages,
Kremlin and Ukrainian presidential releases and congressional releases, analysed by
quarter; Bundestag speeches, which carry a session number and no date, by session and
grouped by party. None of them is blind (they are ours to label); the news collections are
never read here. `--limit` takes the first N documents of each source (a quick check).
docs/demo/README.md gets aggregates only (counts, the report's tables), never a sentence of
a source, and says how many of each source's documents also carry labels in
data/annotations (training data of the model).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from armstance.cli import main as armstance
from armstance.paths import annotations_dir, project_root, raw_dir


@dataclass(frozen=True)
class Source:
    name: str
    options: tuple[str, ...]


SOURCES = (
    Source("whitehouse", ("--by", "quarter")),
    Source("kremlin", ("--by", "quarter")),
    Source("ukpresident", ("--by", "quarter")),
    Source("congress", ("--by", "quarter")),
    # A party has a few speakers per debate: cells of three speeches already say something.
    Source(
        "bundestag",
        ("--by", "session", "--group-by", "party", "--window", "session", "--min-docs", "3"),
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
    labelled = labelled_ids()
    summary = [
        "# Demo: stance toward arming Ukraine in the statement collections",
        "",
        f"Model `{args.model}`, engine {args.engine}"
        + (f", first {args.limit} documents of each source" if args.limit else "")
        + ". Written by `make demo` (scripts/demo.py); aggregates only.",
        "",
        "| source | documents | also labelled (training data) | analysis |",
        "|---|---|---|---|",
    ]
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
        overlap = len(set(ids) & labelled)
        options = " ".join(source.options)
        summary.append(
            f"| {source.name} | {len(ids)} | {overlap} | `{options}`:"
            f" [report]({source.name}_report.md), [timeline]({source.name}_timeline.png) |"
        )
    summary += [
        "",
        "Documents that also carry labels were training data of the model: its labels for"
        " them are not out-of-sample.",
    ]
    (docs / "README.md").write_text("\n".join(summary) + "\n", encoding="utf-8")
    print(f"demo: written to {out} and {docs}", file=sys.stderr)


if __name__ == "__main__":
    main()
