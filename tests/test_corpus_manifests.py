import json

import pytest

from armstance import paths
from armstance.corpus.manifests import (
    MANIFEST,
    dump_catalog,
    manifest_sources,
    replace_collection,
)
from armstance.corpus.sources import load_catalog
from armstance.errors import DataError

COMMIT = "d" * 40


def _manifest(tmp_path, *files: str) -> object:
    path = tmp_path / MANIFEST
    lines = [
        {"repo": "example/speeches", "commit": COMMIT, "path": f, "sha256": "e" * 64, "bytes": 3}
        for f in files
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_manifest_entries_become_pinned_sources_under_the_folder(tmp_path):
    sources = manifest_sources("speeches", _manifest(tmp_path, "b/2.txt", "a/1.txt"), "CC0")
    assert [s.path for s in sources] == ["speeches/a/1.txt", "speeches/b/2.txt"]
    first = sources[0]
    assert first.url == f"https://raw.githubusercontent.com/example/speeches/{COMMIT}/a/1.txt"
    assert (first.name, first.sha256, first.licence) == (first.path, "e" * 64, "CC0")
    assert first.collection == "speeches"


def test_manifest_lines_become_line_sources_of_the_upstream_file(tmp_path):
    path = tmp_path / MANIFEST
    lines = [
        {"repo": "example/press", "commit": COMMIT, "path": "data/2024-02.jsonl", "line": line,
         "sha256": f"{line:064x}", "bytes": 10, "url": f"https://example.org/release-{line}"}
        for line in (12, 3)
    ]  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    third, twelfth = manifest_sources("press", path, "CC0")
    # Sorted by upstream file, then line as a number.
    assert (third.line, twelfth.line) == (3, 12)
    assert third.name == "press/data/2024-02.jsonl:3"
    assert third.path == "press/data/2024-02.jsonl.lines/3.json"
    assert (
        third.url == f"https://raw.githubusercontent.com/example/press/{COMMIT}/data/2024-02.jsonl"
    )
    assert (third.sha256, third.collection) == (f"{3:064x}", "press")
    catalog = replace_collection(load_catalog(), "press", [third, twelfth])
    dumped = dump_catalog(catalog)
    assert "    line: 3\n    sha256: " in dumped
    written = tmp_path / "sources.yaml"
    written.write_text(dumped, encoding="utf-8")
    assert load_catalog(written).collection("press") == [third, twelfth]
    lines[1]["line"] = -1
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    with pytest.raises(DataError, match=r":2: field 'line'"):
        manifest_sources("press", path, "CC0")


def test_a_bad_manifest_line_names_the_file_line_and_field(tmp_path):
    path = _manifest(tmp_path, "a/1.txt")
    path.write_text(path.read_text().replace(COMMIT, "main"), encoding="utf-8")
    with pytest.raises(DataError, match=r":1: field 'commit'"):
        manifest_sources("speeches", path, "CC0")


def test_replacing_a_collection_keeps_the_other_sources_and_their_order(tmp_path):
    catalog = load_catalog()
    new = manifest_sources("bundestag", _manifest(tmp_path, "x.txt"), "CC0")
    replaced = replace_collection(catalog, "bundestag", new)
    assert [s for s in replaced.sources if s.collection != "bundestag"] == [
        s for s in catalog.sources if s.collection != "bundestag"
    ]
    assert replaced.collection("bundestag") == new
    appended = replace_collection(catalog, "speeches", new)
    assert appended.sources[-1] == new[0] and len(appended.sources) == len(catalog.sources) + 1


def test_the_committed_catalogue_is_what_the_generator_writes():
    assert dump_catalog(load_catalog()) == paths.sources_yaml().read_text(encoding="utf-8")


@pytest.mark.parametrize("folder", ["bundestag", "whitehouse", "kremlin_ua", "congress"])
def test_the_committed_entries_are_the_mirror_manifests(shared_dir, folder):
    committed = load_catalog().collection(folder)
    licence = committed[0].licence
    manifest = shared_dir / "data/sources" / folder / MANIFEST
    assert committed == manifest_sources(folder, manifest, licence)
