from armstance.schema import Document, ExtractedActor, Mention
from armstance.text.sentences import split_sentences
from armstance.units import UnitBuilder, mark, merge_spans

TEXT = "Olaf Scholz zögert. Das Wetter war schön. Berlin liefert keine Panzer, sagte Scholz."


def test_merge_spans_unites_overlaps():
    assert merge_spans([(6, 11), (0, 11), (20, 25)]) == [(0, 11), (20, 25)]


def test_mark_wraps_mentions_inside_the_window_only():
    assert mark("abc def ghi", 4, 11, [(0, 3), (4, 7)]) == "[[def]] ghi"


def test_unit_keeps_only_mentioning_sentences_with_marks():
    start = TEXT.rindex("Scholz")
    unit = UnitBuilder().build(
        doc_id="d1",
        lang="de",
        text=TEXT,
        actor="Olaf Scholz",
        actor_type="person",
        mentions=[(0, 11), (6, 11), (start, start + 6)],
        sentence_spans=split_sentences(TEXT, "de"),
        stance="against",
        sentiment="neutral",
    )
    assert unit.marked_sentences == [
        "[[Olaf Scholz]] zögert.",
        "Berlin liefert keine Panzer, sagte [[Scholz]].",
    ]
    assert [TEXT[s:e] for s, e in unit.sentence_spans] == [
        "Olaf Scholz zögert.",
        "Berlin liefert keine Panzer, sagte Scholz.",
    ]
    assert unit.text == " ".join(unit.marked_sentences)
    per_sentence = UnitBuilder().sentence_units(unit)
    assert [u.marked_sentences for u in per_sentence] == [[m] for m in unit.marked_sentences]
    assert per_sentence[1].stance == "against"


def test_max_sentences_caps_the_context():
    text = " ".join(f"Satz {i} nennt Berlin." for i in range(5))
    mentions = [(i, i + 6) for i in range(len(text)) if text.startswith("Berlin", i)]
    unit = UnitBuilder(max_sentences=2).build(
        doc_id="d",
        lang="de",
        text=text,
        actor="Germany",
        actor_type="state",
        mentions=mentions,
        sentence_spans=split_sentences(text, "de"),
    )
    assert len(unit.marked_sentences) == 2


def test_following_sentences_join_each_mentioning_sentence_once():
    text = (
        "Der Kanzler traf Wladimir Putin. Er warnte vor Lieferungen. Es regnete. "
        "Putin schwieg. Niemand fragte."
    )
    mentions = [(i, i + 5) for i in range(len(text)) if text.startswith("Putin", i)]
    build = {
        "doc_id": "d",
        "lang": "de",
        "text": text,
        "actor": "Vladimir Putin",
        "actor_type": "person",
        "mentions": mentions,
        "sentence_spans": split_sentences(text, "de"),
    }
    alone, followed = UnitBuilder().build(**build), UnitBuilder(following=1).build(**build)
    assert alone.marked_sentences == ["Der Kanzler traf Wladimir [[Putin]].", "[[Putin]] schwieg."]
    assert followed.marked_sentences == [
        "Der Kanzler traf Wladimir [[Putin]].",
        "Er warnte vor Lieferungen.",
        "[[Putin]] schwieg.",
        "Niemand fragte.",
    ]
    assert UnitBuilder(following=3).build(**build).marked_sentences == [
        "Der Kanzler traf Wladimir [[Putin]].",
        "Er warnte vor Lieferungen.",
        "Es regnete.",
        "[[Putin]] schwieg.",
        "Niemand fragte.",
    ]


def test_extracted_and_gold_paths_build_identical_units():
    doc = Document(doc_id="d1", lang="de", text=TEXT)
    berlin = TEXT.index("Berlin")
    actor = ExtractedActor(
        actor="Germany",
        type="state",
        mentions=[Mention(start=berlin, end=berlin + 6, surface="Berlin")],
    )
    (from_extracted,) = UnitBuilder().from_extracted(doc, "de", [actor])
    direct = UnitBuilder().build(
        doc_id="d1",
        lang="de",
        text=TEXT,
        actor="Germany",
        actor_type="state",
        mentions=[(berlin, berlin + 6)],
        sentence_spans=split_sentences(TEXT, "de"),
    )
    assert from_extracted == direct
