"""Starting an entry point (`python -m armstance.…`) as a user would, into a store of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def isolated_env(root: Path, shared_dir: Path) -> dict[str, str]:
    """Offline environment whose store, cache and data mirror all point into the test's folder."""
    return {
        **os.environ,
        "MLFLOW_TRACKING_URI": f"sqlite:///{root / 'mlruns.db'}",
        "ARMSTANCE_DATA_MIRROR": str(shared_dir / "data" / "sources"),
        "ARMSTANCE_CACHE": str(root / "cache"),
        "HF_HUB_OFFLINE": "1",
    }


def run_job(module: str, root: Path, env: dict[str, str], *overrides: str) -> None:
    """Run `python -m MODULE` with its artifacts and Hydra folder under `root`; fail loudly."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            module,
            *overrides,
            f"tracking.artifact_root={root / 'artifacts'}",
            f"hydra.run.dir={root / 'hydra'}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
