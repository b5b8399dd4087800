"""The `armstance` command. Each capability registers its own sub-commands."""

from __future__ import annotations

import argparse
import sys
import textwrap
from importlib import import_module

from armstance import __version__
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

DESCRIPTION = """\
Find the actors of French, English and German news articles, label each actor's stance
toward arming Ukraine (favor, against, none) and the article's sentiment toward it, with
the evidence; score, compare and promote the models; grow the labelled corpus.

Training and evaluation jobs run through Hydra and log to MLflow:

  python -m armstance.train [experiment=NAME]
  python -m armstance.evaluate model_uri=models:/armstance@champion split=dev

Run `armstance COMMAND --help` for a command's options and an example."""


class HelpFormatter(argparse.HelpFormatter):
    """Wraps prose paragraphs to the terminal, keeps indented lines (commands) as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in text.split("\n\n"):
            if paragraph.startswith("  "):
                paragraphs.append(textwrap.indent(paragraph, indent))
            else:
                paragraphs.append(
                    textwrap.fill(
                        " ".join(paragraph.split()),
                        width,
                        initial_indent=indent,
                        subsequent_indent=indent,
                    )
                )
        return "\n\n".join(paragraphs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="armstance", description=DESCRIPTION, formatter_class=HelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"armstance {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")
    for name in COMMAND_MODULES:
        import_module(name).add_commands(sub)
    _use_formatter(parser)
    return parser


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parsers of `parser`'s sub-commands, by name (one level)."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


def _use_formatter(parser: argparse.ArgumentParser) -> None:
    # Set here once rather than in every module's add_parser call.
    for child in subcommands(parser).values():
        child.formatter_class = HelpFormatter
        _use_formatter(child)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (DataError, FileNotFoundError) as exc:
        print(f"armstance: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
