"""Rebuild data/raw/<corpus>.jsonl from the verified source files, one file per corpus.

The rules (weapons patterns, thresholds, doc_id formats; for the speeches, briefings and
press releases in corpus.bundestag, corpus.whitehouse, corpus.releases and corpus.congress)
are the corpus's definition: the doc_ids they
produce are what the committed labels refer to, so they must never drift.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from armstance import paths
from armstance.corpus.bundestag import speech_docs
from armstance.corpus.congress import congress_docs
from armstance.corpus.fetch import default_sources_dir, fetch_sources
from armstance.corpus.releases import KREMLIN, UKPRESIDENT, release_docs
from armstance.corpus.sources import Source, load_catalog
from armstance.corpus.whitehouse import passage_docs
from armstance.jsonl import write_jsonl

WEAPONS_DE = re.compile(
    r"Waffe|Panzer|Leopard|Marder|Gepard|Patriot|Haubitze|Munition|Rüstung|Militärhilfe"
    r"|Raketenwerfer|HIMARS|Iris-T|IRIS-T|Kampfjet|F-16|Flugabwehr|Drohnen|schwere[rn]? Waffen"
    r"|Artillerie",
    re.IGNORECASE,
)
WEAPONS_EN = re.compile(
    r"\bweapon|\barms\b|\btanks?\b|ammunition|artillery|howitzer|missile|military aid|HIMARS"
    r"|Javelin|Stinger|F-16|fighter jets|drones|Patriot|rocket launcher|anti-aircraft"
    r"|air defen[cs]e|military assistance|lethal aid",
    re.IGNORECASE,
)

# A builder reads the sources folder and the catalogued files of its corpus's collection.
Builder = Callable[[Path, Sequence[Source]], Iterator[dict]]
FileBuilder = Callable[[Path], Iterator[dict]]


def tagesschau_docs(path: Path) -> Iterator[dict]:
    """One document per live-blog line that mentions weapons; ids count every line."""
    # Decoded from bytes: read_text would translate newlines before the split the ids count.
    content = path.read_bytes().decode("utf-8")
    for i, line in enumerate(content.split("\n")):
        text = line.strip()
        if WEAPONS_DE.search(text):
            yield {
                "doc_id": f"tagesschau-{i:04d}",
                "lang": "de",
                "title": text.split(": ", 1)[0],
                "text": text,
                "source": "tagesschau liveblog (pstuerner/ukraine-liveblog-data, "
                f"ukraine_val.txt line {i + 1})",
            }


def kaggle_docs(prefix: str, outlet: str, min_hits: int) -> FileBuilder:
    """Rows of a Kaggle CSV (published, headlines, articles) with enough weapons hits."""

    def build(path: Path) -> Iterator[dict]:
        with open(path, encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                if len(WEAPONS_EN.findall(row["articles"])) >= min_hits:
                    yield {
                        "doc_id": f"{prefix}-{i:03d}",
                        "lang": "en",
                        "title": row["headlines"],
                        "text": row["articles"],
                        "source": f"{outlet} via Kaggle russia-ukraine-conflict (row {i})",
                        "published": row["published"],
                    }

    return build


def one_file(build: FileBuilder) -> Builder:
    """A builder for a corpus rebuilt from one catalogued file."""

    def from_catalog(root: Path, sources: Sequence[Source]) -> Iterator[dict]:
        [source] = sources
        return build(root / source.path)

    return from_catalog


@dataclass(frozen=True)
class Corpus:
    # The raw file's stem and the prefix of its doc_ids.
    name: str
    build: Builder
    # Its documents carry a `fold_group` (a speaker, a week) that CV folds keep together.
    grouped: bool = False
    # Its collection in sources.yaml (a source's name, or a folder of many sources) where
    # that is not its name: one folder can hold several corpora (kremlin_ua).
    source_collection: str | None = None

    @property
    def collection(self) -> str:
        return self.source_collection or self.name


CORPORA: tuple[Corpus, ...] = (
    Corpus("tagesschau", one_file(tagesschau_docs)),
    Corpus("guardian", one_file(kaggle_docs("guardian", "The Guardian", min_hits=3))),
    Corpus("nyt", one_file(kaggle_docs("nyt", "The New York Times", min_hits=1))),
    Corpus("bundestag", speech_docs, grouped=True),
    Corpus("whitehouse", passage_docs, grouped=True),
    Corpus("kremlin", release_docs(KREMLIN), grouped=True, source_collection="kremlin_ua"),
    Corpus("ukpresident", release_docs(UKPRESIDENT), grouped=True, source_collection="kremlin_ua"),
    Corpus("congress", congress_docs, grouped=True),
)
CORPUS_NAMES: tuple[str, ...] = tuple(c.name for c in CORPORA)
# The collections of sources.yaml the corpora are rebuilt from, each once.
CORPUS_COLLECTIONS: tuple[str, ...] = tuple(dict.fromkeys(c.collection for c in CORPORA))
GROUPED_CORPORA: tuple[str, ...] = tuple(c.name for c in CORPORA if c.grouped)


def raw_files(raw_dir: Path | None = None) -> list[Path]:
    raw_dir = Path(raw_dir) if raw_dir is not None else paths.raw_dir()
    return [raw_dir / f"{name}.jsonl" for name in CORPUS_NAMES]


def rebuild_raw(
    sources_dir: Path, raw_dir: Path | None = None, sources_file: Path | None = None
) -> dict[str, int]:
    """Write one raw JSONL file per corpus; returns the number of documents in each."""
    catalog = load_catalog(sources_file)
    counts = {}
    for corpus, target in zip(CORPORA, raw_files(raw_dir), strict=True):
        docs = list(corpus.build(Path(sources_dir), catalog.collection(corpus.collection)))
        write_jsonl(target, docs)
        counts[corpus.name] = len(docs)
    return counts


def ensure_corpus(
    raw_dir: Path | None = None, mirror: Path | None = None, sources_dir: Path | None = None
) -> Path:
    """Fetch the corpus sources and rebuild the raw documents unless they are all present."""
    targets = raw_files(raw_dir)
    if not all(t.is_file() for t in targets):
        sources_dir = Path(sources_dir) if sources_dir is not None else default_sources_dir()
        fetch_sources(sources_dir, mirror=mirror, collections=CORPUS_COLLECTIONS)
        rebuild_raw(sources_dir, raw_dir)
    return targets[0].parent
