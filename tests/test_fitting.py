"""What each task trains on: gold actors, and for stance optionally the actors the
extractor finds that the gold does not list."""

from omegaconf import OmegaConf

from armstance.actors.extractor import ActorExtractor
from armstance.fitting import fit_pipeline, unlisted_actor_units
from armstance.schema import GoldDocument
from armstance.units import UnitBuilder
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
    widened = fit_pipeline(model, docs, builder, extractor, unlisted_as_none=True)
    # Majority priors: a third of the 18 gold actors is `none`, plus 12 unlisted `none`s
    # (Ukraine and France in each document).
    assert plain.classifiers["stance"].priors.tolist() == [1 / 3, 1 / 3, 1 / 3]
    assert widened.classifiers["stance"].priors.tolist() == [6 / 30, 6 / 30, 18 / 30]
    assert (
        widened.classifiers["sentiment"].priors.tolist()
        == plain.classifiers["sentiment"].priors.tolist()
    )
