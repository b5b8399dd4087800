"""The seed article is for reporting only: no unit of it is ever trained on, in any fold,
inner fold or final fit of the training job (issue of leakage: it must not inform cues,
rules, thresholds or model selection)."""

from __future__ import annotations

from pathlib import Path

import pytest

from armstance.corpus import load_gold
from armstance.corpus.standoff import text_sha256
from jobs import isolated_env, run_job
from recording_model import RECORD_ENV

# A training job end to end.
pytestmark = pytest.mark.slow


def test_no_seed_unit_is_trained_on(tmp_path, shared_dir):
    record = tmp_path / "trained_on.txt"
    env = isolated_env(tmp_path, shared_dir)
    env[RECORD_ENV] = str(record)
    env["PYTHONPATH"] = str(Path(__file__).parent)
    run_job(
        "armstance.train",
        tmp_path,
        env,
        "experiment=majority",
        "model._target_=recording_model.RecordingMajority",
        "evaluation.n_boot=0",
        "data.unlisted_as_none=true",
        "decision.tasks=[stance]",
        "decision.inner_folds=2",
        "data.fit_on=train_dev",
    )
    trained_on = set(record.read_text().split())
    labelled = {d.doc_id: d for split in ("train", "dev") for d in load_gold(split)}
    assert trained_on and trained_on <= set(labelled)
    assert not any(doc_id.startswith("seed") for doc_id in trained_on)
    [seed] = load_gold("seed")
    assert all(text_sha256(labelled[d].text) != text_sha256(seed.text) for d in trained_on)
    assert seed.text[:200] not in "".join(labelled[d].text for d in trained_on)
