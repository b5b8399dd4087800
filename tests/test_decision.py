"""Decision rules: weighted argmax, weights fitted for the task's metric, and nested fitting
that only ever sees the training documents it is given."""

import os

import numpy as np
import pytest
from omegaconf import OmegaConf

from armstance.actors.extractor import ActorExtractor
from armstance.decision.fit import DecisionConfig, fit_decisions, inner_splits
from armstance.decision.rules import ClassWeights, fit_class_weights
from armstance.evaluation.metrics import confusion_matrix, f_avg
from armstance.pipeline import ArmstancePipeline
from armstance.schema import STANCES
from armstance.training.cross_validation import cross_validate
from armstance.training.fit import fit_classifiers, fit_pipeline
from armstance.units import UnitBuilder
from test_pipeline import MODEL, gold_doc


def stance_f_avg(gold, pred):
    return float(f_avg(confusion_matrix(gold, pred, STANCES)))


def test_identity_weights_are_the_argmax():
    proba = np.random.default_rng(0).dirichlet(np.ones(3), size=50)
    rule = ClassWeights.identity("stance")
    assert (rule.decide(proba) == proba.argmax(axis=1)).all()
    assert ClassWeights.from_dict(rule.to_dict()) == rule


def test_fitted_weights_recover_a_class_the_argmax_never_predicts():
    rng = np.random.default_rng(0)
    gold = ["favor"] * 40 + ["against"] * 20 + ["none"] * 140
    # `against` units get a clearly higher against-probability than others, never the top one.
    against = np.where(np.array(gold) == "against", 0.35, 0.05) + rng.uniform(0, 0.05, len(gold))
    favor = np.where(np.array(gold) == "favor", 0.6, 0.2)
    proba = np.column_stack([favor, against, 1.5 - favor - against])
    proba /= proba.sum(axis=1, keepdims=True)
    argmax = [STANCES[k] for k in proba.argmax(axis=1)]
    assert "against" not in argmax
    rule = fit_class_weights("stance", proba, gold)
    decided = [STANCES[k] for k in rule.decide(proba)]
    assert rule.weights[STANCES.index("against")] > 1
    assert stance_f_avg(gold, decided) > stance_f_avg(gold, argmax) + 0.3


@pytest.mark.slow
def test_pipeline_decides_with_its_weights_and_keeps_the_model_probabilities(tmp_path):
    docs = [gold_doc(i) for i in range(6)]
    plain = fit_pipeline(OmegaConf.create(MODEL), docs, UnitBuilder(), ActorExtractor())
    never_against = ClassWeights("stance", (1.0, 0.0, 1.0))
    weighted = ArmstancePipeline(
        classifiers=plain.classifiers,
        builder=plain.builder,
        extractor=plain.extractor,
        decisions={"stance": never_against},
    )
    weighted.save(tmp_path / "p")
    loaded = ArmstancePipeline.load(tmp_path / "p")
    assert loaded.decisions["stance"] == never_against
    (before,), (after,) = plain.predict_gold([gold_doc(9)]), loaded.predict_gold([gold_doc(9)])
    russia_before = next(a for a in before.actors if a.actor == "Russia")
    russia_after = next(a for a in after.actors if a.actor == "Russia")
    assert russia_before.stance == "against" and russia_after.stance != "against"
    assert russia_after.stance_proba == russia_before.stance_proba


def test_inner_folds_partition_the_documents():
    docs = [gold_doc(i) for i in range(10)]
    held = [d.doc_id for _, test in inner_splits(docs, 5) for d in test]
    assert sorted(held) == sorted(d.doc_id for d in docs)
    for train, test in inner_splits(docs, 5):
        assert not {d.doc_id for d in train} & {d.doc_id for d in test}


@pytest.mark.slow
def test_nested_fitting_never_sees_the_outer_held_out_documents():
    docs = [gold_doc(i) for i in range(10)]
    fold_of = {d.doc_id: i % 5 for i, d in enumerate(docs)}
    builder, extractor = UnitBuilder(), ActorExtractor()
    config = DecisionConfig(tasks=("stance", "sentiment"), inner_folds=3)
    seen: list[tuple[int, set[str]]] = []
    outer_test: dict[int, set[str]] = {}

    def fit(train):
        fold = next(f for f in range(5) if all(fold_of[d.doc_id] != f for d in train))
        outer_test[fold] = {d.doc_id for d in docs if fold_of[d.doc_id] == fold}

        def inner_fit(inner):
            seen.append((fold, {d.doc_id for d in inner}))
            return fit_classifiers(OmegaConf.create(MODEL), inner, builder, config.tasks)

        decisions = fit_decisions(inner_fit, train, builder, extractor, config)
        assert set(decisions.weights) == {"stance", "sentiment"}
        return fit_pipeline(OmegaConf.create(MODEL), train, builder, extractor)

    cross_validate(fit, docs, fold_of)
    assert len(seen) == 5 * 3
    for fold, inner_docs in seen:
        assert not inner_docs & outer_test[fold]


def test_decision_config_is_checked():
    with pytest.raises(ValueError, match="unknown"):
        DecisionConfig(tasks=("topic",))
    with pytest.raises(ValueError, match="units"):
        DecisionConfig(tasks=("stance",), units="gold")
    with pytest.raises(ValueError, match="actor_filter needs"):
        DecisionConfig(units="oracle", actor_filter=0.97)


def test_weights_are_fitted_on_the_held_out_documents_of_the_chosen_collections():
    news = [gold_doc(i).model_copy(update={"doc_id": f"tagesschau-{i}"}) for i in range(6)]
    speeches = [gold_doc(i).model_copy(update={"doc_id": f"bundestag-{i}"}) for i in range(6)]
    builder, extractor = UnitBuilder(), ActorExtractor()
    scored: list[str] = []

    def fit(inner):
        classifiers = fit_classifiers(OmegaConf.create(MODEL), inner, builder, ("stance",))
        stance = classifiers["stance"]
        original = stance.predict_proba

        def recording(units):
            scored.extend(u.doc_id for u in units)
            return original(units)

        stance.predict_proba = recording
        return classifiers

    config = DecisionConfig(tasks=("stance",), inner_folds=3, collections=("tagesschau",))
    fit_decisions(fit, [*news, *speeches], builder, extractor, config)
    assert scored and {d.split("-")[0] for d in scored} == {"tagesschau"}


@pytest.mark.slow
def test_folds_fitted_in_parallel_predict_as_one_after_the_other():
    environment = dict(os.environ)
    docs = [gold_doc(i) for i in range(10)]
    fold_of = {d.doc_id: i % 5 for i, d in enumerate(docs)}
    builder, extractor = UnitBuilder(), ActorExtractor()
    config = DecisionConfig(tasks=("stance",), inner_folds=2)

    def fit(train):
        return fit_pipeline(OmegaConf.create(MODEL), train, builder, extractor, config)

    serial, parallel = (
        cross_validate(fit, docs, fold_of, e2e=True, n_jobs=n_jobs) for n_jobs in (1, 2)
    )
    assert [p.doc_id for p in parallel.e2e] == [d.doc_id for d in docs]
    for mode in ("oracle", "e2e"):
        assert [p.model_dump() for p in getattr(parallel, mode)] == [
            p.model_dump() for p in getattr(serial, mode)
        ]
    assert any(a.stance == "against" for p in serial.e2e for a in p.actors)
    assert dict(os.environ) == environment  # jobs started later inherit it
