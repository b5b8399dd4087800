"""A real classifier for tests that records every document it is trained on."""

from __future__ import annotations

import os
from pathlib import Path

from armstance.models.majority import Majority

RECORD_ENV = "ARMSTANCE_TEST_TRAINED_ON"


class RecordingMajority(Majority):
    """The majority model, appending the doc_id of each training unit to the file named
    by ARMSTANCE_TEST_TRAINED_ON."""

    def fit(self, units, y, sample_weight=None):
        with Path(os.environ[RECORD_ENV]).open("a", encoding="utf-8") as fh:
            fh.writelines(f"{u.doc_id}\n" for u in units)
        return super().fit(units, y, sample_weight)
