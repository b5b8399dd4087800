"""The `armstance` command. Each capability registers its own sub-commands."""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

from armstance.errors import DataError

# Modules that expose `add_commands(subparsers)`; each sub-command sets `func(args) -> int`.
COMMAND_MODULES = (
    "armstance.corpus.commands",
    "armstance.evaluation.commands",
    "armstance.prediction.commands",
    "armstance.comparison.commands",
    "armstance.annotate.commands",
    "armstance.analysis.command",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="armstance", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        import_module(name).add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (DataError, FileNotFoundError) as exc:
        print(f"armstance: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
