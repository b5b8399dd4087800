"""The curated gazetteer: loading, alias expansion and fast matching.

All aliases of one language are compiled into a single character-trie regex, so the engine
follows one branch per character instead of trying thousands of alternatives at each
position; greedy optional branches make the longest alias win. Matching runs on a
same-length normalised copy of the text (typographic apostrophes and non-breaking spaces
replaced), so match offsets index the original text unchanged. The file format is
described in the header of gazetteer.yaml.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from armstance.errors import DataError
from armstance.schema import ACTOR_TYPES, LANGS

# Same-length replacements only: offsets into the normalised text are offsets into the text.
_NORMALISE = str.maketrans(
    {"’": "'", "‘": "'", "ʼ": "'", "´": "'", "\u00a0": " ", "\u202f": " ", "\u2011": "-"}
)
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
_LEADING_ARTICLES = (
    "the ",
    "der ",
    "die ",
    "das ",
    "den ",
    "des ",
    "le ",
    "la ",
    "les ",
    "l'",
    "des ",
)
_LANG_KEYS = ("all", *LANGS)

# Phrases in which a demonym names the state acting (GUIDELINES §1 and §4: unnamed officials
# speak for their state). `{x}` is the English adjective, the German stem, or a French form.
_DEMONYM_TEMPLATES: dict[str, tuple[str, ...]] = {
    "en": (
        "{x} government",
        "{x} officials",
        "{x} forces",
        "{x} troops",
        "{x} army",
        "{x} military",
        "{x} armed forces",
        "{x} defence ministry",
        "{x} defense ministry",
        "{x} foreign ministry",
        "{x} authorities",
        "{x} leadership",
        "the {x} government",
        "{x} Defence Ministry",
        "{x} Foreign Ministry",
    ),
    "de": (
        "{x}e[n|r] Regierung",
        "{x}e[n] Streitkräfte[n]",
        "{x}e[n] Truppen",
        "{x}e[n|s] Armee",
        "{x}e[n|s] Militär[s]",
        "{x}e[n|s] Verteidigungsministerium[s]",
        "{x}e[n|s] Außenministerium[s]",
        "{x}e[n] Seite",
        "{x}e[n] Führung",
        "{x}e[n] Behörden",
        "{x}e[n] Soldaten",
        "{x}e[n|r] Präsidialamt[s|es]",
    ),
}
_FR_TEMPLATES = (
    "[le ]gouvernement {m}",
    "[les |des ]responsables {mpl}",
    "[les |des ]autorités {fpl}",
    "[l']armée {f}",
    "[les ]forces {fpl}",
    "[le ]ministère {m} de la Défense",
    "[le ]ministère {m} des Affaires étrangères",
    "[la ]diplomatie {f}",
    "[les |des ]militaires {mpl}",
    "[les |des ]dirigeants {mpl}",
)


def normalise(text: str) -> str:
    """Same-length normalisation applied to texts and aliases before matching."""
    return text.translate(_NORMALISE)


def expand(alias: str) -> list[str]:
    """All concrete forms of an alias written with `[a|b]` optional parts."""
    pieces = _OPTIONAL.split(alias)
    choices = [[piece] if i % 2 == 0 else ["", *piece.split("|")] for i, piece in enumerate(pieces)]
    return ["".join(combo) for combo in itertools.product(*choices)]


def _case_variants(form: str) -> list[str]:
    """A form plus its sentence-start capitalisation, or its lower-case article variant."""
    if not form or not form[0].isalpha():
        return [form]
    if form[0].islower():
        return [form, form[0].upper() + form[1:]]
    if form.lower().startswith(_LEADING_ARTICLES):
        return [form, form[0].lower() + form[1:]]
    return [form]


def _french_forms(spec: str | list[str]) -> dict[str, str]:
    if isinstance(spec, list):
        m, f, mpl, fpl = spec
    else:
        m = spec
        f = m if m.endswith("e") else m + ("ne" if m.endswith("en") else "e")
        mpl = m if m.endswith(("s", "x")) else m + "s"
        fpl = f + "s"
    return {"m": m, "f": f, "mpl": mpl, "fpl": fpl}


def demonym_phrases(lang: str, spec: str | list[str]) -> list[str]:
    if lang == "fr":
        forms = _french_forms(spec)
        return [t.format(**forms) for t in _FR_TEMPLATES]
    return [t.format(x=spec) for t in _DEMONYM_TEMPLATES[lang]]


@dataclass(frozen=True)
class Entry:
    """What a matched surface form stands for."""

    actor: str
    type: str
    metonym: bool


@dataclass(frozen=True)
class GazetteerHit:
    start: int
    end: int
    surface: str
    entry: Entry


def trie_regex(forms: list[str]) -> str:
    """A regex matching exactly `forms`, factored as a character trie, longest first."""
    trie: dict = {}
    for form in forms:
        node = trie
        for char in form:
            node = node.setdefault(char, {})
        node[""] = True

    def emit(node: dict) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


@dataclass
class Gazetteer:
    """Surface forms per language, each mapped to the actor it names."""

    path: Path
    forms: dict[str, dict[str, Entry]]
    types: dict[str, str]
    first_names: frozenset[str]
    not_actors: frozenset[str]
    demonyms: frozenset[str] = frozenset()
    _patterns: dict[str, re.Pattern] = field(default_factory=dict, repr=False)

    def pattern(self, lang: str) -> re.Pattern:
        if lang not in self._patterns:
            body = trie_regex(sorted(self.forms[lang]))
            self._patterns[lang] = re.compile(rf"(?<!\w)(?:{body})(?!\w)")
        return self._patterns[lang]

    def match(self, text: str, lang: str) -> list[GazetteerHit]:
        """Every leftmost-longest alias occurrence in `text`; spans index `text` itself."""
        table = self.forms[lang]
        return [
            GazetteerHit(m.start(), m.end(), text[m.start() : m.end()], table[m.group()])
            for m in self.pattern(lang).finditer(normalise(text))
        ]


def default_path() -> Path:
    return Path(str(resources.files("armstance.actors") / "gazetteer.yaml"))


def _string_list(value: object, path: Path, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise DataError(path, None, where, "expected a list of non-empty strings")
    return value


def _add(table: dict[str, Entry], form: str, entry: Entry, path: Path, where: str) -> None:
    previous = table.get(form)
    if previous is not None and previous.actor != entry.actor:
        raise DataError(path, None, where, f"'{form}' already names {previous.actor}")
    if previous is None or previous.metonym:
        table[form] = entry


def _forms_of(alias: str, lang: str, actor_type: str) -> list[str]:
    out = []
    for form in expand(normalise(alias)):
        out.extend(_case_variants(form))
    # German genitive of names and countries: "Russlands", "Putins".
    if lang == "de" and actor_type in ("state", "person"):
        out += [f + "s" for f in out if f[-1].islower() and f[-1] not in "sßxz"]
    return out


@cache
def load(path: Path | None = None) -> Gazetteer:
    """Load and validate a gazetteer file; errors name the file and the actor's field."""
    path = Path(path) if path is not None else default_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(path, None, None, f"malformed YAML ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("actors"), list):
        raise DataError(path, None, "actors", "expected a mapping with a list 'actors'")
    forms: dict[str, dict[str, Entry]] = {lang: {} for lang in LANGS}
    types: dict[str, str] = {}
    demonyms: set[str] = set()
    for i, spec in enumerate(data["actors"]):
        where = f"actors[{i}]"
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise DataError(path, None, f"{where}.name", "each actor needs a string 'name'")
        name, actor_type = spec["name"], spec.get("type")
        if actor_type not in ACTOR_TYPES:
            raise DataError(path, None, f"{where}.type", f"must be one of {ACTOR_TYPES}")
        if name in types:
            raise DataError(path, None, f"{where}.name", f"duplicate actor '{name}'")
        types[name] = actor_type
        for key, metonym in (("aliases", False), ("metonyms", True)):
            by_lang = spec.get(key) or {}
            if not isinstance(by_lang, dict) or set(by_lang) - set(_LANG_KEYS):
                raise DataError(path, None, f"{where}.{key}", f"keys must be among {_LANG_KEYS}")
            entry = Entry(name, actor_type, metonym)
            for lang_key, aliases in by_lang.items():
                langs = LANGS if lang_key == "all" else (lang_key,)
                for alias in _string_list(aliases, path, f"{where}.{key}.{lang_key}"):
                    for lang in langs:
                        for form in _forms_of(alias, lang, actor_type):
                            _add(forms[lang], form, entry, path, f"{where}.{key}.{lang_key}")
        for lang, demonym in (spec.get("demonym") or {}).items():
            if lang not in LANGS:
                raise DataError(path, None, f"{where}.demonym", f"unknown language '{lang}'")
            if lang == "en":
                demonyms.add(demonym)
            entry = Entry(name, actor_type, False)
            for phrase in demonym_phrases(lang, demonym):
                for form in _forms_of(phrase, lang, "phrase"):
                    _add(forms[lang], form, entry, path, f"{where}.demonym.{lang}")
    first = _string_list(data.get("first_names"), path, "first_names")
    not_actors = _string_list(data.get("not_actors"), path, "not_actors")
    return Gazetteer(
        path=path,
        forms=forms,
        types=types,
        first_names=frozenset(first),
        not_actors=frozenset(normalise(n) for n in not_actors),
        demonyms=frozenset(demonyms),
    )
