"""notebooks/compare_runs.ipynb runs headless against a real store, so it cannot rot."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pytest
from nbclient import NotebookClient

# Trains into a store, then executes the notebook: minutes.
pytestmark = pytest.mark.slow

if TYPE_CHECKING:
    from fixtures_store import Store

pytest_plugins = ["fixtures_store"]
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "compare_runs.ipynb"


def test_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


def test_notebook_runs_against_a_real_store(in_store: Store, tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # The kernel inherits this process's environment: MLFLOW_TRACKING_URI names the store.
    NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 3  # F_avg per language, confusion matrices, calibration
    text = "".join(o.get("text", "") for o in outputs)
    assert "2 experiments, 3 runs" in text
    assert "stance F_avg: tfidf_logreg − majority" in text
