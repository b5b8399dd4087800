"""The `armstance` command as users meet it: version, help of every sub-command, `-m`."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

import armstance
from armstance.cli import build_parser, main, subcommands

ROOT = Path(__file__).resolve().parents[1]


def _all_commands(
    parser: argparse.ArgumentParser, prefix: str = "armstance"
) -> list[tuple[str, argparse.ArgumentParser]]:
    found = []
    for name, child in subcommands(parser).items():
        path = f"{prefix} {name}"
        found.append((path, child))
        found += _all_commands(child, path)
    return found


COMMANDS = _all_commands(build_parser())


def test_the_version_is_written_once_in_pyproject(capsys):
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert version("armstance") == pyproject["project"]["version"]
    assert armstance.__version__ == version("armstance")
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"armstance {pyproject['project']['version']}"


def test_top_level_help_describes_the_tool_and_lists_every_command():
    text = build_parser().format_help()
    assert "stance toward arming Ukraine" in text
    assert "The `armstance` command" not in text  # not the module's docstring
    for name in ("data", "evaluate", "agreement", "predict", "compare", "annotate"):
        assert f"\n    {name}" in text


@pytest.mark.parametrize("path,parser", COMMANDS, ids=[path for path, _ in COMMANDS])
def test_every_command_has_a_description_an_example_and_option_help(path, parser):
    text = parser.format_help()
    assert parser.description and len(parser.description) > 40, path
    assert "Example" in text and f"\n  {path}" in text, f"{path}: no example of itself"
    for action in parser._actions:
        if action.option_strings and action.help != argparse.SUPPRESS:
            assert action.help, f"{path} {action.option_strings[0]}: no help"


def test_every_command_has_a_one_line_help_in_its_parent():
    for parent in [build_parser(), *(p for _, p in COMMANDS)]:
        for action in parent._actions:
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    assert choice.help and "\n" not in choice.help, choice.dest


@pytest.mark.slow
def test_python_dash_m_runs_the_command():
    result = subprocess.run(
        [sys.executable, "-m", "armstance", "--version"],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""},
    )
    assert result.stdout.strip() == f"armstance {armstance.__version__}"
