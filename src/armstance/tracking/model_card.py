"""The model card shipped inside every logged pipeline, written from the run: the documents
the model was fitted on, their labels' provenance, the run's metrics and the limits that
follow from the training data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from omegaconf import DictConfig

from armstance.corpus.load import labels_paths, read_standoff
from armstance.corpus.sources import collection_of, load_catalog
from armstance.schema import LANGS, GoldDocument, Provenance

LANGUAGE_NAMES = {"fr": "French", "en": "English", "de": "German"}
HEADLINE = "cv_e2e_stance_f_avg"
NESTED = "nested_cv_e2e_stance_f_avg"
CARD_METRICS = (
    ("stance F_avg, nested CV e2e (knobs chosen inside the training folds)", NESTED),
    ("optimism of the selection (inner minus outer figure)", "nested_cv_optimism_e2e_stance_f_avg"),
    ("stance F_avg, CV e2e (knobs fixed; the headline)", HEADLINE),
    ("F1 against, CV e2e", "cv_e2e_stance_f1_against"),
    ("sentiment macro-F1, CV e2e", "cv_e2e_sentiment_macro_f1"),
    *(
        (f"stance F_avg, CV e2e, {LANGUAGE_NAMES[lang]}", f"cv_e2e_stance_f_avg_{lang}")
        for lang in LANGS
    ),
    ("actor precision, CV e2e (actors with a stance)", "cv_e2e_actor_precision"),
    ("actor precision, CV e2e (every predicted actor)", "cv_e2e_actor_precision_all"),
    ("actor recall, CV e2e", "cv_e2e_actor_recall"),
    ("stance F_avg, CV with the gold actors", "cv_oracle_stance_f_avg"),
    ("stance F_avg, dev e2e", "dev_e2e_stance_f_avg"),
    ("sentiment macro-F1, dev e2e", "dev_e2e_sentiment_macro_f1"),
)
RARE_SHARE = 0.05
"""A stance class below this share of a language's training units is called rare."""


def _fmt(metrics: Mapping[str, float | None], name: str) -> str:
    value = metrics.get(name)
    if value is None:
        return "n/a"
    lo, hi = metrics.get(f"{name}_lo"), metrics.get(f"{name}_hi")
    interval = f" [{lo:.3f}, {hi:.3f}]" if lo is not None and hi is not None else ""
    return f"{value:.3f}{interval}"


def _sources(collections: set[str]) -> str:
    """The licences of the collections trained on, one line each (a collection can be
    thousands of files)."""
    licences: dict[str, list[str]] = {}
    for source in load_catalog().sources:
        if source.collection in collections:
            licences.setdefault(source.collection, []).append(source.licence)
    return "\n".join(
        f"- `{name}`: {'; '.join(dict.fromkeys(found))}" for name, found in licences.items()
    )


def _data_table(docs: Sequence[GoldDocument]) -> str:
    """Documents and units (one per labelled actor) per collection and language."""
    counts: Counter[tuple[str, str]] = Counter()
    units: Counter[tuple[str, str]] = Counter()
    for doc in docs:
        key = (collection_of(doc.doc_id), doc.lang)
        counts[key] += 1
        units[key] += len(doc.actors)
    rows = [f"| `{c}` | {lang} | {counts[c, lang]} | {units[c, lang]} |" for c, lang in counts]
    total = f"| all | | {len(docs)} | {sum(units.values())} |"
    return "\n".join(
        ["| collection | language | documents | units |", "|---|---|---|---|", *rows, total]
    )


def label_provenance(docs: Sequence[GoldDocument]) -> dict[str, Provenance | None]:
    """The provenance record of each training document's labels (None: the document's
    labels predate the records)."""
    wanted = {doc.doc_id for doc in docs}
    found: dict[str, Provenance | None] = {}
    for split in sorted({doc.split for doc in docs}):
        for path in labels_paths(split):
            for _, record in read_standoff(path):
                if record.doc_id in wanted:
                    found[record.doc_id] = record.provenance
    return found


