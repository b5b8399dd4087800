"""The White House rebuild on invented briefings in the upstream layout and Markdown."""

from pathlib import Path

import pytest

from armstance.corpus.passages import label_in_force, windows
from armstance.corpus.sources import Source
from armstance.corpus.whitehouse import paragraphs, passage_docs, speaker_label
from armstance.errors import DataError

FRONT = """---
date: '2024-01-03'
modified_time: 2024-01-04 09:00:00-05:00
source_url: https://example.gov/briefing-room/2024/01/03/press-briefing-by-a-spokesperson/
tags: press-briefings
title: "Briefing for the Press by Spokesperson Jane\\_Doe and\\
  \\ Admiral John\\_Roe"
---
"""
# Eleven paragraphs: Ukraine in 3 and 5 (their windows overlap) and in 10, the last one.
BODY = """\u00a0
Briefing Room

MS. DOE:\u00a0 Good afternoon.\u00a0 Today the
Secretary travels to Kyiv.\u00a0\u00a0
\u00a0
And then on to Warsaw.

Q\u00a0\u00a0\u00a0 What does the \\$300 million package for Ukraine
hold?\x20\x20

MS. DOE:\u00a0 Air defence \\- interceptors \\[and\\] shells.

We\\'ll say more about Ukraine's \\*needs\\* later, \\_ maybe.\\\\

Q\u00a0\u00a0\u00a0 Anything on the budget?

MS. DOE:\u00a0 Not today.

ADMIRAL ROE:\u00a0 On the fleet: nothing new.

END 4:07 P.M. EST

MS. DOE:\u00a0 One more thing on UKRAINE.
"""
PATH = "whitehouse/press-briefings/2024-01/2024-01-03-press-briefing-by-a-spokesperson.md"
TITLE = "Briefing for the Press by Spokesperson Jane Doe and Admiral John Roe"


def _write(root: Path, path: str = PATH, content: str = FRONT + BODY) -> Source:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_bytes(content.encode("utf-8"))
    url = f"https://raw.githubusercontent.com/example/briefings/{'c' * 40}/{path}"
    return Source(name=path, url=url, sha256="0" * 64, licence="test", path=path)


def test_paragraphs_join_wrapped_lines_and_undo_markdown_escapes():
    paras = paragraphs(BODY)
    assert len(paras) == 11
    assert paras[1] == "MS. DOE:\u00a0 Good afternoon.\u00a0 Today the Secretary travels to Kyiv."
    assert paras[3] == "Q\u00a0\u00a0\u00a0 What does the $300 million package for Ukraine hold?"
    assert paras[4] == "MS. DOE:\u00a0 Air defence - interceptors [and] shells."
    assert paras[5] == "We'll say more about Ukraine's *needs* later, _ maybe.\\"


@pytest.mark.parametrize(
    ("paragraph", "label"),
    [
        ("THE PRESIDENT:  Thank you.", "THE PRESIDENT"),
        ("MS. DOE-ROE:\u00a0 Hi.", "MS. DOE-ROE"),
        ("MS.\u00a0 SMITH-JONES:\u00a0 Hi.", "MS. SMITH-JONES"),
        ("PRESIDENT ÅSTRÖM:\u00a0 Thanks.", "PRESIDENT ÅSTRÖM"),
        ("DEPUTY ASSISTANT TO THE PRESIDENT: Yes.", "DEPUTY ASSISTANT TO THE PRESIDENT"),
        ("Q\u00a0\u00a0\u00a0 And Ukraine?", "Q"),
        ("Q: And Ukraine?", "Q"),
        ("Questions remain: many.", None),
        ("Here is the list: one.", None),
        ("END 4:07 P.M. EST", None),
        ("**OUR PLAN:**", None),
        ("FOR THE GOVERNMENT OF THE REPUBLIC:  FOR THE OTHER:", None),
    ],
)
def test_speaker_labels(paragraph, label):
    assert speaker_label(paragraph) == label


