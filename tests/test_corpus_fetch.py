import hashlib
from pathlib import Path

import pytest

from armstance.corpus.fetch import MIRROR_ENV, fetch_source, fetch_sources
from armstance.corpus.sources import Source, load_catalog
from armstance.errors import DataError

CONTENT = b"Ein erfundener Satz \xc3\xbcber Lieferungen.\n"
SHA = hashlib.sha256(CONTENT).hexdigest()
URL = "https://raw.githubusercontent.com/example/corpus/" + "a" * 40 + "/items.txt"


def _catalog(tmp_path: Path, sha256: str = SHA, url: str = URL) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        "  - name: items\n"
        f"    url: {url}\n"
        f"    sha256: {sha256}\n"
        "    licence: CC0\n"
        "    path: sub/items.txt\n",
        encoding="utf-8",
    )
    return path


def _mirror(tmp_path: Path, content: bytes = CONTENT) -> Path:
    mirror = tmp_path / "mirror"
    (mirror / "sub").mkdir(parents=True)
    (mirror / "sub/items.txt").write_bytes(content)
    return mirror


def test_copies_from_the_mirror_and_keeps_a_verified_copy(tmp_path):
    catalog, mirror, dest = _catalog(tmp_path), _mirror(tmp_path), tmp_path / "dest"
    assert fetch_sources(dest, mirror, sources_file=catalog) == [dest / "sub/items.txt"]
    assert (dest / "sub/items.txt").read_bytes() == CONTENT
    (mirror / "sub/items.txt").unlink()
    # Already present and verified: the mirror is not consulted again.
    assert fetch_sources(dest, mirror, sources_file=catalog) == [dest / "sub/items.txt"]


def test_the_mirror_can_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(MIRROR_ENV, str(_mirror(tmp_path)))
    fetch_sources(tmp_path / "dest", sources_file=_catalog(tmp_path), names=["items"])
    assert (tmp_path / "dest/sub/items.txt").read_bytes() == CONTENT


def test_sha256_mismatch_names_the_file_and_both_digests_and_keeps_nothing(tmp_path):
    bad = b"tampered\n"
    mirror, dest = _mirror(tmp_path, bad), tmp_path / "dest"
    with pytest.raises(DataError) as err:
        fetch_sources(dest, mirror, sources_file=_catalog(tmp_path))
    message = str(err.value)
    assert str(mirror / "sub/items.txt") in message
    assert "sha256" in message and SHA in message
    assert hashlib.sha256(bad).hexdigest() in message
    # Neither the file nor a temporary copy of it is left behind.
    assert list((dest / "sub").iterdir()) == []


def test_a_corrupt_copy_in_place_is_replaced(tmp_path):
    dest = tmp_path / "dest"
    (dest / "sub").mkdir(parents=True)
    (dest / "sub/items.txt").write_bytes(b"stale\n")
    fetch_sources(dest, _mirror(tmp_path), sources_file=_catalog(tmp_path))
    assert (dest / "sub/items.txt").read_bytes() == CONTENT


def test_a_file_missing_from_the_mirror_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="missing from the mirror"):
        fetch_sources(tmp_path / "dest", tmp_path / "empty", sources_file=_catalog(tmp_path))


def _url_source(url: str) -> Source:
    # The catalogue only admits pinned https URLs; a file: URL exercises the same download
    # code without a network.
    return Source.model_construct(
        name="items", url=url, sha256=SHA, licence="CC0", path="items.txt"
    )


def test_download_verifies_what_it_fetched(tmp_path):
    served = tmp_path / "served.txt"
    served.write_bytes(CONTENT)
    target = fetch_source(_url_source(served.as_uri()), tmp_path / "dest")
    assert target.read_bytes() == CONTENT


def test_a_failed_download_says_to_set_the_mirror(tmp_path):
    with pytest.raises(DataError, match=MIRROR_ENV):
        fetch_source(_url_source((tmp_path / "nowhere.txt").as_uri()), tmp_path / "dest")
    assert not (tmp_path / "dest/items.txt").exists()


def test_catalog_refuses_an_unpinned_url(tmp_path):
    path = _catalog(tmp_path, url="https://raw.githubusercontent.com/example/corpus/main/x.txt")
    with pytest.raises(DataError) as err:
        load_catalog(path)
    assert str(path) in str(err.value) and "sources.0.url" in str(err.value)


def test_the_project_catalog_is_valid_and_complete():
    catalog = load_catalog()
    names = [s.name for s in catalog.sources]
    assert names[:3] == ["tagesschau", "guardian", "nyt"]
    assert sum(n.startswith("newsmtsc_") for n in names) == 5
    assert len(catalog.collection("bundestag")) == 1502
    assert len(catalog.collection("whitehouse")) == 737
