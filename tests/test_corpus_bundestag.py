"""The Bundestag rebuild on invented speeches in the upstream layout and XML format."""

from pathlib import Path

import pytest

from armstance.corpus.bundestag import speech_docs
from armstance.corpus.sources import Source
from armstance.errors import DataError

FOLDER = "bundestag/data/042/Tagesordnungspunkt_3/SPD-Muster"
SPEECH = "Erster Absatz über Lieferungen.\nZweiter Absatz\xa0mit Dank."
NAME = "<vorname>Erika</vorname><nachname>Muster</nachname>"


def _xml(
    speech_id: str = "ID204200100",
    name: str = f"<titel>Dr.</titel>{NAME}<fraktion>SPD</fraktion>",
    label: str = "Dr. Erika Muster (SPD):",
    speaker_id: str = "11000001",
) -> str:
    # Laid out as upstream: the label follows the nested <redner> metadata inside the
    # paragraph; an interjection and a question by another member come later.
    return f"""<rede id="{speech_id}">
        <p klasse="redner">
            <a id="r1"/>
            <redner id="{speaker_id}">
                <name>
                    {name}
                </name>
            </redner>{label}</p>
        <p klasse="J_1">Erster Absatz über Lieferungen.</p>
        <kommentar>(Beifall bei der SPD)</kommentar>
        <p klasse="redner"><redner id="11000002"><name><vorname>Max</vorname>
            <nachname>Beispiel</nachname><fraktion>FDP</fraktion></name></redner>Max Beispiel
            (FDP):</p>
        <p klasse="J">Eine Zwischenfrage.</p>
        <p klasse="J">Zweiter Absatz mit Dank.</p>
    </rede>"""


def _write(root: Path, folder: str, xml: str, txt: str | None = SPEECH) -> list[Source]:
    speech_id = xml.split('"')[1]
    stem = f"{folder}/{folder.rsplit('/', 1)[1]}-{speech_id}"
    (root / folder).mkdir(parents=True, exist_ok=True)
    (root / f"{stem}.xml").write_text(xml, encoding="utf-8")
    paths = [f"{stem}.xml"]
    if txt is not None:
        (root / f"{stem}.txt").write_bytes(txt.encode("utf-8"))
        paths.append(f"{stem}.txt")
    return [_source(p) for p in paths]


def _source(path: str) -> Source:
    url = f"https://raw.githubusercontent.com/example/protocols/{'b' * 40}/{path}"
    return Source(name=path, url=url, sha256="0" * 64, licence="test", path=path)


def test_a_member_speech_is_the_label_a_blank_line_and_the_txt_unchanged(tmp_path):
    [doc] = speech_docs(tmp_path, _write(tmp_path, FOLDER, _xml()))
    # The label is the paragraph's own text: not the <name> metadata nested inside it.
    assert doc["text"] == "Dr. Erika Muster (SPD):\n\n" + SPEECH
    assert doc["doc_id"] == "bundestag-ID204200100" and doc["lang"] == "de"
    assert doc["speaker"] == "Dr. Erika Muster" and doc["speaker_id"] == "11000001"
    assert (doc["party"], doc["role"]) == ("SPD", None)
    assert (doc["session"], doc["agenda_item"]) == (42, "Tagesordnungspunkt_3")
    assert doc["fold_group"] == "bundestag-speaker-11000001"
    assert doc["txt_path"] == doc["xml_path"].removesuffix(".xml") + ".txt"


def test_a_government_member_has_a_role_and_no_party(tmp_path):
    role = "<rolle><rolle_lang>Bundesministerin der\n   Verteidigung</rolle_lang></rolle>"
    label = "Erika Muster, Bundesministerin der\n        Verteidigung:"
    [doc] = speech_docs(tmp_path, _write(tmp_path, FOLDER, _xml(name=NAME + role, label=label)))
    assert doc["text"].startswith("Erika Muster, Bundesministerin der Verteidigung:\n\n")
    assert (doc["party"], doc["role"]) == (None, "Bundesministerin der Verteidigung")


@pytest.mark.parametrize(
    ("fraktion", "party"),
    [
        ("Fraktionslos", "fraktionslos"),
        ("Die Linke", "DIE LINKE"),
        ("BÜNDNIS\xa090/DIE\n        GRÜNEN", "BÜNDNIS 90/DIE GRÜNEN"),
    ],
)
def test_group_spellings_are_one_party(tmp_path, fraktion, party):
    xml = _xml(name=f"{NAME}<fraktion>{fraktion}</fraktion>", label=f"Erika Muster ({fraktion}):")
    [doc] = speech_docs(tmp_path, _write(tmp_path, FOLDER, xml))
    assert doc["party"] == party
    assert doc["text"].startswith(f"Erika Muster ({' '.join(fraktion.split())}):\n\n")


def test_a_speech_kept_twice_upstream_is_one_document_the_unwrapped_one(tmp_path):
    wrapped = SPEECH.replace(" über ", "\nüber ")
    # The wrapped copy comes first in path order; the unwrapped one is kept all the same.
    first = FOLDER.replace("SPD-Muster", "SPD-A_Muster")
    sources = _write(tmp_path, first, _xml(), wrapped) + _write(tmp_path, FOLDER, _xml())
    [doc] = speech_docs(tmp_path, sources)
    assert doc["text"].endswith(SPEECH) and doc["xml_path"].startswith(FOLDER + "/")
    other = _write(tmp_path, FOLDER + "_x", _xml(), SPEECH.replace("Dank", "Kritik"))
    with pytest.raises(DataError, match="differs from"):
        list(speech_docs(tmp_path, sources + other))


@pytest.mark.parametrize(
    ("xml", "where"),
    [
        (_xml().replace('<p klasse="J">Eine Zwischenfrage.</p>', "<p>"), ":16: malformed XML"),
        (_xml(speech_id="ID999"), "field 'rede@id'"),
        (_xml(name=f"{NAME}<fraktion>Piraten</fraktion>"), "field 'fraktion'"),
        (_xml(name=NAME), "field 'redner/name': expected a <fraktion> or a <rolle>"),
        (_xml(speaker_id=""), "field 'redner@id'"),
        (_xml(label="Dr. Erika Muster (SPD)"), "field 'p[@klasse='redner']'"),
        (_xml().replace('klasse="redner"', 'klasse="J"', 1), "field 'rede/p'"),
    ],
)
def test_a_malformed_speech_names_the_file_and_the_field(tmp_path, xml, where):
    sources = _write(tmp_path, FOLDER, _xml())
    # The file is named after the speech id of a well-formed speech, then overwritten.
    (tmp_path / sources[0].path).write_text(xml, encoding="utf-8")
    with pytest.raises(DataError) as err:
        list(speech_docs(tmp_path, sources))
    assert f"{tmp_path / sources[0].path}" in str(err.value) and where in str(err.value)


def test_a_speech_without_its_txt_is_an_error(tmp_path):
    with pytest.raises(DataError, match=r"no .*\.txt beside this file"):
        list(speech_docs(tmp_path, _write(tmp_path, FOLDER, _xml(), txt=None)))