def _provenance(docs: Sequence[GoldDocument]) -> str:
    records = label_provenance(docs)
    groups: dict[tuple, list[str]] = {}
    for doc in docs:
        record = records.get(doc.doc_id)
        key = (
            None
            if record is None
            else (record.annotator_kind, record.guidelines, record.model_assisted, record.pass_)
        )
        groups.setdefault(key, []).append(doc.doc_id)
    lines = []
    for key, ids in groups.items():
        collections = ", ".join(f"`{c}`" for c in sorted({collection_of(i) for i in ids}))
        if key is None:
            lines.append(
                f"- {len(ids)} documents ({collections}) carry no provenance record: their"
                " labels predate the records and were made the same way, by language-model"
                " annotators following the guidelines."
            )
            continue
        kind, guidelines, assisted, pass_ = key
        annotators = sorted({records[i].annotator for i in ids})  # type: ignore[union-attr]
        who = "language-model annotators" if kind == "model" else "annotators who are people"
        lines.append(
            f"- {len(ids)} documents ({collections}): {who} {', '.join(annotators)},"
            f" guidelines {guidelines}, pass {pass_},"
            f" {'shown' if assisted else 'not shown'} the extractor's candidate actors"
            f" (model_assisted: {str(assisted).lower()})."
        )
    return "\n".join(lines)


def _limits(docs: Sequence[GoldDocument]) -> str:
    trained = {doc.lang for doc in docs}
    lines = [
        f"- {LANGUAGE_NAMES[lang]} is zero-shot: no {LANGUAGE_NAMES[lang]} training labels."
        for lang in LANGS
        if lang not in trained
    ]
    for lang in sorted(trained):
        stances = Counter(a.stance for doc in docs if doc.lang == lang for a in doc.actors)
        total = sum(stances.values())
        for label in ("favor", "against"):
            if total and stances[label] / total < RARE_SHARE:
                lines.append(
                    f"- `{label}` is rare in the {LANGUAGE_NAMES[lang]} training units"
                    f" ({stances[label]} of {total}): expect it to be missed there."
                )
    return "\n".join(lines)


def _nested(metrics: Mapping[str, float | None]) -> str:
    """The honest figure, where `make select` chose the knobs of this run's experiment."""
    if metrics.get(NESTED) is None:
        return ""
    return (
        f" Its knobs were chosen by nested CV (`make select`): the outer-fold estimate, which"
        f" no choice saw, is {_fmt(metrics, NESTED)} (`{NESTED}`); the figure above, measured"
        " on the folds the knobs were chosen on, is optimistic."
    )


def model_card(
    cfg: DictConfig,
    experiment: str,
    metrics: Mapping[str, float | None],
    docs: Sequence[GoldDocument],
) -> str:
    """The card of a model fitted on `docs` whose run measured `metrics`."""
    langs = ", ".join(LANGUAGE_NAMES[lang] for lang in LANGS if any(d.lang == lang for d in docs))
    rows = "\n".join(
        f"| {title} | `{name}` | {_fmt(metrics, name)} |" for title, name in CARD_METRICS
    )
    extra = (
        " The stance model also learnt from the extracted actors the labels do not list, as `none`."
        if cfg.data.get("unlisted_as_none")
        else ""
    )
    return f"""# armstance model card: {experiment} ({cfg.model.name})

**Task.** For each actor (state, person, organisation, group) of a news article in French,
English or German: its stance toward arming Ukraine (favor / against / none) and the
article's sentiment toward it (positive / neutral / negative), with an evidence sentence
and class probabilities.

**Headline.** Cross-validated stance F_avg end to end (actors extracted, as in real use):
{_fmt(metrics, HEADLINE)} (`{HEADLINE}` [95% bootstrap interval over documents]).{_nested(metrics)}

**Training data.** Fitted on the `{cfg.data.fit_on}` split(s): {len(docs)} documents in
{langs}, one unit per labelled actor.{extra}

{_data_table(docs)}

**Labels.** Stand-off labels of the project, made by language-model annotators following
the project's annotation guidelines; no person labelled them. Agreement between two
annotations measures how consistently the guidelines are applied, not agreement between
people.

{_provenance(docs)}

Texts come from these sources, under their own licences:
{_sources({collection_of(doc.doc_id) for doc in docs})}

Actors at prediction time come from the project's gazetteer, spaCy French NER and
documented English/German heuristics.

**Metrics** of this run (CV: grouped 5-fold cross-validation over train+dev, scored on the
news documents; e2e: actors extracted; F_avg = mean of F1 favor and F1 against; 95%
bootstrap intervals over documents):

| metric | name | value |
|---|---|---|
{rows}

**Held out.** Cross-validation has overestimated the score on held-out news by about 0.09 to
0.12 F_avg before: expect less on new articles. Held-out news is scored by the maintainers,
outside the project; the figures above are not that score.

**Known limits.**
{_limits(docs)}
- Labels describe what a text reports about an actor, not the actor's actual position.

**Intended use.** Research on media coverage of arms deliveries to Ukraine: aggregate
analyses over many articles, with the evidence sentence checked by a person for any single
claim. Not for decisions about individuals.
"""
