"""The choice of documents by collection (the evaluation job's `collections=`, the speed
benchmark's `--collections`)."""

import pytest

from armstance.corpus.sources import of_collections
from test_pipeline import gold_doc

DOCS = [
    gold_doc(i).model_copy(update={"doc_id": f"{c}-{i}"})
    for i, c in enumerate(["kremlin", "congress", "tagesschau", "kremlin"])
]


def test_only_the_named_collections_are_scored():
    assert [d.doc_id for d in of_collections(DOCS, ["kremlin"], "split 'train'")] == [
        "kremlin-0",
        "kremlin-3",
    ]
    assert of_collections(DOCS, None, "split 'train'") == DOCS


def test_an_unknown_or_empty_selection_names_what_the_split_holds():
    with pytest.raises(
        ValueError, match=r"\['ukpresident'\].*\['congress', 'kremlin', 'tagesschau'\]"
    ):
        of_collections(DOCS, ["kremlin", "ukpresident"], "split 'train,dev'")
    with pytest.raises(ValueError, match="empty list"):
        of_collections(DOCS, [], "split 'dev'")
