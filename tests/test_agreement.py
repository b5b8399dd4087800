import argparse
import json

import pytest

from armstance.evaluation.agreement import agreement
from armstance.evaluation.commands import add_commands
from armstance.jsonl import write_jsonl
from armstance.schema import ActorAnnotation, DocumentAnnotation

TEXTS = {
    "a1": "Ruritania pledged tanks. Osterlich refused. Ukraine thanked Ruritania.",
    "a2": "Valdor liefert keine Waffen. Valdor warnt.",
}


def actor(name, stance, sentiment, *aliases):
    return ActorAnnotation(
        actor=name,
        type="state",
        aliases=list(aliases) or [name],
        stance=stance,
        sentiment=sentiment,
    )


def doc(doc_id, lang, *actors):
    return DocumentAnnotation(doc_id=doc_id, lang=lang, actors=list(actors))


A = [
    doc(
        "a1",
        "en",
        actor("Ruritania", "favor", "positive"),
        actor("Osterlich", "against", "negative"),
        actor("Ukraine", "favor", "positive"),
    ),
    doc("a2", "de", actor("Valdor", "against", "neutral")),
    doc("a3", "de", actor("Valdor", "favor", "neutral")),  # only A: not compared
]
B = [
    doc(
        "a1",
        "en",
        actor("Ruritania", "favor", "positive"),
        actor("osterlich", "none", "neutral", "Osterlich"),
        actor("Tank makers", "none", "neutral", "tanks"),
    ),  # B misses Ukraine and adds "Tank makers"
    doc("a2", "de", actor("Valdor", "against", "neutral")),
    doc("b9", "en", actor("Valdor", "favor", "neutral")),  # only B: not compared
]


def test_agreement_by_hand():
    m = agreement(A, B, TEXTS)
    assert m["n_docs"] == 2
    # Stance rows, A rows x B columns (favor, against, none):
    #   Ruritania favor/favor, Osterlich against/none, Ukraine favor/none (missed by B),
    #   Tank makers none/none (only in B), Valdor against/against
    #   favor [1,0,1]  against [0,1,1]  none [0,0,1]
    # p_o = 3/5; A counts (2,2,1), B counts (1,1,3): p_e = (2+2+3)/25 = 0.28
    # kappa = (0.6 - 0.28) / 0.72 = 4/9
    assert m["stance_kappa"] == pytest.approx(4 / 9)
    # F1 favor 2*1/(2+1) = 2/3, against 2*1/(2+1) = 2/3 -> F_avg 2/3
    assert m["stance_f_avg"] == pytest.approx(2 / 3)
    # Sentiment over matched (Ruritania pos/pos, Osterlich neg/neu, Valdor neu/neu):
    #   positive [1,0,0]  neutral [0,1,0]  negative [0,1,0]
    # p_o = 2/3; A counts (1,1,1), B counts (1,2,0): p_e = (1+2+0)/9 = 1/3 -> kappa 0.5
    assert m["sentiment_kappa"] == pytest.approx(0.5)
    # F1 positive 1, neutral 2*1/(1+2) = 2/3, negative 0 -> macro 5/9
    assert m["sentiment_macro_f1"] == pytest.approx(5 / 9)
    # Actors: A 4, B 4, matched 3 -> Jaccard 3/(4+4-3) = 0.6, precision 3/4, recall 3/4
    assert (m["actor_count_a"], m["actor_count_b"], m["actor_matched"]) == (4, 4, 3)
    assert m["actor_jaccard"] == pytest.approx(0.6)
    assert m["actor_precision"] == m["actor_recall"] == 0.75
    for name in ("stance_kappa", "stance_f_avg"):
        assert m[f"{name}_lo"] <= m[f"{name}_hi"]


def test_identical_annotations_agree_perfectly():
    m = agreement(A, A, TEXTS | {"a3": "Valdor sendet Panzer."})
    assert m["n_docs"] == 3
    assert m["stance_kappa"] == m["stance_f_avg"] == m["actor_jaccard"] == 1.0
    assert m["stance_kappa_lo"] == m["stance_kappa_hi"] == 1.0


def test_agreement_command(tmp_path, capsys):
    write_jsonl(tmp_path / "a.jsonl", A)
    write_jsonl(tmp_path / "b.jsonl", B)
    write_jsonl(tmp_path / "docs.jsonl", [{"doc_id": k, "text": v} for k, v in TEXTS.items()])
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command", required=True))
    argv = ["agreement", str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")]
    argv += ["--texts", str(tmp_path / "docs.jsonl"), "--json", str(tmp_path / "agree.json")]
    args = parser.parse_args(argv)
    assert args.func(args) == 0
    assert "stance_kappa" in capsys.readouterr().out
    assert json.loads((tmp_path / "agree.json").read_text()) == agreement(A, B, TEXTS)


def test_agreement_command_on_some_collections(tmp_path, capsys):
    renamed = {"a1": "bundestag-1", "a2": "tagesschau-2"}

    def moved(docs):
        return [d.model_copy(update={"doc_id": renamed.get(d.doc_id, d.doc_id)}) for d in docs]

    write_jsonl(tmp_path / "a.jsonl", moved(A))
    write_jsonl(tmp_path / "b.jsonl", moved(B))
    texts = [{"doc_id": renamed[k], "text": v} for k, v in TEXTS.items()]
    write_jsonl(tmp_path / "docs.jsonl", texts)
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command", required=True))
    argv = ["agreement", str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")]
    argv += ["--texts", str(tmp_path / "docs.jsonl"), "--json", str(tmp_path / "agree.json")]
    args = parser.parse_args([*argv, "--collections", "bundestag,whitehouse"])
    assert args.func(args) == 0
    only_a1 = agreement(A[:1], B[:1], {"a1": TEXTS["a1"]})
    assert json.loads((tmp_path / "agree.json").read_text()) == only_a1
