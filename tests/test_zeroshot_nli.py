"""ZeroShotNLI on a tiny NLI-style BERT built locally (random weights, three NLI labels)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from omegaconf import OmegaConf

from armstance.config import CONFIG_DIR
from armstance.models.base import load_classifier
from armstance.models.tiny_bert import tiny_bert_path
from armstance.models.zeroshot_nli import (
    ZeroShotNLI,
    actor_surface,
    entailment_index,
    plain_text,
    residual_threshold,
)
from armstance.schema import SENTIMENTS, STANCES, Unit

# Builds and runs a tiny NLI model.
pytestmark = pytest.mark.slow

TEMPLATES = OmegaConf.to_container(OmegaConf.load(CONFIG_DIR / "model" / "zeroshot_xnli.yaml"))[
    "templates"
]
NLI_LABELS = {0: "contradiction", 1: "neutral", 2: "entailment"}


@pytest.fixture(scope="module")
def tiny_nli(tmp_path_factory) -> Path:
    """tiny BERT with a 3-way head; entailment deliberately not in column 0."""
    from transformers import AutoTokenizer, BertForSequenceClassification, set_seed

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARMSTANCE_CACHE", str(tmp_path_factory.mktemp("cache")))
        base = tiny_bert_path()
        set_seed(0)
        model = BertForSequenceClassification.from_pretrained(
            base,
            num_labels=3,
            id2label=NLI_LABELS,
            label2id={v: k for k, v in NLI_LABELS.items()},
        )
        target = tmp_path_factory.mktemp("tiny_nli")
        model.save_pretrained(target)
        AutoTokenizer.from_pretrained(base).save_pretrained(target)
    return target


def unit(doc: int, lang: str, sentence: str, actor: str = "Germany") -> Unit:
    return Unit(
        doc_id=f"d{doc}",
        lang=lang,
        actor=actor,
        actor_type="state",
        marked_sentences=[sentence],
        sentence_spans=[(0, len(sentence))],
    )


UNITS = [
    unit(0, "de", "[[Deutschland]] liefert weitere Haubitzen an die Ukraine."),
    unit(1, "fr", "[[L'Allemagne]] refuse toute livraison d'armes."),
    unit(2, "en", "[[Germany]] hosted a summit on trade."),
    unit(3, "en", "The chancellor said [[Germany]] will send tanks."),
    unit(4, "de", "[[Berlin]] sprach über den Haushalt."),
    unit(5, "fr", "[[La France]] va livrer des obusiers.", actor="France"),
]


def model(path: Path, labels=STANCES, **kwargs) -> ZeroShotNLI:
    return ZeroShotNLI(labels, TEMPLATES, model_name_or_path=str(path), **kwargs)


def test_hypotheses_follow_language_label_and_surface():
    clf = ZeroShotNLI(STANCES, TEMPLATES)
    assert clf.residual == "none"
    assert clf.hypotheses(UNITS[1]) == {
        "favor": "L'Allemagne est favorable à la livraison d'armes à l'Ukraine.",
        "against": "L'Allemagne s'oppose à la livraison d'armes à l'Ukraine.",
    }
    assert clf.hypotheses(UNITS[0])["against"] == (
        "Deutschland lehnt Waffenlieferungen an die Ukraine ab."
    )
    sentiment = ZeroShotNLI(SENTIMENTS, TEMPLATES)
    assert sentiment.residual == "neutral"
    assert sentiment.hypotheses(UNITS[3]) == {
        "positive": "The text portrays Germany positively.",
        "negative": "The text portrays Germany negatively.",
    }
    assert plain_text(UNITS[3]) == "The chancellor said Germany will send tanks."
    assert actor_surface(UNITS[3].model_copy(update={"marked_sentences": ["no mark"]})) == (
        "Germany"
    )


def test_bad_templates_are_refused():
    with pytest.raises(ValueError, match="lacks"):
        ZeroShotNLI(STANCES, {"en": {"favor": "supports arms", "against": "{actor} no"}})
    with pytest.raises(ValueError, match="at most one"):
        ZeroShotNLI(STANCES, {"en": {"favor": "{actor} yes"}})
    with pytest.raises(ValueError, match="same labels"):
        ZeroShotNLI(
            STANCES,
            {"en": {"favor": "{actor} a", "against": "{actor} b"}, "de": {"favor": "{actor} c"}},
        )
    with pytest.raises(ValueError, match="no templates for language 'fr'"):
        ZeroShotNLI(STANCES, {"en": TEMPLATES["en"]}).hypotheses(UNITS[1])


def test_entailment_column_comes_from_label2id():
    assert entailment_index({"contradiction": 0, "neutral": 1, "entailment": 2}) == 2
    assert entailment_index({"ENTAILMENT": 0, "NOT_ENTAILMENT": 1}) == 0
    with pytest.raises(ValueError, match="not an NLI model"):
        entailment_index({"favor": 0, "against": 1})


def test_scores_are_entailment_probabilities(tiny_nli):
    import torch

    clf = model(tiny_nli)
    scores = clf.entailment_scores(UNITS[:1])
    hypothesis = clf.hypotheses(UNITS[0])["favor"]
    enc = clf.tokenizer(plain_text(UNITS[0]), hypothesis, return_tensors="pt")
    with torch.no_grad():
        expected = torch.softmax(clf.model(**enc).logits, dim=-1)[0, 2].item()
    assert scores[0, STANCES.index("favor")] == pytest.approx(expected, abs=1e-5)
    assert scores[0, STANCES.index("none")] == 0


def test_proba_rows_and_residual_rule(tiny_nli):
    clf = model(tiny_nli, threshold=0.2, fit_threshold=False).fit(UNITS, ["none"] * len(UNITS))
    proba = clf.predict_proba(UNITS)
    assert proba.shape == (len(UNITS), 3)
    assert np.allclose(proba.sum(axis=1), 1)
    scores = clf.entailment_scores(UNITS)
    best = scores.max(axis=1)
    expected = np.where(best < 0.2, STANCES.index("none"), scores.argmax(axis=1))
    np.testing.assert_array_equal(proba.argmax(axis=1), expected)
    assert clf.predict_proba([]).shape == (0, 3)


def test_fitted_threshold_follows_the_training_labels(tiny_nli):
    all_none = model(tiny_nli).fit(UNITS, ["none"] * len(UNITS))
    assert all_none.predict(UNITS) == ["none"] * len(UNITS)
    clf = model(tiny_nli)
    scores = clf.entailment_scores(UNITS)
    winners = [STANCES[k] for k in scores.argmax(axis=1)]
    clf.fit(UNITS, winners)
    assert clf.predict(UNITS) == winners  # never abstains when no training unit is `none`


def test_residual_threshold_picks_the_best_cut():
    # Units 0-1 are sure favor, 2-3 weak (gold none): the cut must fall between.
    scores = np.array([[0.9, 0.1, 0], [0.8, 0.2, 0], [0.3, 0.2, 0], [0.1, 0.25, 0]])
    threshold = residual_threshold(scores, [0, 0, 2, 2], residual=2)
    assert 0.3 < threshold < 0.8


def test_save_load_keeps_threshold_and_probabilities(tiny_nli, tmp_path):
    clf = model(tiny_nli, labels=SENTIMENTS)
    clf.fit(UNITS, ["neutral", "neutral", "positive", "neutral", "negative", "neutral"])
    clf.save(tmp_path / "clf")
    loaded = load_classifier(tmp_path / "clf")
    assert isinstance(loaded, ZeroShotNLI)
    assert loaded.threshold_ == clf.threshold_ and loaded.labels == SENTIMENTS
    np.testing.assert_allclose(loaded.predict_proba(UNITS), clf.predict_proba(UNITS), atol=1e-6)
