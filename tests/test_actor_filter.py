"""The learned actor filter: its features, its threshold chosen inside the training
documents, its JSON round trip, and a fitted pipeline that stops reporting the candidates
the gold never lists while keeping the ones it does."""

import numpy as np
import pytest
from omegaconf import OmegaConf

from armstance.actors.extractor import ActorExtractor
from armstance.decision.actor_filter import (
    FEATURES,
    ActorFilter,
    candidate_features,
    fit_actor_filter,
)
from armstance.decision.fit import DecisionConfig
from armstance.pipeline import ArmstancePipeline
from armstance.schema import Document, GoldDocument
from armstance.training.fit import TrainingSet, fit_pipeline
from armstance.units import UnitBuilder
from test_pipeline import MODEL, gold_doc

# An actor the documents name in passing, far from any weapon, never listed by the gold.
ASIDE = " Zum Wochenende meldet Paris Regen und milde Temperaturen."


def with_aside(doc: GoldDocument) -> GoldDocument:
    return doc.model_copy(update={"text": doc.text + ASIDE})


def test_threshold_keeps_the_asked_share_of_listed_candidates_out_of_fold():
    rng = np.random.default_rng(0)
    n = 400
    listed = rng.random(n) < 0.5
    rows = rng.normal(size=(n, len(FEATURES)))
    rows[:, 0] += 2.0 * listed  # one informative feature
    groups = [f"d{i // 4}" for i in range(n)]
    fitted = fit_actor_filter(rows, listed, groups, keep=0.9)
    kept = fitted.kept(rows)
    assert 0.85 <= kept[listed].mean() <= 0.97
    assert kept[~listed].mean() < 0.6
    assert fitted.coef[0] > 0 and fitted.keep == 0.9


def test_the_filter_round_trips_through_json_and_refuses_other_features():
    fitted = ActorFilter(
        (0.0,) * len(FEATURES),
        (1.0,) * len(FEATURES),
        tuple(np.linspace(-1, 1, len(FEATURES))),
        0.1,
        0.4,
        0.95,
    )
    again = ActorFilter.from_dict(fitted.to_dict())
    rows = np.ones((3, len(FEATURES)))
    assert np.allclose(again.proba(rows), fitted.proba(rows)) and again == fitted
    with pytest.raises(ValueError, match="retrain"):
        ActorFilter.from_dict({**fitted.to_dict(), "features": ["mentions"]})


def test_one_class_keeps_everything():
    rows = np.zeros((6, len(FEATURES)))
    fitted = fit_actor_filter(rows, [True] * 6, list("aabbcc"), keep=0.9)
    assert fitted.kept(rows).all()


def test_features_describe_each_candidate_of_a_document():
    doc = with_aside(gold_doc(0))
    plain = Document(doc_id="tagesschau-1", lang="de", text=doc.text)
    actors = ActorExtractor().extract(plain)
    units = UnitBuilder().from_extracted(plain, "de", actors)
    stance = np.tile([0.7, 0.1, 0.2], (len(actors), 1))
    sentiment = np.tile([0.1, 0.8, 0.1], (len(actors), 1))
    rows = candidate_features(doc.text, actors, units, stance, sentiment)
    assert rows.shape == (len(actors), len(FEATURES))
    by_actor = {
        a.actor: dict(zip(FEATURES, row, strict=True)) for a, row in zip(actors, rows, strict=True)
    }
    assert by_actor["Germany"]["weapon_share"] == 1.0 and by_actor["France"]["weapon_share"] == 0.0
    assert by_actor["Germany"]["in_lead"] == 1.0 and by_actor["France"]["in_lead"] == 0.0
    assert by_actor["France"]["type_state"] == 1.0
    assert by_actor["Germany"]["p_stance"] == pytest.approx(0.8)


def test_a_fitted_pipeline_drops_the_candidates_the_gold_never_lists(tmp_path):
    docs = [
        with_aside(gold_doc(i)).model_copy(update={"doc_id": f"tagesschau-{i}"}) for i in range(12)
    ]
    pipeline = fit_pipeline(
        OmegaConf.create(MODEL),
        docs,
        UnitBuilder(),
        ActorExtractor(),
        DecisionConfig(inner_folds=3, actor_filter=0.95),
        TrainingSet(unlisted_as_none=True),
    )
    assert pipeline.actor_filter is not None
    new = Document(doc_id="n1", lang="de", text=with_aside(gold_doc(99)).text)
    (judged,) = pipeline.predict([new])
    names = {a.actor for a in judged.actors}
    assert {"Germany", "Russia"} <= names and "France" not in names
    pipeline.save(tmp_path / "p")
    again = ArmstancePipeline.load(tmp_path / "p")
    assert again.actor_filter == pipeline.actor_filter
    assert again.predict([new]) == [judged]
    # Gold actors are judged whatever the filter says: oracle mode knows the actors.
    (oracle,) = pipeline.predict_gold([with_aside(gold_doc(98))])
    assert {a.actor for a in oracle.actors} == {"Germany", "Russia", "Austria"}
