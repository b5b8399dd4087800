"""Congressional press releases on invented upstream lines, each fetched alone."""

import json
from pathlib import Path

import pytest

from armstance.corpus.congress import congress_docs
from armstance.corpus.manifests import LINE_NAME, LINE_PATH
from armstance.corpus.sources import Source
from armstance.errors import DataError

COMMIT = "e" * 40
MONTH = "data/2023/2023-04.jsonl"


def _member(bioguide: str = "X000101", name: str = "Jane Example") -> dict:
    return {"bioguide_id": bioguide, "name": name, "party": "Republican", "state": "ZZ",
            "chamber": "Senate"}  # fmt: skip


def _release(title: str, text: str, date: str = "2023-04-12", **member) -> dict:
    return {
        "url": f"https://example.senate.gov/news/{title.split()[0].lower()}",
        "title": title,
        "date": date,
        "member": _member(**member),
        "text": text,
        "scraper": "example",  # upstream fields the rebuild does not read
        "collected_at": "2024-01-01T00:00:00Z",
    }


RELEASES = [
    # The first release of the day is not about Ukraine: it still counts for k.
    (3, _release("Example Honors Local Farmers", "The senator honored farmers.")),
    (
        7,
        _release(
            "Example Votes Against\nthe Supplemental",
            "WASHINGTON \u2013 Senator Jane Example  voted against sending more\u00a0weapons "
            "to Ukraine.\r\n\r\n\r\n\u201cNot one more missile,\u201d she said.  \r\n"
            "Second line of the quote.\n\n",
        ),
    ),
    (9, _release("Example: Arm Ukraine Now", "Send tanks to Ukraine.", date="2023-04-13")),
    (
        11,
        _release(
            "Other Member Backs Security Assistance for Ukraine",
            "He backs security assistance.",
            bioguide="Y000202",
            name="John Invented",
        ),
    ),
]


def _sources(root: Path, releases=RELEASES) -> list[Source]:
    sources = []
    for line, release in releases:
        path = LINE_PATH.format(folder="congress", path=MONTH, line=line)
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(json.dumps(release, ensure_ascii=False).encode("utf-8"))
        url = f"https://raw.githubusercontent.com/example/press/{COMMIT}/{MONTH}"
        name = LINE_NAME.format(folder="congress", path=MONTH, line=line)
        sources.append(
            Source(name=name, url=url, sha256="0" * 64, licence="US", path=path, line=line)
        )
    return sources


def test_a_release_is_its_title_and_its_text_with_whitespace_made_regular(tmp_path):
    docs = list(congress_docs(tmp_path, _sources(tmp_path)))
    assert [d["doc_id"] for d in docs] == [
        "congress-2023-04-12-X000101-1",
        "congress-2023-04-13-X000101-0",
        "congress-2023-04-12-Y000202-0",
    ]
    vote = docs[0]
    assert vote["title"] == "Example Votes Against the Supplemental"
    assert vote["text"] == (
        "Example Votes Against the Supplemental\n\n"
        "WASHINGTON \u2013 Senator Jane Example voted against sending more weapons to Ukraine."
        "\n\n\u201cNot one more missile,\u201d she said.\nSecond line of the quote."
    )
    assert (vote["speaker"], vote["party"], vote["state"], vote["chamber"]) == (
        "Jane Example",
        "Republican",
        "ZZ",
        "Senate",
    )
    assert (vote["date"], vote["bioguide_id"], vote["lang"]) == ("2023-04-12", "X000101", "en")
    assert vote["url"] == "https://example.senate.gov/news/example"
    assert vote["fold_group"] == "congress-X000101"
    assert vote["upstream"] == f"{MONTH}:7"
    assert vote["path"] == f"congress/{MONTH}.lines/7.json"


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b'{"url": ', ":1: malformed JSON"),
        (b"[1, 2]", ":1: expected a JSON object"),
        (b"\xff", "not UTF-8"),
    ],
)
def test_an_unreadable_line_names_the_file(tmp_path, content, where):
    sources = _sources(tmp_path)
    (tmp_path / sources[1].path).write_bytes(content)
    with pytest.raises(DataError) as err:
        list(congress_docs(tmp_path, sources))
    assert str(tmp_path / sources[1].path) in str(err.value) and where in str(err.value)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r["member"].update(bioguide_id="x1"), "member.bioguide_id"),
        (lambda r: r["member"].pop("party"), "member.party"),
        (lambda r: r.update(date="April 12"), "date"),
        (lambda r: r.update(title=""), "title"),
    ],
)
def test_a_bad_release_names_the_file_and_the_field(tmp_path, change, field):
    line, release = RELEASES[1]
    release = json.loads(json.dumps(release))
    change(release)
    sources = _sources(tmp_path, [RELEASES[0], (line, release)])
    with pytest.raises(DataError) as err:
        list(congress_docs(tmp_path, sources))
    assert f"{tmp_path / sources[1].path}:1: field '{field}'" in str(err.value)
