"""Offline language identification restricted to the languages the project supports."""

from __future__ import annotations

from functools import cache

from armstance.schema import LANGS


class UnsupportedLanguageError(ValueError):
    pass


@cache
def _identifier():
    # langid ships its model inside the package: nothing is downloaded.
    from langid.langid import LanguageIdentifier, model

    identifier = LanguageIdentifier.from_modelstring(model, norm_probs=True)
    identifier.set_languages([*LANGS, "es", "it", "nl", "pl", "ru", "uk", "pt"])
    return identifier


def detect_language(text: str) -> str:
    """Return 'fr', 'en' or 'de'; any other language is an UnsupportedLanguageError."""
    lang, _ = _identifier().classify(text[:5000])
    if lang not in LANGS:
        raise UnsupportedLanguageError(
            f"detected language '{lang}', but only {', '.join(LANGS)} are supported"
        )
    return lang
