"""Language identification on invented sentences: fr/en/de are judged, any other language
is named in the error."""

import re

import pytest

from armstance.errors import UnsupportedLanguageError
from armstance.text.language import CANDIDATES, detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Le gouvernement va livrer de nouveaux chars à l'Ukraine la semaine prochaine.", "fr"),
        ("The government will deliver new tanks to Ukraine next week.", "en"),
        ("Die Regierung wird der Ukraine nächste Woche neue Panzer liefern.", "de"),
        ("Berlin liefert Panzer.", "de"),
    ],
)
def test_judged_languages_are_recognised(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("北京周一表示反对向乌克兰提供更多武器。", "Chinese (zh)"),
        ("El gobierno enviará nuevos tanques a Ucrania la próxima semana.", "Spanish (es)"),
        ("Правительство на следующей неделе отправит Украине новые танки.", "Russian (ru)"),
        ("Rząd wyśle Ukrainie nowe czołgi w przyszłym tygodniu.", "Polish (pl)"),
    ],
)
def test_other_languages_are_named(text, name):
    with pytest.raises(
        UnsupportedLanguageError, match=re.escape(f"is {name}; armstance judges fr, en, de")
    ):
        detect_language(text)


def test_text_without_language_is_a_clear_error():
    with pytest.raises(UnsupportedLanguageError, match="could not be identified"):
        detect_language("12 345 / 678 !!!")


def test_only_the_start_of_a_long_text_is_read():
    german = "Die Regierung wird der Ukraine nächste Woche neue Panzer liefern. " * 40
    english = "The government will deliver new tanks to Ukraine next week. " * 200
    assert detect_language(german + english) == "de"


def test_every_candidate_is_a_lingua_language():
    from lingua import IsoCode639_1

    assert len(set(CANDIDATES)) == len(CANDIDATES)
    for code in CANDIDATES:
        IsoCode639_1.from_str(code)
