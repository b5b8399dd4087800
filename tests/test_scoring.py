import argparse
import json
import re
import time

import numpy as np
import pytest

from armstance.errors import DataError
from armstance.evaluation.bootstrap import percentile_interval, resample_counts, totals
from armstance.evaluation.commands import add_commands
from armstance.evaluation.metrics import confusion_matrix, f_avg
from armstance.evaluation.scoring import AlignedRow, Alignment, aligned_rows, score, score_alignment
from armstance.jsonl import write_jsonl
from armstance.schema import STANCES, ActorAnnotation, DocumentAnnotation

TEXT_EN = (
    "Ruritania pledged new tanks for Ukraine. President Anna Vogel said Ruritania would not "
    "wait. Osterlich refused to send weapons."
)
TEXT_DE = "Die Regierung in Valdor lehnt Waffenlieferungen ab. Valdor bleibt dabei."
TEXTS = {"d1": TEXT_EN, "d2": TEXT_DE}


def actor(name, stance, sentiment, *aliases, type="state"):
    return ActorAnnotation(
        actor=name, type=type, aliases=list(aliases) or [name], stance=stance, sentiment=sentiment
    )


GOLD = [
    DocumentAnnotation(
        doc_id="d1",
        lang="en",
        actors=[
            actor("Ruritania", "favor", "positive"),
            actor("Anna Vogel", "favor", "neutral", type="person"),
            actor("Osterlich", "against", "negative"),
        ],
    ),
    DocumentAnnotation(doc_id="d2", lang="de", actors=[actor("Valdor", "against", "neutral")]),
]
PRED = [
    DocumentAnnotation(
        doc_id="d1",
        lang="en",
        actors=[
            actor("ruritania", "favor", "neutral", "Ruritania"),  # name match
            actor("President Vogel", "favor", "neutral", "President Anna Vogel", type="person"),
            actor("Ukraine", "none", "neutral"),  # unmatched, stance none
            actor("Weapons Council", "against", "neutral", "weapons"),  # unmatched, stanced
        ],  # Osterlich is missed
    ),
    DocumentAnnotation(doc_id="d2", lang="de", actors=[actor("Valdor", "against", "negative")]),
]


def test_e2e_rows_count_unmatched_actors_as_none():
    alignment = aligned_rows(GOLD, PRED, TEXTS, "e2e")
    got = [(r.gold_actor, r.pred_actor, r.gold_stance, r.pred_stance) for r in alignment.rows]
    assert got == [
        ("Ruritania", "ruritania", "favor", "favor"),
        ("Anna Vogel", "President Vogel", "favor", "favor"),
        ("Osterlich", None, "against", "none"),
        (None, "Ukraine", "none", "none"),
        (None, "Weapons Council", "none", "against"),
        ("Valdor", "Valdor", "against", "against"),
    ]
    assert [r.matched for r in alignment.rows] == [True, True, False, False, False, True]


def test_e2e_scores_by_hand():
    m = score(GOLD, PRED, TEXTS, "e2e", n_boot=0)
    # Stance, gold rows x pred columns (favor, against, none):
    #   favor [2,0,0]  against [0,1,1] (Osterlich missed)  none [0,1,1] (Ukraine, Council)
    # F1 favor 2*2/(2+2) = 1; against 2*1/(2+2) = 0.5; none 2*1/(2+2) = 0.5
    assert m["stance_f1_favor"] == 1.0
    assert m["stance_f1_against"] == 0.5
    assert m["stance_f1_none"] == 0.5
    assert m["stance_f_avg"] == 0.75
    assert m["stance_macro_f1"] == pytest.approx(2 / 3)
    # Sentiment over the 3 matched actors: positive->neutral, neutral->neutral,
    # neutral->negative. F1 positive 0, neutral 2*1/(2+2) = 0.5, negative 0 -> macro 1/6.
    assert m["sentiment_macro_f1"] == pytest.approx(1 / 6)
    # Predicted with a stance: Ruritania, Vogel, Council, Valdor (4), of which 3 matched.
    assert m["actor_precision"] == 0.75
    # Every predicted actor, stance or not: Ruritania, Vogel, Ukraine, Council, Valdor (5),
    # of which 3 matched.
    assert m["actor_precision_all"] == 0.6
    # 3 of 4 gold actors matched.
    assert m["actor_recall"] == 0.75


