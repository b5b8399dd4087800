"""The Kremlin and Ukrainian presidential releases on invented CSVs in the upstream layout."""

import csv
import io
from pathlib import Path

import pytest

from armstance.corpus.releases import (
    KREMLIN,
    MAX_CHARS,
    UKPRESIDENT,
    release_docs,
)
from armstance.corpus.sources import Source
from armstance.errors import DataError

COMMIT = "c" * 40
KREMLIN_PATH = "kremlin_ua/press_release_data/putin.csv"
UKRAINE_PATH = "kremlin_ua/press_release_data/zelenskyy.csv"
KREMLIN_COLUMNS = ["link", "headline", "date", "location", "summary", "body"]
UKRAINE_COLUMNS = ["link", "headline", "date", "body"]

FILLER = "The delegations discussed the harvest and the weather in some detail."
# A transcript longer than MAX_CHARS: Ukraine in sentences 10 and 12 (their windows touch)
# and 299; turn labels in sentences 5 and 298.
LONG = [f"{FILLER[:-1]} ({i})." for i in range(400)]
LONG[0] = "Ivan Testov attended the plenary session of an invented forum."
LONG[5] = "President of Russia Ivan Testov: Good afternoon, colleagues."
LONG[10] = "Supplies of weapons to Ukraine only prolong the conflict."
LONG[12] = "Ukraine keeps asking for more missiles."
LONG[298] = "Question: What about the convoy?"
LONG[299] = "Does it carry arms for Ukraine?"

KREMLIN_ROWS = [
    {
        "link": "http://en.kremlin.ru/events/president/news/90002",
        "headline": "Telephone conversation with  the Prime Minister of Freedonia",
        "date": "2022-03-02T14:30:00Z",
        "location": "NA",
        "summary": "",
        "body": "Ivan Testov had a call with Rufus Firefly. They discussed Ukraine and "
        "deliveries of artillery shells.",
    },
    {  # Ukraine, but no weapons term: not selected.
        "link": "http://en.kremlin.ru/events/president/news/90001",
        "headline": "Meeting on grain",
        "date": "2022-03-01T09:00:00Z",
        "location": "The Kremlin, Moscow",
        "summary": "A meeting on grain exports.",
        "body": "The grain of Ukraine was discussed.",
    },
    {  # The weapons term only in the summary: selected on headline + summary + body.
        "link": "http://en.kremlin.ru/events/president/news/90003",
        "headline": "Meeting with the Security Council",
        "date": "2022-03-03T11:00:00Z",
        "location": "Novo-Ogaryovo, Moscow Region",
        "summary": "The agenda included munitions.",
        "body": "Vladimir Testov: Colleagues, today we speak about Ukraine.",
    },
    {
        "link": "http://en.kremlin.ru/events/president/news/90004",
        "headline": "Plenary session of the Invented Forum",
        "date": "2022-03-01T10:00:00Z",
        "location": "St Petersburg",
        "summary": "The President attended the plenary session.",
        "body": " ".join(LONG),
    },
]

UKRAINE_ROWS = [
    {
        "link": "https://www.president.gov.ua/en/news/mi-vstoyimo-zvernennya-prezidenta-73001",
        "headline": "We will stand – address by President Petro Inventenko",
        "date": "2022-04-05T21:10:00Z",
        "body": "Good evening!  We need weapons\r\nfor Ukraine.\r\n\r\n\r\nGlory to Ukraine!",
    },
    {
        "link": "https://www.president.gov.ua/en/news/vyhadana-zustrich-z-ministrom-73002",
        "headline": "The President met the Minister of Invented Affairs",
        "date": "2022-04-06T08:00:00Z",
        "body": "They discussed tanks for Ukraine.",
    },
]


def _write(root: Path, path: str, columns: list[str], rows: list[dict]) -> Source:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_bytes(buffer.getvalue().encode("utf-8"))
    upstream = path.split("/", 1)[1]
    url = f"https://raw.githubusercontent.com/example/releases/{COMMIT}/{upstream}"
    return Source(name=path, url=url, sha256="0" * 64, licence="CC BY 4.0", path=path)


def _kremlin(root: Path, rows: list[dict] = KREMLIN_ROWS) -> list[dict]:
    sources = [
        _write(root, UKRAINE_PATH, UKRAINE_COLUMNS, UKRAINE_ROWS),
        _write(root, KREMLIN_PATH, KREMLIN_COLUMNS, rows),
    ]
    return list(release_docs(KREMLIN)(root, sources))


def test_a_selected_release_is_one_document_under_headline_and_date(tmp_path):
    docs = {d["doc_id"]: d for d in _kremlin(tmp_path)}
    assert "kremlin-90001-0" not in docs  # no weapons term
    call = docs["kremlin-90002-0"]
    assert call["title"] == "Telephone conversation with the Prime Minister of Freedonia"
    assert call["text"] == (
        "Telephone conversation with the Prime Minister of Freedonia\n2022-03-02\n\n"
        + KREMLIN_ROWS[0]["body"]
    )
    assert (call["date"], call["speaker"], call["location"], call["summary"]) == (
        "2022-03-02",
        None,
        None,
        None,
    )
    assert (call["release"], call["passage"], call["sentences"]) == ("90002", 0, None)
    assert call["url"] == KREMLIN_ROWS[0]["link"] and call["lang"] == "en"
    assert call["fold_group"] == "kremlin-week-2022-W09" and call["path"] == KREMLIN_PATH
    # Selected on its summary; a transcript label opening the body is the speaker.
    council = docs["kremlin-90003-0"]
    assert council["speaker"] == "Vladimir Testov"
    assert council["text"].startswith("Meeting with the Security Council\n2022-03-03\n")
    assert council["text"].split("\n\n")[0].endswith("\nVladimir Testov:")
    assert council["summary"] == "The agenda included munitions."
    assert council["location"] == "Novo-Ogaryovo, Moscow Region"


