"""What each task trains on: gold actors, and for stance optionally the actors the
extractor finds that the gold does not list."""

import numpy as np
import pytest
from omegaconf import OmegaConf

from armstance.actors.extractor import ActorExtractor
from armstance.models.majority import Majority
from armstance.models.tfidf_logreg import TfidfLogReg
from armstance.schema import STANCES, GoldDocument
from armstance.training.fit import TrainingSet, fit_pipeline, unlisted_actor_units
from armstance.units import UnitBuilder
from test_models import TRAIN
from test_pipeline import gold_doc


def with_unlisted_actor(doc: GoldDocument) -> GoldDocument:
    """The document with a sentence about Paris, an actor its gold does not list (nor
    Ukraine, the recipient the gold sentences name)."""
    return doc.model_copy(update={"text": doc.text + "Paris schweigt dazu."})


def test_unlisted_actors_become_stance_none_units():
    doc = with_unlisted_actor(gold_doc(0))
    units = unlisted_actor_units([doc], UnitBuilder(), ActorExtractor())
    by_actor = {u.actor: u for u in units}
    assert set(by_actor) == {"Ukraine", "France"}
    assert {u.stance for u in units} == {"none"}
    assert by_actor["France"].marked_sentences == ["[[Paris]] schweigt dazu."]


def test_only_the_stance_classifier_learns_from_unlisted_actors():
    docs = [with_unlisted_actor(gold_doc(i)) for i in range(6)]
    builder, extractor = UnitBuilder(), ActorExtractor()
    model = OmegaConf.create({"name": "majority", "_target_": "armstance.models.majority.Majority"})
    plain = fit_pipeline(model, docs, builder, extractor)
    widened = fit_pipeline(model, docs, builder, extractor, training=TrainingSet(True))
    # Majority priors: a third of the 18 gold actors is `none`, plus 12 unlisted `none`s
    # (Ukraine and France in each document).
    assert plain.classifiers["stance"].priors.tolist() == [1 / 3, 1 / 3, 1 / 3]
    assert widened.classifiers["stance"].priors.tolist() == [6 / 30, 6 / 30, 18 / 30]
    assert (
        widened.classifiers["sentiment"].priors.tolist()
        == plain.classifiers["sentiment"].priors.tolist()
    )


def test_collection_weights_weigh_each_unit_by_its_document_collection():
    training = TrainingSet(collection_weights={"stance": {"bundestag": 0.25}})
    ids = ["bundestag-1", "guardian-1"]
    units = [u.model_copy(update={"doc_id": d}) for u, d in zip(TRAIN, ids, strict=False)]
    assert training.weights(units, "stance") == [0.25, 1.0]
    assert training.weights(units, "sentiment") is None
    assert TrainingSet().weights(units, "stance") is None


def test_unit_weights_shift_what_the_models_learn():
    y = [u.stance for u in TRAIN]
    light_against = [0.05 if s == "against" else 1.0 for s in y]
    prior = Majority(STANCES).fit(TRAIN, y, light_against).priors
    assert np.allclose(prior, np.array([3, 0.15, 3]) / 6.15)
    k = STANCES.index("against")
    plain = TfidfLogReg(STANCES, C=10.0).fit(TRAIN, y).predict_proba(TRAIN)[:, k]
    light = TfidfLogReg(STANCES, C=10.0).fit(TRAIN, y, light_against).predict_proba(TRAIN)[:, k]
    against = np.array(y) == "against"
    assert (light[against] < plain[against]).all()


def test_models_without_unit_weights_refuse_unequal_ones():
    from armstance.models.base import require_unweighted

    require_unweighted(None, "m")
    require_unweighted([2.0, 2.0], "m")
    with pytest.raises(ValueError, match="does not take unit weights"):
        require_unweighted([1.0, 0.5], "m")
