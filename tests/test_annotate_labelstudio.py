"""The whole loop through a real Label Studio server: a project with the committed config,
the champion's pre-annotated tasks sent to it, an annotation submitted through the API as
the labelling page does, the export fetched and imported into stand-off labels that the
corpus loaders read. Then a second annotator's round, without pre-annotations.

Label Studio lives in its own environment (`make labelstudio-env`); without it this test
is skipped, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from annotate_helpers import run_cli
from armstance.annotate.importer import actors_from_regions
from armstance.annotate.labelstudio import TOKEN_ENV, URL_ENV, LocalServer, local_server
from armstance.annotate.tasks import EVIDENCE, Region, from_results, to_results
from armstance.corpus.load import load_gold, read_standoff
from armstance.corpus.standoff import find_all

pytestmark = pytest.mark.infra
pytest_plugins = ["fixtures_annotate"]

EXECUTABLE_ENV = "ARMSTANCE_LABEL_STUDIO"
DOC = "bundestag-101"


@pytest.fixture(scope="module")
def executable() -> Path:
    # Beside this checkout, whatever project root a test points ARMSTANCE_HOME at.
    default = Path(__file__).resolve().parents[1] / ".venv-labelstudio" / "bin" / "label-studio"
    found = Path(os.environ.get(EXECUTABLE_ENV) or default)
    if not found.is_file():
        message = f"Label Studio not installed at {found} (make labelstudio-env)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def server(executable: Path, tmp_path_factory: pytest.TempPathFactory) -> LocalServer:
    with local_server(executable, tmp_path_factory.mktemp("labelstudio")) as running:
        yield running


@pytest.fixture
def labelstudio(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> LocalServer:
    monkeypatch.setenv(URL_ENV, server.client.url)
    monkeypatch.setenv(TOKEN_ENV, server.client.token)
    return server


def _new_project(capsys, title: str) -> int:
    code, out, err = run_cli(capsys, "project", "--title", title)
    assert code == 0, err
    return int(re.search(r"created project (\d+)", out)[1])


def _task_of(server: LocalServer, project: int, doc_id: str) -> dict:
    return next(t for t in server.client.tasks(project) if t["data"]["doc_id"] == doc_id)


def test_round_trip_through_label_studio(labelstudio, project, champion, capsys):
    client = labelstudio.client
    first = _new_project(capsys, "Bundestag round 1")
    code, out, err = run_cli(
        capsys, "export", DOC, "bundestag-104", "--output", project.root / "tasks.json",
        "--labelstudio-project", first,
    )  # fmt: skip
    assert code == 0, err
    assert f"sent 2 tasks to project {first}" in out

    task = _task_of(labelstudio, first, DOC)
    text = task["data"]["text"]
    (prediction,) = client.call("GET", f"/api/predictions?task={task['id']}")
    assert prediction["model_version"] == "models:/armstance@champion (version 1)"
    # The annotator corrects the pre-annotation: Russia, which the speech shows warning
    # against deliveries, is `against` and portrayed negatively.
    regions = from_results(prediction["result"], text)
    predicted = {a.actor: a for a in actors_from_regions(regions)}
    assert "Russia" in predicted
    for region in regions:
        if region.names == ["Russia"] and region.stance:
            region.stance, region.sentiment = "against", "negative"
    client.submit(task["id"], to_results(regions, text), prediction=prediction["id"])

    export = project.root / "annotation" / "round1-export.json"
    code, out, err = run_cli(
        capsys,
        "import",
        export,
        "--fetch-project",
        first,
        "--annotator",
        "A1",
        "--annotator-kind",
        "person",
    )
    assert code == 0, err
    assert "imported 1 documents into train (1 added, 0 replaced)" in out

    (gold,) = load_gold("train", project.raw)
    ((_, record),) = read_standoff(project.train)
    actors = {a.actor: a for a in gold.actors}
    assert gold.doc_id == DOC and set(actors) == set(predicted)
    assert (actors["Russia"].stance, actors["Russia"].sentiment) == ("against", "negative")
    assert actors["Russia"].alias_spans == sorted(
        {s for alias in predicted["Russia"].aliases for s in find_all(text, alias)}
    )
    made = record.provenance
    assert made.model_assisted and made.annotator == "A1" and made.pass_ == 1

    # A second annotator labels the same speech in a project of its own, from the bare text.
    second = _new_project(capsys, "Second annotation")
    code, out, err = run_cli(
        capsys, "export", DOC, "--no-predictions", "--output", project.root / "second.json",
        "--labelstudio-project", second,
    )  # fmt: skip
    assert code == 0, err
    bare = _task_of(labelstudio, second, DOC)
    assert not client.call("GET", f"/api/predictions?task={bare['id']}")
    (warn,) = find_all(text, "Moskau warnt vor neuen Waffenlieferungen.")
    client.submit(
        bare["id"],
        to_results(
            [
                Region("m1", *find_all(text, "Moskau")[0], "Moskau", label="state",
                       names=["Russia"], stance="against", sentiment="neutral"),
                Region("e1", *warn, text[slice(*warn)], label=EVIDENCE, names=["Russia"]),
            ],
            text,
        ),
    )  # fmt: skip
    code, out, err = run_cli(
        capsys, "import", project.root / "annotation" / "second-export.json",
        "--fetch-project", second, "--annotator", "B1", "--annotator-kind", "person",
        "--split", "second_annotator",
    )  # fmt: skip
    assert code == 0, err
    (other,) = load_gold("second_annotator", project.raw)
    assert [(a.actor, a.stance, a.sentiment) for a in other.actors] == [
        ("Russia", "against", "neutral")
    ]
    ((_, record),) = read_standoff(project.root / "data" / "annotations" / "second_annotator.jsonl")
    assert not record.provenance.model_assisted and record.provenance.pass_ == 2