def test_a_long_release_becomes_its_ukraine_passages_of_sentences(tmp_path):
    assert len(f"Plenary session of the Invented Forum\n2022-03-01\n\n{' '.join(LONG)}") > MAX_CHARS
    passages = [d for d in _kremlin(tmp_path) if d["release"] == "90004"]
    assert [d["doc_id"] for d in passages] == ["kremlin-90004-0", "kremlin-90004-1"]
    first, second = passages
    assert first["sentences"] == (9, 13) and second["sentences"] == (298, 300)
    # The label in force at sentence 9 is the one of sentence 5.
    assert first["speaker"] == "President of Russia Ivan Testov"
    assert first["text"] == (
        "Plenary session of the Invented Forum\n2022-03-01\nPresident of Russia Ivan Testov:\n\n"
        + " ".join(LONG[9:14])
    )
    assert second["speaker"] == "Question"
    assert second["text"].endswith("\nQuestion:\n\n" + " ".join(LONG[298:301]))
    assert first["fold_group"] == "kremlin-week-2022-W09"


def test_a_short_release_stays_whole_however_many_paragraphs(tmp_path):
    short = dict(KREMLIN_ROWS[3], body=" ".join(LONG[:100]))
    (doc,) = _kremlin(tmp_path, [short])
    assert doc["doc_id"] == "kremlin-90004-0" and doc["sentences"] is None
    assert doc["text"].endswith(" ".join(LONG[:100]))


def test_ukrainian_releases_take_the_id_at_the_end_of_the_url_and_the_headlines_speaker(
    tmp_path,
):
    sources = [
        _write(tmp_path, KREMLIN_PATH, KREMLIN_COLUMNS, KREMLIN_ROWS),
        _write(tmp_path, UKRAINE_PATH, UKRAINE_COLUMNS, UKRAINE_ROWS),
    ]
    address, meeting = release_docs(UKPRESIDENT)(tmp_path, sources)
    assert address["doc_id"] == "ukpresident-73001-0" and address["release"] == "73001"
    assert address["speaker"] == "President Petro Inventenko"
    # Whitespace made regular, paragraphs kept; the date is the UTC timestamp's.
    assert address["text"] == (
        "We will stand – address by President Petro Inventenko\n2022-04-05\n\n"
        "Good evening! We need weapons\nfor Ukraine.\n\nGlory to Ukraine!"
    )
    assert (address["location"], address["summary"]) == (None, None)
    assert address["fold_group"] == "ukpresident-week-2022-W14"
    assert meeting["speaker"] is None and meeting["doc_id"] == "ukpresident-73002-0"


@pytest.mark.parametrize(
    ("headline", "speaker"),
    [
        ("Speech by the President of Ukraine at the Invented Forum", "President of Ukraine"),
        (
            "Address by President of Ukraine Petro Inventenko to the Senate",
            "President of Ukraine Petro Inventenko",
        ),
        (
            "We rely on you – appeal by Head of the Office Ivan Example",
            "Head of the Office Ivan Example",
        ),
        ("Talk by the Head of the Office Ivan Example in Rome", None),
    ],
)
def test_the_speaker_a_headline_names(tmp_path, headline, speaker):
    row = dict(UKRAINE_ROWS[1], headline=headline)
    sources = [_write(tmp_path, UKRAINE_PATH, UKRAINE_COLUMNS, [row])]
    (doc,) = release_docs(UKPRESIDENT)(tmp_path, sources)
    assert doc["speaker"] == speaker


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"link": "http://en.kremlin.ru/events/president/news/abc"}, ":4: field 'link'"),
        ({"date": "02.03.2022"}, ":4: field 'date'"),
        ({"date": "2022-02-30T10:00:00Z"}, ":4: field 'date'"),
        ({"headline": "  "}, ":4: field 'headline': empty"),
        ({"link": KREMLIN_ROWS[0]["link"]}, ":4: field 'link': release 90002 also on line 2"),
    ],
)
def test_a_bad_release_names_the_file_line_and_field(tmp_path, change, where):
    rows = [*KREMLIN_ROWS[:2], dict(KREMLIN_ROWS[2], **change)]
    with pytest.raises(DataError) as err:
        _kremlin(tmp_path, rows)
    assert str(tmp_path / KREMLIN_PATH) + where in str(err.value)


def test_a_row_with_too_many_fields_is_an_error(tmp_path):
    source = _write(tmp_path, KREMLIN_PATH, KREMLIN_COLUMNS, KREMLIN_ROWS[:1])
    with open(tmp_path / KREMLIN_PATH, "a", encoding="utf-8") as fh:
        fh.write("a,b,c,d,e,f,g\n")
    with pytest.raises(DataError, match=":3: expected as many fields as the header"):
        list(release_docs(KREMLIN)(tmp_path, [source]))
    with pytest.raises(DataError, match=r"no press_release_data/zelenskyy\.csv among"):
        list(release_docs(UKPRESIDENT)(tmp_path, [source]))
