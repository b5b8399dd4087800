"""ActorExtractor end to end on short texts written for the tests."""

from __future__ import annotations

import pickle

import pytest

from armstance.actors.extractor import ActorExtractor
from armstance.actors.heuristics import Candidate
from armstance.actors.merge import merge
from armstance.schema import Document, ExtractedActor


@pytest.fixture(scope="module")
def extractor() -> ActorExtractor:
    return ActorExtractor()


def run(extractor: ActorExtractor, text: str, lang: str) -> dict[str, ExtractedActor]:
    actors = extractor.extract(Document(doc_id="t", lang=lang, text=text))
    for actor in actors:
        assert all(text[m.start : m.end] == m.surface for m in actor.mentions)
    return {a.actor: a for a in actors}


def test_metonyms_and_demonyms_in_three_languages(extractor):
    fr = run(
        extractor, "Le Kremlin a averti l’Allemagne, selon les responsables sud-coréens.", "fr"
    )
    assert list(fr) == ["Russia", "Germany", "South Korea"]
    de = run(extractor, "Berlin liefert Panzer, die ukrainische Regierung dankt.", "de")
    assert list(de) == ["Germany", "Ukraine"]
    en = run(extractor, "The Pentagon said Russian officials were warned.", "en")
    assert en["United States"].aliases == ["The Pentagon"]
    assert en["Russia"].type == "state"


def test_capital_after_a_locative_preposition_is_a_place(extractor):
    assert run(extractor, "Un forum à Séoul a réuni des experts.", "fr") == {}
    assert "South Korea" in run(extractor, "Séoul a refusé d'envoyer des armes.", "fr")
    assert run(extractor, "Die Konferenz fand in Berlin statt.", "de") == {}


def test_surname_joins_the_full_name(extractor):
    text = "Jens Stoltenberg arrived in Tokyo. Stoltenberg said allies need weapons."
    actors = run(extractor, text, "en")
    assert actors["Jens Stoltenberg"].aliases == ["Jens Stoltenberg", "Stoltenberg"]
    assert "Japan" not in actors


def test_english_person_after_a_title_and_before_a_speech_verb(extractor):
    text = (
        "Foreign Minister Tarja Lindqvist said on Monday that Finland would help. "
        "Lindqvist told Reuters the decision was final."
    )
    actors = run(extractor, text, "en")
    assert list(actors) == ["Tarja Lindqvist", "Finland"]
    assert actors["Tarja Lindqvist"].type == "person"
    assert actors["Tarja Lindqvist"].aliases == ["Tarja Lindqvist", "Lindqvist"]


def test_german_person_after_a_title_and_after_a_speech_verb(extractor):
    text = "Außenminister Jeppe Kofod sagte, Dänemark helfe. Das sei wichtig, sagte Kofod."
    actors = run(extractor, text, "de")
    assert actors["Jeppe Kofod"].aliases == ["Jeppe Kofod", "Kofod"]
    assert "Dänemark" in actors["Denmark"].aliases


def test_german_nouns_after_a_title_are_no_names(extractor):
    assert run(extractor, "Der Präsident Waffenlieferungen lehnte er ab.", "de") == {}


def test_french_person_from_spacy(extractor):
    text = (
        "Le ministre Jean Dupontel a déclaré mardi que la France enverrait des obus. "
        "Dupontel a rencontré ses homologues."
    )
    actors = run(extractor, text, "fr")
    assert actors["Jean Dupontel"].type == "person"
    assert actors["Jean Dupontel"].aliases == ["Jean Dupontel", "Dupontel"]


def test_role_phrase_names_the_person_not_the_organisation(extractor):
    fr = "Le secrétaire général de l'OTAN, Jens Stoltenberg, a appelé à livrer des armes."
    assert list(run(extractor, fr, "fr")) == ["Jens Stoltenberg"]
    en = "NATO Secretary General Jens Stoltenberg said more tanks were needed. NATO agreed."
    actors = run(extractor, en, "en")
    assert list(actors) == ["NATO", "Jens Stoltenberg"]
    assert actors["Jens Stoltenberg"].aliases == ["Jens Stoltenberg"]


def test_news_agencies_are_not_actors(extractor):
    text = "Reuters reported that Kyiv asked for tanks."
    candidates = [Candidate(0, 7, "Reuters", "organization", True)]
    hits = extractor.gazetteer.match(text, "en")
    actors = merge(text, "en", hits, candidates, extractor.gazetteer)
    assert [a.actor for a in actors] == ["Ukraine"]
    fr = run(extractor, "Kiev a demandé des chars, a rapporté l'agence Associated Press.", "fr")
    assert list(fr) == ["Ukraine"]


def test_order_is_by_first_mention_and_deterministic(extractor):
    text = "Poland and Germany talked. Germany and Poland agreed. Boris Pistorius said so."
    first = run(extractor, text, "en")
    assert list(first) == ["Poland", "Germany", "Boris Pistorius"]
    assert run(extractor, text, "en") == first


def test_config_round_trip_and_pickle(extractor):
    config = extractor.to_config()
    assert config["gazetteer_path"] is None
    clone = ActorExtractor.from_config(config)
    assert clone.to_config() == config
    doc = Document(doc_id="t", lang="de", text="Olaf Scholz sagte, Deutschland liefere.")
    assert clone.extract(doc) == extractor.extract(doc)
    assert pickle.loads(pickle.dumps(extractor)).extract(doc) == extractor.extract(doc)
    options = ActorExtractor(use_spacy_fr=False, heuristics=False).to_config()
    assert ActorExtractor.from_config(options).to_config() == options


def test_language_must_be_set(extractor):
    with pytest.raises(ValueError, match="lang must be set"):
        extractor.extract(Document(doc_id="t", text="Berlin liefert."))
