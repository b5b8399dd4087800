"""A small client for the Label Studio HTTP API, and a throwaway local server.

The client covers what the loop needs: a project with the committed labelling config,
tasks in, finished annotations out (the JSON export `import` reads), and submitting an
annotation as the labelling page does. It authenticates with a user's API token
(`Authorization: Token …`, Label Studio's legacy token, enabled per organisation).

`local_server` starts Label Studio from its own environment (its pins clash with the
project's) on the loopback interface with sqlite in a fresh data folder, and creates a
user and token without prompting: for tests, demonstrations and screenshots.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from armstance.annotate.tasks import label_config

URL_ENV, TOKEN_ENV = "LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY"


class LabelStudioError(RuntimeError):
    pass


@dataclass(frozen=True)
class LabelStudio:
    url: str
    token: str
    timeout_s: float = 60.0

    @classmethod
    def from_env(cls, url: str | None = None) -> LabelStudio:
        url = url or os.environ.get(URL_ENV)
        token = os.environ.get(TOKEN_ENV)
        if not url or not token:
            raise LabelStudioError(
                f"set {URL_ENV} (or pass --labelstudio-url) and {TOKEN_ENV} (the user's API "
                "token from Label Studio's Account & Settings page)"
            )
        return cls(url.rstrip("/"), token)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode("utf-8"),
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                content = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:1000]
            raise LabelStudioError(f"{method} {path}: HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise LabelStudioError(f"{method} {self.url}{path}: {exc}") from exc
        return json.loads(content) if content else None

    def create_project(self, title: str) -> int:
        """A project labelled with the committed config; returns its id."""
        body = {"title": title, "label_config": label_config()}
        return int(self.call("POST", "/api/projects", body)["id"])

    def import_tasks(self, project: int, tasks: Sequence[dict]) -> int:
        """Returns how many tasks the project received."""
        return int(self.call("POST", f"/api/projects/{project}/import", list(tasks))["task_count"])

    def tasks(self, project: int) -> list[dict]:
        return self.call("GET", f"/api/tasks?project={project}&page_size=-1")["tasks"]

    def submit(self, task: int, result: list[dict], prediction: int | None = None) -> int:
        """Submit an annotation as the labelling page does (started from `prediction`)."""
        body = {"result": result, "parent_prediction": prediction}
        return int(self.call("POST", f"/api/tasks/{task}/annotations", body)["id"])

    def export(self, project: int) -> list[dict]:
        """The annotated tasks in Label Studio's JSON export format."""
        return self.call("GET", f"/api/projects/{project}/export?exportType=JSON")


@dataclass(frozen=True)
class LocalServer:
    client: LabelStudio
    email: str
    password: str
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_server(
    executable: Path, data_dir: Path, startup_timeout_s: float = 240.0
) -> Iterator[LocalServer]:
    """Label Studio on 127.0.0.1 and a free port, sqlite under `data_dir`, one user with a
    fresh API token; stopped (its whole process group) on exit."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port, token = free_port(), secrets.token_hex(20)
    email, password = "annotator@example.org", secrets.token_urlsafe(12)
    url = f"http://127.0.0.1:{port}"
    # HOST, when set for something else, is read by Label Studio as its public URL.
    env = {k: v for k, v in os.environ.items() if k != "HOST"} | {
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "DJANGO_DB": "sqlite",
        # Nothing leaves the machine: no version check, analytics or error reporting.
        "LATEST_VERSION_CHECK": "false",
        "COLLECT_ANALYTICS": "false",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
    }
    command = [
        str(executable), "start", "--data-dir", str(data_dir), "--no-browser",
        "--host", url, "--internal-host", "127.0.0.1", "--port", str(port),
        "--username", email, "--password", password, "--user-token", token,
        "--enable-legacy-api-token",
    ]  # fmt: skip
    log = data_dir / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_healthy(url, process, log, startup_timeout_s)
        yield LocalServer(LabelStudio(url, token), email, password, log)
    finally:
        # Label Studio runs its web server in a child process: stop the group we started.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LabelStudioError(f"Label Studio exited ({process.returncode}):\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    raise LabelStudioError(f"Label Studio not up after {timeout_s:.0f} s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:]
