import io
import json
import os

from armstance.prediction.inputs import read_inputs


def test_text_files_folders_and_jsonl_are_read_with_problems_named(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text("Berlin liefert Panzer.", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("Sch\xf6n".encode("latin-1"))
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02")
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text(
        "\n".join(
            [
                json.dumps({"doc_id": "a", "lang": "en", "text": "Paris sends tanks."}),
                json.dumps({"doc_id": "b"}),
                "{not json",
                json.dumps({"doc_id": "c", "lang": "es", "text": "Hola."}),
                json.dumps({"doc_id": "a", "text": "Duplicate id."}),
                "",
            ]
        ),
        encoding="utf-8",
    )
    inputs = read_inputs([str(folder), str(jsonl), str(tmp_path / "missing.txt")])
    assert [d.doc_id for d in inputs.documents] == ["one", "a"]
    assert inputs.documents[1].lang == "en"
    messages = [str(p) for p in inputs.problems]
    assert any("latin1.txt: not UTF-8 text" in m for m in messages)
    assert any("binary.txt: binary file" in m for m in messages)
    assert f"{jsonl}:2 (doc_id 'b'): field 'text': missing (expected a string)" in messages
    assert any(m.startswith(f"{jsonl}:3") and "malformed JSON" in m for m in messages)
    assert any(m.startswith(f"{jsonl}:4 (doc_id 'c'): field 'lang'") for m in messages)
    assert any("(doc_id 'a'): duplicate doc_id" in m for m in messages)
    assert any("missing.txt: no such file or folder" in m for m in messages)


def test_stdin_accepts_jsonl_or_plain_text(monkeypatch):
    payload = json.dumps({"doc_id": "x", "text": "Kyiv asks for air defence."}) + "\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(payload.encode())))
    assert [d.doc_id for d in read_inputs(["-"]).documents] == ["x"]
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"Plain text.")))
    (doc,) = read_inputs(["-"]).documents
    assert (doc.doc_id, doc.text) == ("stdin", "Plain text.")


def test_empty_folder_is_a_problem(tmp_path):
    inputs = read_inputs([str(tmp_path)])
    assert inputs.documents == []
    assert "holds no .txt, .jsonl or .parquet files" in str(inputs.problems[0])


def test_atomic_writes_keep_the_permissions_a_plain_write_would_give(tmp_path):
    from armstance.jsonl import atomic_writer

    fresh, kept = tmp_path / "fresh.txt", tmp_path / "kept.txt"
    kept.write_text("old")
    kept.chmod(0o640)
    old_umask = os.umask(0o022)
    try:
        for path in (fresh, kept):
            with atomic_writer(path) as fh:
                fh.write("new")
    finally:
        os.umask(old_umask)
    assert fresh.stat().st_mode & 0o777 == 0o644
    assert kept.stat().st_mode & 0o777 == 0o640
    assert kept.read_text() == "new"
