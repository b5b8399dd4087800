"""Offline language identification: fr, en or de, and the name of any other language.

lingua ships its n-gram models inside the wheel, so nothing is downloaded. It tells apart
only the languages listed in CANDIDATES: the three the project judges and those most
likely to reach a news pipeline by mistake, so that a rejected document names its real
language. Every further language costs detection time on every document.
"""

from __future__ import annotations

from functools import cache

from armstance.errors import UnsupportedLanguageError
from armstance.schema import LANGS

CANDIDATES: tuple[str, ...] = (
    *LANGS,
    # European Union and its neighbours
    *("es", "it", "pt", "nl", "pl", "cs", "sk", "sl", "hr", "sr", "bg", "ro", "hu", "el"),
    *("sv", "da", "nb", "fi", "et", "lv", "lt", "ru", "uk", "tr"),
    # news languages of other regions, each with a script of its own
    *("ar", "fa", "he", "hi", "zh", "ja", "ko"),
)
SAMPLE_CHARS = 1000
"""Only the start of a text is read: it says which language an article is in, and time
grows with the length read."""
SUPPORTED = ", ".join(LANGS)


@cache
def _detector():
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [IsoCode639_1.from_str(code) for code in CANDIDATES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def detect_language(text: str) -> str:
    """Return 'fr', 'en' or 'de'; any other language is an UnsupportedLanguageError that
    names it."""
    language = _detector().detect_language_of(text[:SAMPLE_CHARS])
    if language is None:
        raise UnsupportedLanguageError(
            f"the language of the text could not be identified; armstance judges {SUPPORTED}"
        )
    code = language.iso_code_639_1.name.lower()
    if code not in LANGS:
        raise UnsupportedLanguageError(
            f"the text is {language.name.title()} ({code}); armstance judges {SUPPORTED}"
        )
    return code