def test_e2e_scores_per_language_by_hand():
    m = score(GOLD, PRED, TEXTS, "e2e", n_boot=0)
    # en stance: favor [2,0,0], against [0,0,1], none [0,1,1]
    # F1 favor 1, against 0 (gold 1, pred 1, TP 0), none 0.5
    assert (m["stance_f1_favor_en"], m["stance_f1_against_en"]) == (1.0, 0.0)
    assert m["stance_f_avg_en"] == 0.5
    assert m["stance_macro_f1_en"] == 0.5
    # en sentiment: positive->neutral, neutral->neutral; F1 positive 0, neutral 2/3,
    # negative n/a -> macro over two classes = 1/3
    assert m["sentiment_macro_f1_en"] == pytest.approx(1 / 3)
    assert m["actor_precision_en"] == pytest.approx(2 / 3)
    # en predicted: Ruritania, Vogel, Ukraine, Council; 2 matched.
    assert m["actor_precision_all_en"] == 0.5
    assert m["actor_recall_en"] == pytest.approx(2 / 3)
    # de: one actor, against->against. favor and none n/a: F_avg over against alone.
    assert m["stance_f1_favor_de"] is None
    assert m["stance_f_avg_de"] == 1.0
    # de sentiment neutral->negative: both classes 0, positive n/a
    assert m["sentiment_macro_f1_de"] == 0.0
    assert not any(name.endswith("_fr") for name in m)


def test_metric_names_follow_the_contract():
    m = score(GOLD, PRED, TEXTS, "e2e")
    base = {
        "stance_f_avg",
        "stance_macro_f1",
        "stance_f1_favor",
        "stance_f1_against",
        "stance_f1_none",
        "sentiment_macro_f1",
        "actor_precision",
        "actor_precision_all",
        "actor_recall",
    }
    headline = {"stance_f_avg", "stance_macro_f1", "sentiment_macro_f1"}
    expected = set()
    for suffix in ("", "_en", "_de"):
        expected |= {name + suffix for name in base}
        expected |= {f"{name}{suffix}_{b}" for name in headline for b in ("lo", "hi")}
    assert set(m) == expected
    pattern = re.compile(r"^(stance|sentiment|actor)_[a-z0-9_]+?(_(fr|en|de))?(_(lo|hi))?$")
    assert all(pattern.match(name) for name in m)


def test_gold_doc_without_prediction_counts_as_no_actors_and_extra_docs_are_ignored():
    extra = DocumentAnnotation(doc_id="d9", lang="en", actors=[actor("Valdor", "favor", "neutral")])
    alignment = aligned_rows(GOLD, [PRED[0], extra], TEXTS, "e2e")
    assert alignment.ignored_pred_docs == ["d9"]
    d2 = [r for r in alignment.rows if r.doc_id == "d2"]
    assert [(r.gold_stance, r.pred_stance, r.matched) for r in d2] == [("against", "none", False)]


def test_e2e_without_a_text_is_a_data_error():
    with pytest.raises(DataError, match="no text for gold document 'd2'"):
        aligned_rows(GOLD, PRED, {"d1": TEXT_EN}, "e2e", texts_source="docs.jsonl")


def test_duplicate_doc_ids_are_a_data_error():
    with pytest.raises(DataError, match=r"preds\.jsonl.*'d1' appears twice"):
        aligned_rows(GOLD, [PRED[0], PRED[0]], TEXTS, "e2e", pred_source="preds.jsonl")


def oracle_pred(gold, drop=None):
    """Predictions for exactly the gold actors: every stance flipped to favor."""
    return [
        DocumentAnnotation(
            doc_id=doc.doc_id,
            lang=doc.lang,
            actors=[
                a.model_copy(update={"actor": a.actor.upper(), "stance": "favor"})
                for a in doc.actors
                if a.actor != drop
            ]
            + [actor("Extra", "against", "neutral")],
        )
        for doc in gold
    ]


def test_oracle_scores_gold_actors_and_ignores_extra_ones():
    m = score(GOLD, oracle_pred(GOLD), None, "oracle", n_boot=0)
    # favor [2,0,0], against [2,0,0] (Osterlich, Valdor predicted favor); "Extra" ignored.
    # F1 favor 2*2/(2+4) = 2/3; against 0 (gold 2, pred 0); none n/a
    assert m["stance_f1_favor"] == pytest.approx(2 / 3)
    assert m["stance_f1_against"] == 0.0
    assert m["stance_f1_none"] is None
    assert m["stance_f_avg"] == pytest.approx(1 / 3)
    # Sentiment unchanged: all four correct.
    assert m["sentiment_macro_f1"] == 1.0
    assert "actor_precision" not in m


def test_oracle_missing_gold_actor_is_a_data_error():
    with pytest.raises(DataError, match="no prediction for gold actor 'Osterlich'"):
        aligned_rows(GOLD, oracle_pred(GOLD, drop="Osterlich"), None, "oracle")


# Bootstrap


def synthetic_alignment(n_docs: int) -> Alignment:
    """Docs of two actors each; the prediction is wholly right on 3 of every 5 docs."""
    rows = []
    wrong = {0: ("against", "none"), 1: ("favor", "none")}
    for d in range(n_docs):
        gold = ("favor", "against")
        pred = wrong.get(d % 5, gold)
        for g, p in zip(gold, pred, strict=True):
            rows.append(AlignedRow(f"doc{d}", "en", "X", "X", g, p, "neutral", "neutral"))
    return Alignment("oracle", [(f"doc{d}", "en") for d in range(n_docs)], rows)


