import functools
import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from armstance.corpus.fetch import (
    LINES_FILE,
    MIRROR_ENV,
    _fetch_all,
    fetch_source,
    fetch_sources,
)
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
    assert len(catalog.collection("kremlin_ua")) == 2
    congress = catalog.collection("congress")
    assert len(congress) == 389 and all(s.line is not None for s in congress)


# --- line sources: one record of an upstream JSON Lines file --------------------------------

MONTH = [
    b'{"title": "An invented release", "n": 0}',
    b'{"title": "Another invented release \xc3\xa9", "n": 1}',
    b"",
    b'{"title": "A third one", "n": 3}',
]


def _line_source(url: str, line: int, content: bytes | None = None) -> Source:
    data = MONTH[line] if content is None else content
    # model_construct: the catalogue admits only pinned GitHub URLs, the tests serve locally.
    return Source.model_construct(
        name=f"press/data/2024-01.jsonl:{line}",
        url=url,
        sha256=hashlib.sha256(data).hexdigest(),
        licence="CC0",
        path=f"press/data/2024-01.jsonl.lines/{line}.json",
        line=line,
    )


class _Handler(http.server.SimpleHTTPRequestHandler):
    requests: list[str]

    def do_GET(self):
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def served(tmp_path):
    """A real HTTP server on 127.0.0.1 serving tmp_path/www; yields (base URL, requests)."""
    root = tmp_path / "www"
    (root / "data").mkdir(parents=True)
    (root / "data/2024-01.jsonl").write_bytes(b"\n".join(MONTH) + b"\n")
    requests: list[str] = []
    handler = functools.partial(
        type("Handler", (_Handler,), {"requests": requests}), directory=str(root)
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def test_line_sources_download_their_file_once_and_keep_each_line_alone(tmp_path, served):
    base, requests = served
    url = f"{base}/data/2024-01.jsonl"
    sources = [_line_source(url, 3), _line_source(url, 1), _line_source(url, 2)]
    dest = tmp_path / "dest"
    results = _fetch_all(sources, dest, None)
    assert [action for _, action in results] == ["downloaded"] * 3
    assert [path.read_bytes() for path, _ in results] == [MONTH[3], MONTH[1], MONTH[2]]
    assert results[0][0] == dest / "press/data/2024-01.jsonl.lines/3.json"
    assert requests == ["/data/2024-01.jsonl"]
    # Verified in place: no second download.
    assert [a for _, a in _fetch_all(sources, dest, None)] == ["kept"] * 3
    assert fetch_source(sources[1], dest) == results[1][0]
    assert len(requests) == 1


def test_a_line_that_does_not_match_names_the_url_line_and_field_and_keeps_nothing(
    tmp_path, served
):
    base, _ = served
    url = f"{base}/data/2024-01.jsonl"
    bad = _line_source(url, 1, content=b'{"title": "what the catalogue pinned"}')
    dest = tmp_path / "dest"
    with pytest.raises(DataError) as err:
        _fetch_all([_line_source(url, 0), bad], dest, None)
    message = str(err.value)
    assert f"{url} (0-based line 1):2: field 'sha256'" in message
    assert hashlib.sha256(MONTH[1]).hexdigest() in message and bad.sha256 in message
    assert not (dest / bad.path).exists()
    assert not [p for p in (dest / bad.path).parent.iterdir() if p.name.startswith(".1.json")]


def test_a_line_past_the_end_of_the_file_is_an_error(tmp_path, served):
    base, _ = served
    url = f"{base}/data/2024-01.jsonl"
    with pytest.raises(DataError) as err:
        fetch_source(_line_source(url, 9, content=b"{}"), tmp_path / "dest")
    assert f"{url}:10: field 'line'" in str(err.value) and "the file has 4 lines" in str(err.value)
    assert not (tmp_path / "dest").exists()
    with pytest.raises(DataError, match=MIRROR_ENV):
        fetch_source(_line_source(f"{base}/data/absent.jsonl", 0), tmp_path / "dest")


def _records_mirror(tmp_path: Path, lines: list[bytes]) -> Path:
    mirror = tmp_path / "mirror"
    (mirror / "press").mkdir(parents=True)
    (mirror / "press" / LINES_FILE).write_bytes(b"\n".join(lines) + b"\n")
    return mirror


def test_line_sources_are_found_by_sha256_among_the_mirror_records(tmp_path):
    # The mirror holds the records in its own order, without the empty line.
    mirror = _records_mirror(tmp_path, [MONTH[3], MONTH[0], MONTH[1]])
    url = "https://raw.githubusercontent.com/example/press/" + "b" * 40 + "/data/2024-01.jsonl"
    sources = [_line_source(url, 0), _line_source(url, 1), _line_source(url, 3)]
    dest = tmp_path / "dest"
    results = _fetch_all(sources, dest, mirror)
    assert [(p.read_bytes(), a) for p, a in results] == [
        (MONTH[0], "copied"),
        (MONTH[1], "copied"),
        (MONTH[3], "copied"),
    ]
    # A mirror laid out like the sources folder serves the line file itself.
    laid_out = tmp_path / "laid_out"
    (laid_out / sources[0].path).parent.mkdir(parents=True)
    (laid_out / sources[0].path).write_bytes(MONTH[0])
    assert fetch_source(sources[0], tmp_path / "other", laid_out).read_bytes() == MONTH[0]

    missing = _line_source(url, 2, content=b'{"title": "not in the mirror"}')
    with pytest.raises(DataError) as err:
        fetch_source(missing, dest, mirror)
    message = str(err.value)
    assert str(mirror / "press" / LINES_FILE) in message and "field 'sha256'" in message
    assert f"no line of this file has sha256 {missing.sha256}" in message
    assert not (dest / missing.path).exists()
    (mirror / "press" / LINES_FILE).unlink()
    with pytest.raises(DataError, match="missing from the mirror"):
        fetch_source(missing, dest, mirror)
