"""The pipeline on invented documents: oracle and end-to-end prediction, evidence, bad
documents, save/load and the pyfunc round trip through a real sqlite MLflow store."""

import dataclasses

import mlflow
import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from armstance.actors.extractor import ActorExtractor
from armstance.errors import DocumentError
from armstance.pipeline import ArmstancePipeline
from armstance.schema import Document, DocumentPrediction, GoldActor, GoldDocument
from armstance.tracking.pyfunc import log_pipeline
from armstance.training.fit import fit_pipeline
from armstance.units import UnitBuilder

MODEL = {"name": "tfidf_logreg", "_target_": "armstance.models.tfidf_logreg.TfidfLogReg", "C": 10.0}
SENTENCES = [
    ("Berlin", "Germany", "state", "favor", "neutral", "{} liefert weitere Panzer an die Ukraine."),
    ("Moskau", "Russia", "state", "against", "negative", "{} warnt vor neuen Waffenlieferungen."),
    ("Wien", "Austria", "state", "none", "neutral", "{} meldet gutes Wetter für das Wochenende."),
]


def gold_doc(i: int) -> GoldDocument:
    text, actors = "", []
    for alias, name, kind, stance, sentiment, template in SENTENCES:
        start = len(text)
        text += template.format(alias) + " "
        actors.append(
            GoldActor(
                actor=name,
                type=kind,
                aliases=[alias],
                stance=stance,
                sentiment=sentiment,
                alias_spans=[(start, start + len(alias))],
            )
        )
    return GoldDocument(doc_id=f"g{i}", lang="de", text=text, split="train", actors=actors)


@pytest.fixture(scope="module")
def pipeline() -> ArmstancePipeline:
    docs = [gold_doc(i) for i in range(6)]
    return fit_pipeline(OmegaConf.create(MODEL), docs, UnitBuilder(), ActorExtractor())


def test_oracle_prediction_judges_the_gold_actors(pipeline):
    (prediction,) = pipeline.predict_gold([gold_doc(99)])
    judged = {a.actor: a for a in prediction.actors}
    assert [judged[n].stance for n in ("Germany", "Russia", "Austria")] == [
        "favor",
        "against",
        "none",
    ]
    assert judged["Russia"].evidence == ["Moskau warnt vor neuen Waffenlieferungen."]


@pytest.mark.slow
def test_end_to_end_finds_actors_and_gives_evidence_from_the_text(pipeline):
    text = (
        "Die Bundesregierung kündigte an, weitere Panzer an die Ukraine zu liefern. "
        "Moskau warnt vor neuen Waffenlieferungen."
    )
    (prediction,) = pipeline.predict([Document(doc_id="n1", text=text)])
    assert prediction.lang == "de"
    judged = {a.actor: a for a in prediction.actors}
    assert {"Germany", "Russia"} <= set(judged)
    assert judged["Russia"].stance == "against"
    for judgement in prediction.actors:
        assert all(e in text for e in judgement.evidence)
        assert sum(judgement.stance_proba.values()) == pytest.approx(1, abs=1e-4)


@pytest.mark.slow
def test_bad_documents_yield_errors_in_place_and_others_go_on(pipeline):
    huge = "Berlin liefert weitere Panzer an die Ukraine. " * 23000  # about 1 MB
    results = pipeline.predict(
        [
            Document(doc_id="empty", text="  \n "),
            Document(doc_id="es", text="El gobierno español enviará tanques a Ucrania mañana."),
            Document(doc_id="nul", lang="de", text="Berlin\x00liefert"),
            Document(doc_id="huge", lang="de", text=huge),
            Document(doc_id="none", lang="en", text="The weather was fine all weekend."),
        ]
    )
    assert isinstance(results[0], DocumentError) and "empty" in results[0].problem
    assert isinstance(results[1], DocumentError) and "Spanish (es)" in results[1].problem
    assert isinstance(results[2], DocumentError) and "NUL" in results[2].problem
    assert isinstance(results[3], DocumentPrediction) and results[3].actors[0].actor == "Germany"
    assert results[4] == DocumentPrediction(doc_id="none", lang="en", actors=[])


@pytest.mark.slow
def test_save_load_round_trip_gives_identical_probabilities(pipeline, tmp_path):
    pipeline.save(tmp_path / "p")
    loaded = ArmstancePipeline.load(tmp_path / "p")
    units = UnitBuilder().from_gold(gold_doc(7))
    for task, proba in pipeline.classify(units).items():
        np.testing.assert_allclose(loaded.classify(units)[task], proba)
    assert loaded.builder == pipeline.builder


@pytest.mark.slow
def test_the_unit_builder_is_saved_with_every_setting(pipeline, tmp_path):
    builder = UnitBuilder(max_sentences=3, speaker=True, following=2)
    dataclasses.replace(pipeline, builder=builder).save(tmp_path / "p")
    assert ArmstancePipeline.load(tmp_path / "p").builder == builder


@pytest.mark.slow
def test_pyfunc_round_trip_through_a_sqlite_store(pipeline, tmp_path):
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path}/mlruns.db")
    experiment = mlflow.create_experiment("t", (tmp_path / "art").as_uri())
    with mlflow.start_run(experiment_id=experiment):
        uri = log_pipeline(pipeline, "# card")
    model = mlflow.pyfunc.load_model(uri)
    assert model.metadata.signature.inputs.input_names() == ["doc_id", "text", "lang"]
    frame = pd.DataFrame(
        [
            {"doc_id": "a", "lang": "de", "text": "Moskau warnt vor Waffen."},
            {"doc_id": "b", "lang": "de", "text": " "},
        ]
    )
    out = model.predict(frame)
    direct = pipeline.predict([Document(doc_id="a", lang="de", text="Moskau warnt vor Waffen.")])
    assert out[0] == direct[0].model_dump(mode="json")
    assert out[1] == {"doc_id": "b", "error": "empty or whitespace-only text"}