def test_resample_counts_draw_n_docs_per_resample_deterministically():
    counts = resample_counts(7, 50, seed=0)
    assert counts.shape == (50, 7)
    assert (counts.sum(axis=1) == 7).all()
    assert (counts == resample_counts(7, 50, seed=0)).all()
    assert (counts != resample_counts(7, 50, seed=1)).any()


def test_vectorised_resamples_equal_rescoring_the_resampled_documents():
    alignment = synthetic_alignment(12)
    per_doc = alignment.per_doc_counts()
    weights = resample_counts(12, 5, seed=0)
    vectorised = f_avg(totals(per_doc, weights)["stance"])
    for b in range(5):
        gold, pred = [], []
        for d, times in enumerate(weights[b]):
            rows = [r for r in alignment.rows if r.doc_id == f"doc{d}"] * times
            gold += [r.gold_stance for r in rows]
            pred += [r.pred_stance for r in rows]
        assert vectorised[b] == pytest.approx(f_avg(confusion_matrix(gold, pred, STANCES)))


def test_interval_contains_point_estimate_and_is_deterministic():
    alignment = synthetic_alignment(30)
    m = score_alignment(alignment)
    for name in ("stance_f_avg", "stance_macro_f1"):
        assert m[f"{name}_lo"] < m[name] < m[f"{name}_hi"]
    assert score_alignment(alignment) == m
    assert score_alignment(alignment, seed=1)["stance_f_avg_lo"] != m["stance_f_avg_lo"]


def test_degenerate_interval_collapses_on_the_point():
    # One document: every resample is that document.
    single = score_alignment(synthetic_alignment(3).subset(["doc2"]))
    assert single["stance_f_avg_lo"] == single["stance_f_avg"] == single["stance_f_avg_hi"] == 1.0


def test_resamples_where_the_metric_is_na_are_dropped():
    assert percentile_interval(np.array([np.nan, 0.2, 0.2, np.nan])) == (0.2, 0.2)
    assert percentile_interval(np.array([np.nan, np.nan])) == (None, None)


def test_thousand_resamples_of_two_hundred_docs_take_well_under_a_second():
    alignment = synthetic_alignment(200)
    start = time.perf_counter()
    score_alignment(alignment, n_boot=1000)
    assert time.perf_counter() - start < 0.5


# The command


def run(argv):
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture
def files(tmp_path):
    write_jsonl(tmp_path / "gold.jsonl", GOLD)
    write_jsonl(tmp_path / "pred.jsonl", PRED)
    write_jsonl(tmp_path / "docs.jsonl", [{"doc_id": k, "text": v} for k, v in TEXTS.items()])
    return tmp_path


def test_evaluate_command_prints_table_and_writes_json(files, capsys):
    out = files / "out" / "metrics.json"
    argv = ["evaluate", "--gold", str(files / "gold.jsonl"), "--pred", str(files / "pred.jsonl")]
    assert run([*argv, "--texts", str(files / "docs.jsonl"), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "stance_f_avg" in printed and "0.750" in printed and "[" in printed
    assert json.loads(out.read_text()) == score(GOLD, PRED, TEXTS, "e2e")


def test_evaluate_reads_probabilities_as_predictions(files):
    proba = {
        "stance_proba": {"favor": 0.2, "against": 0.1, "none": 0.7},
        "sentiment_proba": {"positive": 0.1, "neutral": 0.8, "negative": 0.1},
    }
    preds = [
        {**d.model_dump(), "actors": [{**a.model_dump(), **proba} for a in d.actors]}
        for d in oracle_pred(GOLD)
    ]
    write_jsonl(files / "proba.jsonl", preds)
    out = files / "oracle.json"
    argv = ["evaluate", "--gold", str(files / "gold.jsonl"), "--pred", str(files / "proba.jsonl")]
    assert run([*argv, "--mode", "oracle", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["stance_f_avg"] == pytest.approx(1 / 3)

    # One actor without probabilities in a file that has them: an error naming the line.
    del preds[1]["actors"][0]["stance_proba"]
    write_jsonl(files / "proba.jsonl", preds)
    with pytest.raises(DataError, match=r"proba\.jsonl:2: field 'actors\.0\.stance_proba'"):
        run([*argv, "--mode", "oracle"])


def test_evaluate_without_text_for_a_gold_doc_fails_clearly(files):
    write_jsonl(files / "docs.jsonl", [{"doc_id": "d1", "text": TEXT_EN}])
    argv = ["evaluate", "--gold", str(files / "gold.jsonl"), "--pred", str(files / "pred.jsonl")]
    with pytest.raises(DataError, match=r"docs\.jsonl.*no text for gold document 'd2'"):
        run([*argv, "--texts", str(files / "docs.jsonl")])
