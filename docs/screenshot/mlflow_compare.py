"""Make docs/mlflow_compare.png: the MLflow UI's runs table of an experiment, best CV e2e
stance F_avg first, showing the columns a user compares (the headline and its interval,
F1 against, sentiment, per language, seed, training time).

Starts `mlflow ui` on the given store (on 127.0.0.1, stopped again afterwards), then drives
Debian's chromium with the pinned playwright-core (`npm ci --prefix docs/screenshot`);
`make docs-mlflow-screenshot STORE=...` does all of it. Take the picture on the project's
real store, after `make results`: a toy store's runs make a misleading picture.

Usage: python docs/screenshot/mlflow_compare.py --store sqlite:///PATH/mlruns.db [OUT.png]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from mlflow.tracking import MlflowClient

HERE = Path(__file__).resolve().parent
SORT = "cv_e2e_stance_f_avg"
COLUMNS = (
    "cv_e2e_stance_f_avg",
    "cv_e2e_stance_f_avg_lo",
    "cv_e2e_stance_f_avg_hi",
    "cv_e2e_stance_f1_against",
    "cv_e2e_sentiment_macro_f1",
    "cv_e2e_stance_f_avg_de",
    "cv_e2e_stance_f_avg_en",
    "seed",
    "train_seconds",
)


def store_uri(store: str) -> str:
    """A tracking URI, or a path to an sqlite file."""
    return store if "://" in store else f"sqlite:///{Path(store).resolve()}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"mlflow ui exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"mlflow ui did not answer at {url} within {seconds:.0f} s")


def screenshot(store: str, experiment: str, out: Path) -> None:
    uri = store_uri(store)
    found = MlflowClient(uri).get_experiment_by_name(experiment)
    if found is None:
        raise SystemExit(f"no experiment {experiment!r} in {uri}")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "mlflow", "ui", "--backend-store-uri", uri]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # Its own process group: `mlflow ui` starts the web server as a child process.
        start_new_session=True,
    )
    try:
        wait_until_up(url, server)
        node = ["node", str(HERE / "mlflow_compare.mjs"), url, found.experiment_id]
        subprocess.run([*node, str(out.resolve()), SORT, *COLUMNS], check=True, timeout=300)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"wrote {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", default=HERE.parent / "mlflow_compare.png")
    parser.add_argument("--store", required=True, help="tracking URI or path to mlruns.db")
    parser.add_argument("--experiment", default="armstance", help="experiment name")
    args = parser.parse_args()
    screenshot(args.store, args.experiment, args.out)
