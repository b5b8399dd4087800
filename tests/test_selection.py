"""Nested model selection: the coordinate search, the values the outer folds agree on, the
experiment's `selected:` block written and applied, and the nesting itself: no choice and
no fit of an outer fold ever sees that fold's documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from armstance.training import selection
from armstance.training.configured import apply_selected, without_selected
from armstance.training.selection import (
    BLOCK_OPEN,
    Knob,
    check_selected_paths,
    coordinate_search,
    modal_values,
    outer_fold,
    parse_knobs,
    write_selected,
)
from test_configs import composed
from test_pipeline import gold_doc

KNOBS = [
    Knob("c", ("model.C",), (0.1, 1.0, 10.0)),
    Knob(
        "w",
        ("data.collection_weights.stance.bundestag", "data.collection_weights.stance.whitehouse"),
        (0.1, 0.3),
    ),
]


def test_coordinate_search_moves_one_knob_at_a_time_to_its_best_value():
    best = {"c": 10.0, "w": 0.1}
    seen = []

    def score(values):
        seen.append(dict(values))
        return -sum(abs(values[k] - best[k]) for k in best)

    choice = coordinate_search(KNOBS, {"c": 1.0, "w": 0.3}, score)
    assert choice.values == best
    assert choice.evaluations == len({tuple(sorted(v.items())) for v in seen}) == 4
    assert choice.inner == 0.0


def test_a_tie_keeps_the_current_value():
    choice = coordinate_search(KNOBS, {"c": 1.0, "w": 0.3}, lambda values: 0.5)
    assert choice.values == {"c": 1.0, "w": 0.3}


def test_the_final_values_are_those_most_outer_folds_chose():
    folds = [{"c": 10.0, "w": 0.1}, {"c": 10.0, "w": 0.3}, {"c": 1.0, "w": 0.1}]
    assert modal_values(folds, KNOBS, {"c": 1.0, "w": 0.3}) == {"c": 10.0, "w": 0.1}
    tie = [{"c": 10.0, "w": 0.1}, {"c": 0.1, "w": 0.3}]
    # A tie keeps the start value where it is among the tied, else the first in the grid.
    assert modal_values(tie, KNOBS, {"c": 1.0, "w": 0.3}) == {"c": 0.1, "w": 0.3}


def test_the_block_is_written_replaced_and_applied(tmp_path: Path):
    experiment = tmp_path / "exp.yaml"
    experiment.write_text("# @package _global_\nmodel:\n  C: 1.0\n", encoding="utf-8")
    metrics = {
        "nested_cv_e2e_stance_f_avg": 0.5,
        "nested_cv_e2e_stance_f_avg_lo": 0.4,
        "nested_cv_e2e_stance_f_avg_hi": 0.6,
        "nested_cv_inner_e2e_stance_f_avg": 0.55,
        "nested_cv_optimism_e2e_stance_f_avg": 0.05,
    }
    write_selected(experiment, KNOBS, {"c": 10.0, "w": 0.1}, metrics, "abc")
    write_selected(experiment, KNOBS, {"c": 0.1, "w": 0.3}, metrics, "def")
    text = experiment.read_text(encoding="utf-8")
    assert text.count(BLOCK_OPEN) == 1 and "run def" in text and "run abc" not in text
    assert "0.500 [0.400, 0.600]" in text and "optimism 0.050" in text
    loaded = OmegaConf.load(experiment)
    assert dict(loaded.selected) == {
        "model.C": 0.1,
        "data.collection_weights.stance.bundestag": 0.3,
        "data.collection_weights.stance.whitehouse": 0.3,
    }
    base = OmegaConf.create(
        {
            "model": {"C": 1.0},
            "data": {"collection_weights": {"stance": {"bundestag": 1.0, "whitehouse": 1.0}}},
            "selected": OmegaConf.to_container(loaded.selected),
        }
    )
    applied = apply_selected(base)
    assert applied.model.C == 0.1 and applied.data.collection_weights.stance.whitehouse == 0.3
    assert not applied.selected and without_selected(base).model.C == 1.0
    with pytest.raises(ValueError, match="no config key"):
        apply_selected(OmegaConf.create({"selected": {"model.D": 1}, "model": {"C": 1}}))


def test_a_candidate_composed_on_the_champion_keeps_its_own_choices_and_no_stray_one(tmp_path):
    cfg = composed("select", ["experiment=tfidf_mention_following"], tmp_path)
    knobs = parse_knobs(cfg.select.knobs, cfg)
    # The candidate's block is merged over the champion's, key by key: its own values win.
    assert cfg.selected["model.weights.mention"] == 1.2
    check_selected_paths(cfg, knobs, "tfidf_mention_following")
    # A selection over fewer knobs would leave the champion's other choices applied unseen.
    with pytest.raises(ValueError, match=r"model\.members\.tfidf\.C"):
        check_selected_paths(cfg, knobs[:1], "tfidf_mention_following")


def test_no_choice_and_no_fit_of_an_outer_fold_sees_its_documents(tmp_path, monkeypatch):
    cfg = composed(
        "select",
        ["experiment=tfidf_logreg", "evaluation.n_boot=0", "decision.inner_folds=2"],
        tmp_path,
    )
    cfg.select.knobs = [{"name": "c", "paths": ["model.C"], "values": [1.0, 10.0]}]
    docs = [
        gold_doc(i).model_copy(update={"doc_id": f"{kind}-{i}"})
        for i in range(10)
        for kind in ("tagesschau", "bundestag")
    ]
    fold_of = {d.doc_id: int(d.doc_id.split("-")[1]) % 5 for d in docs}
    trained: list[set[str]] = []
    scored: list[str] = []
    fit_classifiers, held_out = selection.fit_classifiers, selection.DocumentCache.held_out

    def recording_fit(model_cfg, train, *args, **kwargs):
        trained.append({d.doc_id for d in train})
        return fit_classifiers(model_cfg, train, *args, **kwargs)

    def recording_held_out(self, doc):
        scored.append(doc.doc_id)
        return held_out(self, doc)

    monkeypatch.setattr(selection, "fit_classifiers", recording_fit)
    monkeypatch.setattr(selection.DocumentCache, "held_out", recording_held_out)
    plain = OmegaConf.to_container(cfg, resolve=True)
    result = outer_fold(plain, 2, docs, fold_of, passes=1)
    outer = {d.doc_id for d in docs if fold_of[d.doc_id] == 2}
    assert trained and scored
    assert all(not ids & outer for ids in trained)
    assert not set(scored) & outer and all(s.startswith("tagesschau") for s in scored)
    # Each inner fit left out one of the other folds, and scored only its news.
    assert len(trained) == 2 * 4
    assert {p.doc_id for p in result.e2e} == {d for d in outer if d.startswith("tagesschau")}
    assert result.choice.values["c"] in (1.0, 10.0)
