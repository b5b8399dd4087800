"""Bundestag plenary speeches (the sources folder bundestag/): one document per speech.

Upstream holds each speech as two files, `data/<session>/<agenda item>/<folder>/<folder>-ID<n>`
`.xml` (the `<rede>`: speaker, paragraphs, interjections) and `.txt` (the speech's paragraphs).
A document's text is the speaker label of the XML, a blank line, then the .txt unchanged:
the label gives the speaker a mention to anchor the alias on (GUIDELINES §9.1).
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict

from armstance.corpus.sources import Source
from armstance.errors import DataError
from armstance.schema import Lang
from armstance.text.whitespace import collapse

# Parliamentary groups of the 20th term as the protocols spell them. A spelling differing only
# in case is the same group: from session 154 on the protocols write "Die Linke".
PARTIES = ("SPD", "CDU/CSU", "BÜNDNIS 90/DIE GRÜNEN", "FDP", "AfD", "DIE LINKE", "BSW")
NON_ATTACHED = "fraktionslos"
_GROUPS = {name.casefold(): name for name in (*PARTIES, NON_ATTACHED)}
SPEECH_FILE = re.compile(r"-(?P<id>ID\d+)\.(?P<ext>xml|txt)$")

log = logging.getLogger(__name__)


class Speech(BaseModel):
    """One line of data/raw/bundestag.jsonl."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc_id: str
    lang: Lang = "de"
    text: str
    speaker: str  # title, first and last name from <name>
    speaker_id: str  # <redner id>: the same person across sessions and parties
    party: str | None  # <fraktion> (one of PARTIES, or "fraktionslos"); None for office holders
    role: str | None  # <rolle_lang> of government members and the armed forces commissioner
    session: int  # from the upstream folder data/<session>/
    agenda_item: str  # upstream folder name, e.g. Tagesordnungspunkt_2
    fold_group: str  # speeches of one speaker share a CV fold (corpus.folds)
    xml_path: str
    txt_path: str
    source: str


def speech_docs(root: Path, sources: Sequence[Source]) -> Iterator[dict]:
    """One document per speech id, in catalogue (path) order; each .xml needs its .txt.

    Upstream holds a few speeches twice, under two spellings of the speaker's folder: the
    same words, once with every paragraph on one line and once wrapped. The rendering with
    fewer lines is kept (then the first by path); copies that differ in more than whitespace
    are an error, as their doc_ids would collide.
    """
    paths = {s.path for s in sources}
    speeches: dict[str, list[Speech]] = {}
    for source in sources:
        _speech_id(root, source.path)
        stem, ext = source.path.rsplit(".", 1)
        other = f"{stem}.{'txt' if ext == 'xml' else 'xml'}"
        if other not in paths:
            raise DataError(root / source.path, None, None, f"no {other} beside this file")
        if ext == "xml":
            speech = read_speech(root, source.path)
            speeches.setdefault(speech.doc_id, []).append(speech)
    for copies in speeches.values():
        kept = min(copies, key=lambda s: (s.text.count("\n"), s.xml_path))
        for copy in copies:
            if collapse(copy.text) != collapse(kept.text):
                problem = f"speech {copy.doc_id} differs from {kept.xml_path} in more than spaces"
                raise DataError(root / copy.xml_path, None, "rede@id", problem)
            if copy is not kept:
                log.info("skipped %s: the speech of %s, wrapped", copy.xml_path, kept.xml_path)
        yield kept.model_dump()


def read_speech(root: Path, xml_path: str) -> Speech:
    """The speech of `root/xml_path` and the .txt beside it (paths relative to `root`)."""
    path, txt_path = root / xml_path, xml_path.removesuffix(".xml") + ".txt"
    rede = _parse(path)
    speech_id, expected = rede.get("id", ""), _speech_id(root, xml_path)
    if speech_id != expected:
        raise DataError(
            path, None, "rede@id", f"expected {expected!r} (file name), got {speech_id!r}"
        )
    first = rede.find("p")
    if first is None or first.get("klasse") != "redner":
        raise DataError(
            path, None, "rede/p", 'expected the speech to open with <p klasse="redner">'
        )
    redner = first.find("redner")
    name = redner.find("name") if redner is not None else None
    if redner is None or name is None:
        raise DataError(path, None, "p/redner/name", "missing")
    speaker_id = redner.get("id", "")
    if not speaker_id.isdigit():
        raise DataError(path, None, "redner@id", f"expected digits, got {speaker_id!r}")
    # The paragraph's own text, without the <redner> metadata nested in it: the label the
    # printed protocol shows, e.g. "Name (Party):" or "Name, Bundeskanzler:".
    label = collapse((first.text or "") + "".join(child.tail or "" for child in first))
    if len(label) < 2 or not label.endswith(":"):
        raise DataError(path, None, "p[@klasse='redner']", f"expected 'Name …:', got {label!r}")
    party, role = _party(path, name), _text(name, "rolle/rolle_lang")
    if party is None and role is None:
        raise DataError(path, None, "redner/name", "expected a <fraktion> or a <rolle>")
    try:
        speech = (root / txt_path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(root / txt_path, None, None, f"not UTF-8 ({exc.reason})") from exc
    session = _session(path, xml_path)
    upstream = PurePosixPath(xml_path).relative_to(PurePosixPath(xml_path).parts[0])
    return Speech(
        doc_id=f"bundestag-{speech_id}",
        text=f"{label}\n\n{speech}",
        speaker=" ".join(
            part
            for field in ("titel", "vorname", "namenszusatz", "nachname")
            if (part := _text(name, field))
        ),
        speaker_id=speaker_id,
        party=party,
        role=role,
        session=session,
        agenda_item=PurePosixPath(xml_path).parts[-3],
        fold_group=f"bundestag-speaker-{speaker_id}",
        xml_path=xml_path,
        txt_path=txt_path,
        source=f"Deutscher Bundestag, 20th term, session {session} "
        f"(mathias-goebel/plenarsitzungsprotokolle, {upstream.with_suffix('')})",
    )


def _speech_id(root: Path, rel: str) -> str:
    match = SPEECH_FILE.search(rel)
    if match is None:
        raise DataError(root / rel, None, None, "expected a speech file …-ID<n>.xml or .txt")
    return match["id"]


def _parse(path: Path) -> ET.Element:
    try:
        rede = ET.parse(path).getroot()
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise DataError(path, line, None, f"malformed XML ({exc})") from exc
    if rede.tag != "rede":
        raise DataError(path, 1, None, f"expected a <rede> root element, got <{rede.tag}>")
    return rede


def _text(element: ET.Element, path: str) -> str | None:
    found = element.find(path)
    text = collapse("".join(found.itertext())) if found is not None else ""
    return text or None


def _party(path: Path, name: ET.Element) -> str | None:
    fraktion = _text(name, "fraktion")
    if fraktion is None:
        return None
    if fraktion.casefold() not in _GROUPS:
        known = ", ".join((*PARTIES, NON_ATTACHED))
        raise DataError(path, None, "fraktion", f"unknown group {fraktion!r}; expected {known}")
    return _GROUPS[fraktion.casefold()]


def _session(path: Path, xml_path: str) -> int:
    # bundestag/data/<session>/<agenda item>/<folder>/<file>
    parts = PurePosixPath(xml_path).parts
    if len(parts) != 6 or parts[1] != "data" or not parts[2].isdigit():
        raise DataError(
            path, None, None, "expected bundestag/data/<session>/<item>/<folder>/<file>"
        )
    return int(parts[2])
