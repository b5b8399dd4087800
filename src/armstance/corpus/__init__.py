"""The corpus: pinned sources, rebuilt raw documents, stand-off gold labels, CV folds."""

from armstance.corpus.fetch import fetch_sources
from armstance.corpus.folds import load_folds, make_folds
from armstance.corpus.load import SPLITS, load_dataset, load_documents, load_gold
from armstance.corpus.rebuild import ensure_corpus, rebuild_raw
from armstance.corpus.texts import load_texts

__all__ = [
    "SPLITS",
    "ensure_corpus",
    "fetch_sources",
    "load_dataset",
    "load_documents",
    "load_folds",
    "load_gold",
    "load_texts",
    "make_folds",
    "rebuild_raw",
]
