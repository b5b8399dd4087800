"""Wall time and peak memory of the default experiment end to end (the README's main job).

    python benchmarks/train_default.py [overrides ...]

Runs `python -m armstance.train` in a child process against a throw-away MLflow store, so
the figures include start-up, corpus loading, 5-fold CV, dev evaluation (oracle and e2e),
plots, model logging and registration.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time


def main(overrides: list[str]) -> None:
    with tempfile.TemporaryDirectory() as store:
        env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{store}/mlruns.db"}
        command = [
            sys.executable,
            "-m",
            "armstance.train",
            f"tracking.artifact_root={store}/art",
            f"hydra.run.dir={store}/run",
            *overrides,
        ]
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        wall = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"cores available: {len(os.sched_getaffinity(0))}")
    print(f"default experiment end to end: {wall:.1f} s wall, peak RSS {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main(sys.argv[1:])
