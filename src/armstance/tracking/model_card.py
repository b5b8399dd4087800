"""The model card shipped inside every logged pipeline."""

from __future__ import annotations

from omegaconf import DictConfig

from armstance.corpus.sources import load_catalog

CARD_METRICS = (
    "cv_oracle_stance_f_avg",
    "cv_oracle_sentiment_macro_f1",
    "dev_oracle_stance_f_avg",
    "dev_e2e_stance_f_avg",
    "dev_e2e_actor_precision",
    "dev_e2e_actor_recall",
    "dev_oracle_sentiment_macro_f1",
)


def _fmt(metrics: dict, name: str) -> str:
    value = metrics.get(name)
    if value is None:
        return "n/a"
    lo, hi = metrics.get(f"{name}_lo"), metrics.get(f"{name}_hi")
    interval = f" [{lo:.3f}, {hi:.3f}]" if lo is not None and hi is not None else ""
    return f"{value:.3f}{interval}"


def _sources() -> str:
    """One line per collection of the catalogue: a collection can be thousands of files."""
    collections: dict[str, list[str]] = {}
    for source in load_catalog().sources:
        collections.setdefault(source.collection, []).append(source.licence)
    lines = []
    for name, licences in collections.items():
        files = f" ({len(licences):,} files)" if len(licences) > 1 else ""
        lines.append(f"- `{name}`{files}: {'; '.join(dict.fromkeys(licences))}")
    return "\n".join(lines)


def model_card(cfg: DictConfig, experiment: str, metrics: dict) -> str:
    sources = _sources()
    rows = "\n".join(f"| `{name}` | {_fmt(metrics, name)} |" for name in CARD_METRICS)
    return f"""# armstance model card: {experiment} ({cfg.model.name})

**Task.** For each actor (state, person, organisation, group) of a news article in French,
English or German: its stance toward arming Ukraine (favor / against / none) and the
article's sentiment toward it (positive / neutral / negative), with an evidence sentence
and class probabilities.

**Languages.** Trained on German (tagesschau live blog) and English (Guardian) documents.
French is zero-shot: the only French labels are the seed article's. Figures for a language
the model was not trained on are indicative only.

**Training data.** Gold labels of the project (stand-off, model-assisted expert annotation
following the project's guidelines) over these sources:
{sources}

The model was fitted on the `{cfg.data.fit_on}` split(s). Actors at prediction time come
from the project's gazetteer, spaCy French NER and documented English/German heuristics.

**Metrics** (95% bootstrap intervals over documents; F_avg = mean of F1 favor and against):

| metric | value |
|---|---|
{rows}

**Intended use.** Research on media coverage of arms deliveries to Ukraine: aggregate
analyses over many articles, with the evidence sentence checked by a person for any single
claim. Not for decisions about individuals. Labels describe what a text reports, not the
actors' actual positions.
"""
