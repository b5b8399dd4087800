"""`mlflow models serve` of a model URI on the loopback interface: started, awaited, stopped.

Used by the serving tests and benchmarks/serve_load.py; users start the same command by
hand (README, "Using the trained model").
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def post_json(url: str, payload: object, timeout: float = 60) -> tuple[int, dict]:
    """(HTTP status, decoded JSON body) of a POST; an error status is returned, not raised."""
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


@contextmanager
def served(
    model_uri: str,
    env: Mapping[str, str] | None = None,
    workers: int = 1,
    startup_timeout: float = 180,
) -> Iterator[str]:
    """Serve `model_uri` with the current interpreter's environment; yield its base URL
    (http://127.0.0.1:PORT) once /ping answers, and stop the server on exit."""
    port = free_port()
    env = dict(os.environ if env is None else env)
    # The server execs `uvicorn` by name: this interpreter's bin must be on PATH.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    command = [
        *(sys.executable, "-m", "mlflow", "models", "serve", "-m", model_uri),
        *("--env-manager", "local", "-h", HOST, "-p", str(port), "-w", str(workers)),
    ]
    # The log goes to a file: a pipe nobody reads would fill up and stall the server.
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://{HOST}:{port}"
            _wait_until_up(url, server, log, startup_timeout)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_up(url: str, server: subprocess.Popen, log, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{url}/ping", timeout=2)
            return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-3000:]
            state = f"exited with {server.returncode}" if server.poll() is not None else "timed out"
            raise RuntimeError(f"mlflow models serve {state} before answering:\n{tail}")
        time.sleep(0.5)