@pytest.mark.parametrize(
    ("hits", "count", "expected"),
    [
        ([2, 4], 11, [(1, 5)]),  # overlapping
        ([2, 5], 11, [(1, 6)]),  # touching: 1-3 and 4-6
        ([2, 6], 11, [(1, 3), (5, 7)]),
        ([0, 10], 11, [(0, 1), (9, 10)]),  # clipped at both ends
        ([0], 1, [(0, 0)]),
        ([], 5, []),
    ],
)
def test_windows_take_one_neighbour_each_side_and_merge(hits, count, expected):
    assert windows(hits, count) == expected


def test_the_label_in_force_is_the_units_own_or_the_nearest_before():
    labels = [None, "A", None, "Q", None]
    assert [label_in_force(labels, i) for i in range(5)] == [None, "A", "A", "Q", "Q"]


def test_a_briefing_becomes_its_ukraine_passages_with_a_header(tmp_path):
    first, second = passage_docs(tmp_path, [_write(tmp_path)])
    paras = paragraphs(BODY)
    assert first["doc_id"] == "whitehouse-2024-01-03-press-briefing-by-a-spokesperson-0"
    # The passage opens mid-turn (paragraph 2): the last label before it is "MS. DOE".
    assert first["paragraphs"] == (2, 6) and first["speaker"] == "MS. DOE"
    header = f"{TITLE}\n2024-01-03\nMS. DOE:\n\n"
    assert first["text"] == header + "\n\n".join(paras[2:7])
    assert second["doc_id"].endswith("-1") and second["paragraphs"] == (9, 10)
    # Paragraph 9 has no label: the label in force is the admiral's, from paragraph 8.
    assert second["speaker"] == "ADMIRAL ROE"
    assert second["text"].startswith(f"{TITLE}\n2024-01-03\nADMIRAL ROE:\n\nEND 4:07 P.M. EST")
    assert first["title"] == TITLE and first["lang"] == "en"
    assert (first["date"], first["category"]) == ("2024-01-03", "press-briefings")
    assert first["slug"] == "press-briefing-by-a-spokesperson" and first["path"] == PATH
    assert first["source_url"].startswith("https://example.gov/")
    assert first["fold_group"] == "whitehouse-week-2024-W01"


def test_a_passage_before_any_label_has_no_speaker_line(tmp_path):
    statement = FRONT + "Ukraine will get more help.\n\nThe end.\n"
    [doc] = passage_docs(tmp_path, [_write(tmp_path, content=statement)])
    assert doc["speaker"] is None
    assert doc["text"] == f"{TITLE}\n2024-01-03\n\nUkraine will get more help.\n\nThe end."


def test_the_same_file_under_two_categories_is_rebuilt_once(tmp_path):
    again = PATH.replace("press-briefings", "speeches-remarks")
    front = FRONT.replace("tags: press-briefings", "tags: speeches-remarks")
    sources = [_write(tmp_path), _write(tmp_path, again, front + BODY)]
    docs = list(passage_docs(tmp_path, sources))
    assert [d["path"] for d in docs] == [PATH, PATH]
    _write(tmp_path, again, front + BODY.replace("Not today", "Tomorrow"))
    with pytest.raises(DataError, match="field 'slug'"):
        list(passage_docs(tmp_path, sources))


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (BODY, ":1: expected the front matter to open with '---'"),
        (FRONT.removesuffix("---\n") + BODY, ":1: the front matter is not closed"),
        (FRONT.replace("tags: press-briefings", "tags: [press"), ":6: malformed YAML"),
        (FRONT.replace("title:", "name:"), "field 'title'"),
        (FRONT.replace("'2024-01-03'", "'2024-13-03'"), "field 'date'"),
        (FRONT.replace("'2024-01-03'", "'2024-01-04'"), "field 'date': expected the file"),
        (FRONT.replace("source_url: https:", "source_url: http:"), "field 'source_url'"),
    ],
)
def test_malformed_front_matter_names_the_file_and_the_field(tmp_path, content, where):
    source = _write(tmp_path, content=content if content == BODY else content + BODY)
    with pytest.raises(DataError) as err:
        list(passage_docs(tmp_path, [source]))
    assert str(tmp_path / PATH) in str(err.value) and where in str(err.value)
