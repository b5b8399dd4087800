from armstance.text.sentences import split_sentences


def sentences(text: str, lang: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, lang)]


def test_german_abbreviations_and_ordinals_do_not_split():
    text = "Kanzler Olaf Scholz sagte am 24. Februar z.B. nichts. Die Union widersprach."
    assert sentences(text, "de") == [
        "Kanzler Olaf Scholz sagte am 24. Februar z.B. nichts.",
        "Die Union widersprach.",
    ]


def test_french_guillemets_close_the_sentence():
    text = "M. Macron a parlé. Le Kremlin a averti « Nous répondrons. » Puis l'OTAN a réagi."
    assert sentences(text, "fr") == [
        "M. Macron a parlé.",
        "Le Kremlin a averti « Nous répondrons. »",
        "Puis l'OTAN a réagi.",
    ]


def test_english_titles_initials_and_quotes():
    text = 'Mr. Biden said "We will send tanks." U.S. officials agreed. J. Smith did not.'
    assert sentences(text, "en") == [
        'Mr. Biden said "We will send tanks."',
        "U.S. officials agreed.",
        "J. Smith did not.",
    ]


def test_line_breaks_end_sentences_and_spans_index_the_text():
    text = "  Erste Zeile ohne Punkt\n\nZweite Zeile! Dritter Satz?  "
    spans = split_sentences(text, "de")
    assert [text[s:e] for s, e in spans] == [
        "Erste Zeile ohne Punkt",
        "Zweite Zeile!",
        "Dritter Satz?",
    ]
    assert spans[0] == (2, 24)


def test_empty_text_has_no_sentences():
    assert split_sentences("   \n ", "en") == []
