from dataclasses import dataclass

from armstance.evaluation.matcher import match_actors, mention_positions, normalise_name


@dataclass
class A:
    actor: str
    aliases: list[str]


def test_normalise_name_folds_width_case_and_apostrophe():
    assert normalise_name("ＮＡＴＯ") == "nato"  # fullwidth letters, folded by NFKC
    assert normalise_name("Côte d’Ivoire") == normalise_name("CÔTE D'IVOIRE") == "côte d'ivoire"
    assert normalise_name("Straße") == normalise_name("STRASSE")
    # NFKC composes a combining accent so both spellings agree
    assert normalise_name("Cote\u0301") == normalise_name("Coté")


def test_mention_positions_cover_every_occurrence_of_every_alias():
    text = "Vogel spoke. Anna Vogel left."
    #       0    5      13   18
    assert mention_positions(["Vogel"], text) == set(range(0, 5)) | set(range(18, 23))
    assert mention_positions(["Anna Vogel", "Vogel"], text) == set(range(0, 5)) | set(range(13, 23))
    assert mention_positions(["Osterlich", ""], text) == set()


def test_names_match_first_after_normalisation():
    text = "The Côte d’Ivoire minister met Valdor."
    gold = [A("Côte d'Ivoire", ["Côte d’Ivoire"]), A("Valdor", ["Valdor"])]
    pred = [A("valdor", ["Valdor"]), A("CÔTE D’IVOIRE", ["Côte d’Ivoire"])]
    m = match_actors(gold, pred, text)
    assert m.pairs == [(0, 1), (1, 0)]
    assert m.unmatched_gold == m.unmatched_pred == []


def test_name_match_wins_over_a_larger_overlap():
    text = "The Ruritanian government said Ruritania agrees."
    gold = [A("Ruritania", ["Ruritanian government", "Ruritania"])]
    pred = [A("Ruritanian government", ["Ruritanian government"]), A("Ruritania", ["Ruritania"])]
    m = match_actors(gold, pred, text)
    assert m.pairs == [(0, 1)]
    assert m.unmatched_pred == [0]


def test_different_names_match_by_overlapping_mentions():
    text = "Officials in Valmont said the Valmont government would send shells."
    gold = [A("Valdoria", ["Valmont", "the Valmont government"])]
    pred = [A("Valmont government", ["Valmont government"])]
    m = match_actors(gold, pred, text)
    assert m.pairs == [(0, 0)]


def test_two_predictions_on_one_gold_actor_only_the_larger_overlap_matches():
    text = "Washington and the White House agreed."
    gold = [A("United States", ["Washington", "the White House"])]
    # "Washington" covers 10 positions, "White House" 11: the second one wins.
    pred = [A("Washington DC", ["Washington"]), A("White House", ["White House"])]
    m = match_actors(gold, pred, text)
    assert m.pairs == [(0, 1)]
    assert m.unmatched_pred == [0]
    assert m.unmatched_gold == []


def test_equal_overlaps_go_to_the_lower_gold_index():
    text = "Osterlich spoke."
    gold = [A("Osterlich state", ["Osterlich"]), A("Osterlich people", ["Osterlich"])]
    pred = [A("Republic of Osterlich", ["Osterlich"])]
    m = match_actors(gold, pred, text)
    assert m.pairs == [(0, 0)]
    assert m.unmatched_gold == [1]


def test_no_overlap_and_no_text_leave_actors_unmatched():
    text = "Valdor spoke while Osterlich listened."
    gold = [A("Valdor", ["Valdor"])]
    pred = [A("Osterlich", ["Osterlich"])]
    m = match_actors(gold, pred, text)
    assert (m.pairs, m.unmatched_gold, m.unmatched_pred) == ([], [0], [0])
    # Without a text only the name step runs.
    m = match_actors([A("Valdor", ["Valdor"])], [A("Valdor Republic", ["Valdor"])], None)
    assert (m.pairs, m.unmatched_gold, m.unmatched_pred) == ([], [0], [0])
