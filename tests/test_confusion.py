"""The CV confusion of predicted actors (evaluation.confusion), worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from armstance.errors import DataError
from armstance.evaluation.confusion import Confusion, predicted_actor_confusion, read_confusion
from armstance.schema import ActorJudgement, DocumentPrediction, GoldActor, GoldDocument

TEXT = "Warschau schickt Panzer. Moskau protestiert. Wien schweigt. Rom zögert."


def gold_actor(name: str, alias: str, stance: str) -> GoldActor:
    start = TEXT.index(alias)
    return GoldActor(
        actor=name, type="state", aliases=[alias], stance=stance, sentiment="neutral",
        alias_spans=[(start, start + len(alias))],
    )  # fmt: skip


def judged(name: str, alias: str, stance: str) -> ActorJudgement:
    return ActorJudgement(
        actor=name, type="state", aliases=[alias], stance=stance, sentiment="neutral",
        evidence=[], stance_proba={"favor": 0.4, "against": 0.3, "none": 0.3},
        sentiment_proba={"positive": 0.2, "neutral": 0.6, "negative": 0.2},
    )  # fmt: skip


def test_counts_of_predicted_actors_only():
    gold = GoldDocument(
        doc_id="g", lang="de", text=TEXT, split="train",
        actors=[gold_actor("Poland", "Warschau", "favor"),
                gold_actor("Russia", "Moskau", "against"),
                gold_actor("Italy", "Rom", "against")],
    )  # fmt: skip
    prediction = DocumentPrediction(
        doc_id="g", lang="de",
        actors=[judged("Poland", "Warschau", "favor"),
                judged("Russia", "Moskau", "none"),
                judged("Austria", "Wien", "favor")],
    )  # fmt: skip
    other = DocumentPrediction(doc_id="not-labelled", lang="de", actors=[])
    confusion = predicted_actor_confusion([gold], [prediction, other], "test")
    # Poland favor->favor, Russia against->none, Austria (not in gold) none->favor; Italy,
    # missed by the model, is no predicted actor and counts nowhere.
    assert confusion.counts.tolist() == [[1, 0, 0], [0, 0, 1], [1, 0, 0]]
    rates = confusion.rates()
    assert rates.tolist() == [[1, 0, 0], [0, 0, 1], [1, 0, 0]]
    assert confusion.precision_recall() == {
        "favor": (0.5, 1.0),
        "against": (None, 0.0),
        "none": (0.0, 0.0),
    }


def test_json_round_trip_and_bad_files(tmp_path):
    confusion = Confusion(np.array([[3, 1, 0], [0, 2, 2], [1, 0, 9]]), "test")
    path = tmp_path / "m.json"
    path.write_text(confusion.to_json())
    assert read_confusion(path).counts.tolist() == confusion.counts.tolist()
    path.write_text('{"labels": ["favor", "against", "none"], "counts": [[1, 2]]}')
    with pytest.raises(DataError, match="field 'counts': expected a 3x3 matrix"):
        read_confusion(path)
    with pytest.raises(DataError, match="no such confusion file"):
        read_confusion(tmp_path / "missing.json")
