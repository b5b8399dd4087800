"""The speaker's own stance: who speaks (a label line, the title of an interview or a
statement), which turns are theirs (answers, not questions), and their first person joined
to their unit. Every text is written for these tests."""

from armstance.actors.extractor import ActorExtractor
from armstance.actors.speaker import find_speakers, first_person
from armstance.schema import Document, GoldActor, GoldDocument
from armstance.units import UnitBuilder

INTERVIEW_FR = """Entretien de M. Paul Verrier, ministre des Armées, avec « La Gazette »

Q - Monsieur le Ministre, la France livrera-t-elle des canons à l'Ukraine ?

R - Nous continuerons à livrer des armes à l'Ukraine. Je l'ai dit à mes homologues.

Q - Nous avons entendu des critiques. Que répondez-vous ?

R - Notre soutien militaire ne faiblira pas.
"""
STATEMENT_EN = """Remarks by Foreign Secretary Jane Holloway on support for Ukraine

We will keep providing air defence systems to Ukraine for as long as it takes. I have \
asked our partners to do the same.
"""
SPEECH_DE = """Karl Beispiel (Die Beispielpartei):

Wir lehnen weitere Waffenlieferungen ab. Ich sage Ihnen: Das ist der falsche Weg.
"""
TRANSCRIPT_EN = """Summit news conference
Jane Holloway:
We are sending more artillery.
Question:
Will you send tanks as well?
Jane Holloway:
I will not rule it out.
"""


def spans_text(text, spans):
    return [text[s:e] for s, e in spans]


def test_the_answers_of_an_interview_belong_to_the_interviewee_of_the_title():
    (speaker,) = find_speakers(INTERVIEW_FR)
    assert INTERVIEW_FR[slice(*speaker.name)] == "Paul Verrier"
    singular, plural = first_person(INTERVIEW_FR, "fr", speaker.turns)
    assert spans_text(INTERVIEW_FR, singular) == ["Je"]
    # The journalist's "Nous avons entendu" is a question, no one's stance (§9.5).
    assert spans_text(INTERVIEW_FR, plural) == ["Nous", "Notre"]


def test_a_statement_is_its_speakers_from_the_title_on():
    (speaker,) = find_speakers(STATEMENT_EN)
    assert STATEMENT_EN[slice(*speaker.name)] == "Jane Holloway"
    singular, plural = first_person(STATEMENT_EN, "en", speaker.turns)
    assert spans_text(STATEMENT_EN, singular) == ["I"]
    assert spans_text(STATEMENT_EN, plural) == ["We", "our"]


def test_label_lines_open_turns_and_a_question_label_closes_them():
    (speech,) = find_speakers(SPEECH_DE)
    assert SPEECH_DE[slice(*speech.name)] == "Karl Beispiel"
    assert spans_text(SPEECH_DE, first_person(SPEECH_DE, "de", speech.turns)[0]) == ["Ich"]
    speakers = find_speakers(TRANSCRIPT_EN)
    assert [TRANSCRIPT_EN[slice(*s.name)] for s in speakers] == ["Jane Holloway"] * 2
    said = [TRANSCRIPT_EN[s:e] for sp in speakers for s, e in sp.turns]
    assert not any("Will you send" in turn for turn in said)


def test_no_speaker_in_news():
    assert find_speakers("Berlin will send more tanks to Ukraine, the government said.") == []


def _gold(text: str, lang: str, name: str, alias: str) -> GoldDocument:
    start = text.index(alias)
    actor = GoldActor(actor=name, type="person", aliases=[alias], stance="favor",
                      sentiment="neutral", alias_spans=[(start, start + len(alias))])  # fmt: skip
    return GoldDocument(doc_id="d1", lang=lang, text=text, split="train", actors=[actor])


def test_the_speakers_unit_holds_their_first_person_in_training_and_prediction():
    gold = _gold(INTERVIEW_FR, "fr", "Paul Verrier", "Paul Verrier")
    (plain,) = UnitBuilder().from_gold(gold)
    (own,) = UnitBuilder(speaker=True).from_gold(gold)
    assert not any("livrer des armes" in s for s in plain.marked_sentences)
    assert any("[[Nous]] continuerons à livrer des armes" in s for s in own.marked_sentences)
    assert not any("Que répondez-vous" in s for s in own.marked_sentences)
    # Extracted actors get the same: prediction sees what training saw.
    doc = Document(doc_id="d1", lang="fr", text=INTERVIEW_FR)
    actors = ActorExtractor().extract(doc)
    units = {u.actor: u for u in UnitBuilder(speaker=True).from_extracted(doc, "fr", actors)}
    assert units["Paul Verrier"].marked_sentences == own.marked_sentences
    assert not any("[[Nous]]" in s for s in units["France"].marked_sentences)
