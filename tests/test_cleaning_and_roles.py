"""The clean view the extractor reads (no turn markers, no footnote digits, offsets kept)
and role-only mentions resolved to the person the document names in the role, or dropped.
Every text is written for these tests."""

import pytest

from armstance.actors.extractor import ActorExtractor
from armstance.schema import Document
from armstance.text.cleaning import clean_view, turn_markers
from armstance.units import UnitBuilder

INTERVIEW = """Entretien de M. Paul Verrier, ministre des Armées, avec « La Gazette »
(Paris, 3 mai 2023)

Q - Monsieur le Ministre, la France livrera-t-elle des canons à l'Ukraine ?

R - Nous continuerons à livrer des armes à l'Ukraine2. Le président de la République l'a redit.

Question : Et la Russie ?

Réponse : La Russie menace, mais nous tiendrons.
"""


@pytest.mark.parametrize(
    ("text", "view"),
    [
        ("Q - Bonjour.", "    Bonjour."),
        ("R – Oui.", "    Oui."),
        ("Question : Et alors ?", "           Et alors ?"),
        ("Réponse : Non.", "          Non."),
        ("Q: Why?\nA: Because.", "   Why?\n   Because."),
        ("Frage: Warum?\nAntwort: Darum.", "       Warum?\n         Darum."),
        ("Q. What now?", "   What now?"),
        ("à Bruxelles2, puis", "à Bruxelles , puis"),
        ("l'a redit hier.3 Ensuite", "l'a redit hier.  Ensuite"),
        ("soutien à l'Ukraine12.", "soutien à l'Ukraine  ."),
    ],
)
def test_the_view_blanks_markers_and_footnotes(text, view):
    assert clean_view(text) == view


@pytest.mark.parametrize(
    "text",
    [
        "G7 and G20 leaders",
        "F-16 jets, M777 howitzers and T-72 tanks",
        "Leopard 2 tanks",
        "on 24 February 2022",
        "A. Merkel said",
        "the 3rd brigade",
        "Su-25 aircraft",
        "Qatar - a partner",
        "Rapporteur: yes",
    ],
)
def test_what_is_language_stays(text):
    assert clean_view(text) == text


def test_markers_only_open_lines():
    assert turn_markers("Il a dit Q - non.") == []
    assert turn_markers("x\n  Q - oui") == [(2, 8)]  # the indent goes with the marker


def test_the_extractor_reads_the_view_and_its_offsets_are_the_texts():
    doc = Document(doc_id="i1", lang="fr", text=INTERVIEW)
    actors = {a.actor: a for a in ActorExtractor().extract(doc)}
    assert not any("Monsieur" in name or name.startswith("Q") for name in actors)
    ukraine = actors["Ukraine"]
    assert len(ukraine.mentions) == 2  # "l'Ukraine2" is found once its footnote is gone
    for actor in actors.values():
        for m in actor.mentions:
            assert INTERVIEW[m.start : m.end] == m.surface


def test_units_read_the_view_too():
    doc = Document(doc_id="i1", lang="fr", text=INTERVIEW)
    actors = ActorExtractor().extract(doc)
    for unit in UnitBuilder().from_extracted(doc, "fr", actors):
        assert not any(s.lstrip().startswith(("Q -", "R -")) for s in unit.marked_sentences)


def test_a_role_is_resolved_to_the_person_the_text_names_in_it():
    text = (
        "Le président Émile Garnier, président de la République, a parlé hier. "
        "Le Président de la République veut livrer des chars à l'Ukraine."
    )
    actors = {
        a.actor: a for a in ActorExtractor().extract(Document(doc_id="r", lang="fr", text=text))
    }
    assert "Président de la République" not in actors
    garnier = actors["Émile Garnier"]
    assert garnier.aliases == ["Émile Garnier"]  # a role is no alias
    roles = [m for m in garnier.mentions if m.role]
    assert roles and all("République" in m.surface for m in roles)


def test_a_role_nobody_holds_in_the_text_is_dropped():
    text = "Le Président de la République veut livrer des chars à l'Ukraine."
    names = {a.actor for a in ActorExtractor().extract(Document(doc_id="r", lang="fr", text=text))}
    assert names == {"Ukraine"}
