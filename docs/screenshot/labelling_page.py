"""Make docs/labelstudio_labelling.png: Label Studio's labelling page on a task that the
champion pre-annotated, one region selected.

The speech is written for this picture: no corpus text enters the repository. It runs the
project's own commands (`annotate export`, the Label Studio client) against a throwaway
local server. Needs `make labelstudio-env`, Debian's chromium and the pinned playwright-core
(`npm ci --prefix docs/screenshot`); `make docs-screenshot` does all of it.

Usage: python docs/screenshot/labelling_page.py OUT.png [--model URI]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from pathlib import Path

from armstance.annotate.labelstudio import local_server
from armstance.cli import main as armstance
from armstance.paths import project_root

HERE = Path(__file__).resolve().parent
DOC_ID = "bundestag-example-1"
SPEECH = {
    "doc_id": DOC_ID,
    "lang": "de",
    "title": "Beispielrede zur Unterstützung der Ukraine",
    "speaker": "Dr. Erika Musterfrau",
    "party": "CDU/CSU",
    "date": "2024-02-22",
    "text": (
        "Dr. Erika Musterfrau (CDU/CSU): Sehr geehrte Frau Präsidentin, werte Kolleginnen! "
        "Die Bundesregierung hat in dieser Woche weitere Flugabwehrsysteme für die Ukraine "
        "zugesagt. Das ist richtig, und wir unterstützen es. Aber der Bundeskanzler zögert "
        "seit Monaten, wenn es um weitreichende Waffen geht, während Frankreich und "
        "Großbritannien längst liefern. Moskau droht jedem, der Kiew mit Waffen hilft. "
        "Die AfD will die Lieferungen ganz stoppen; das wäre ein verheerendes Signal an "
        "unsere Partner in der NATO. Deshalb sagen wir: Liefern Sie jetzt, Herr "
        "Bundeskanzler! (Beifall bei der CDU/CSU)"
    ),
}
SELECTED = "Moskau"


def screenshot(out: Path, model: str) -> None:
    real_root = project_root()
    # The champion lives in the project's store, whatever root the export runs under.
    os.environ.setdefault("MLFLOW_TRACKING_URI", f"sqlite:///{real_root / 'mlruns.db'}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        raw = root / "data" / "raw"
        raw.mkdir(parents=True)
        (root / "configs").symlink_to(real_root / "configs")
        (raw / "bundestag.jsonl").write_text(json.dumps(SPEECH, ensure_ascii=False) + "\n")
        os.environ["ARMSTANCE_HOME"] = str(root)
        tasks = root / "tasks.json"
        if armstance(["annotate", "export", DOC_ID, "--model", model, "--output", str(tasks)]):
            raise SystemExit("export failed")
        executable = real_root / ".venv-labelstudio" / "bin" / "label-studio"
        with local_server(executable, Path(tmp) / "labelstudio") as server:
            project = server.client.create_project("Bundestag round 1")
            server.client.import_tasks(project, json.loads(tasks.read_text()))
            (task,) = server.client.tasks(project)
            subprocess.run(
                [
                    "node", str(HERE / "labelling_page.mjs"), server.client.url, server.email,
                    server.password, f"/projects/{project}/data?task={task['id']}",
                    str(out.resolve()), SELECTED,
                ],
                check=True,
                timeout=300,
            )  # fmt: skip
    print(f"wrote {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--model", default="models:/armstance@champion")
    args = parser.parse_args()
    screenshot(args.out, args.model)
