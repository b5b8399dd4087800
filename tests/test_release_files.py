"""The files that say what may be done with the project: licences and the citation."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_citation_names_the_version_and_licence_of_pyproject():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    project = _pyproject()
    assert citation["cff-version"] == "1.2.0"
    # CFF 1.2.0 requires these keys; a release that bumps pyproject must bump the citation.
    assert {"message", "title", "authors"} <= citation.keys()
    assert citation["version"] == project["version"]
    assert citation["license"] == project["license"] == "MIT"
    assert "repository-code" not in citation
    assert "language-model annotators" in " ".join(citation["message"].split())


def test_code_is_mit_and_labels_are_cc_by_with_texts_under_their_own_licences():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "the armstance authors" in (ROOT / "LICENSE").read_text()
    labels = " ".join((ROOT / "data" / "LICENSE").read_text().split())
    assert "Creative Commons Attribution 4.0" in labels
    assert "stand-off annotations" in labels
    assert "keeps its own licence, listed per source in docs/DATA.md" in labels
