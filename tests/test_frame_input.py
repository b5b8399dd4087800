"""Input frames of the pyfunc model: well-formed records become Documents; any record of the
wrong shape fails the whole call with an error naming the record and the field."""

from __future__ import annotations

import pandas as pd
import pytest
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE, ErrorCode

from armstance.schema import Document
from armstance.tracking.frame_input import MAX_LISTED, InvalidInputError, documents_from_frame


def test_records_become_documents_and_absent_lang_is_detected_later():
    # The second record lacks `lang`: pandas fills it with NaN.
    frame = pd.DataFrame(
        [{"doc_id": "a", "lang": "de", "text": "Berlin."}, {"doc_id": "b", "text": "Paris."}]
    )
    assert documents_from_frame(frame) == [
        Document(doc_id="a", lang="de", text="Berlin."),
        Document(doc_id="b", text="Paris."),
    ]


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"doc_id": "1", "text": 5}, "field 'text': expected a string, got int 5"),
        ({"doc_id": "1", "text": None}, "field 'text': missing (expected a string)"),
        ({"doc_id": "1"}, "field 'text': missing (expected a string)"),
        ({"doc_id": "1", "text": ["a"]}, "field 'text': expected a string, got list ['a']"),
        ({"doc_id": 7, "text": "a"}, "record 1 (doc_id 7): field 'doc_id': expected a non-empty"),
        ({"doc_id": "", "text": "a"}, "field 'doc_id': expected a non-empty string, got str ''"),
        ({"doc_id": "1", "text": "a", "lang": 3}, "field 'lang': expected one of fr, en, de"),
        (
            {"doc_id": "1", "text": "a", "lang": "es"},
            "(or no lang, to have it detected), got str 'es'",
        ),
    ],
)
def test_a_bad_record_names_its_field(record, problem):
    with pytest.raises(InvalidInputError) as err:
        documents_from_frame(pd.DataFrame([record]))
    assert problem in str(err.value)
    assert err.value.error_code == ErrorCode.Name(INVALID_PARAMETER_VALUE)
    assert err.value.get_http_status_code() == 400


def test_every_bad_record_is_named_up_to_a_limit():
    good = {"doc_id": "ok", "text": "Berlin."}
    bad = [{"doc_id": f"d{i}", "text": i} for i in range(MAX_LISTED + 3)]
    with pytest.raises(InvalidInputError) as err:
        documents_from_frame(pd.DataFrame([good, *bad]))
    assert len(err.value.problems) == MAX_LISTED + 3
    message = str(err.value)
    assert "record 2 (doc_id 'd0')" in message and "and 3 more" in message
    assert "'d12'" not in message


def test_a_repeated_doc_id_is_refused():
    frame = pd.DataFrame([{"doc_id": "a", "text": "x"}, {"doc_id": "a", "text": "y"}])
    with pytest.raises(
        InvalidInputError, match=r"record 2 \(doc_id 'a'\): field 'doc_id': repeats record 1"
    ):
        documents_from_frame(frame)
