"""A damaged build never takes the service down: each file of the serving build truncated or
garbled in turn, the server serves the previous good build (or answers 503 saying how to
rebuild), `assistant status` names the damaged file, and `assistant build` repairs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.cli import main
from assistant.errors import IndexDamaged
from assistant.index.build import build_index
from assistant.index.load import verify_build
from assistant.index.store import IndexStore
from assistant.service.assistant import Assistant
from assistant.settings import Settings
from web.app import create_app

pytestmark = pytest.mark.integration

OLDER = "00000000T000000000000-1"  # sorts before every real build


def copy_of(built: Settings, root: Path, *, with_previous: bool = True) -> Settings:
    shutil.copytree(built.corpus_dir, root / "corpus")
    shutil.copytree(built.index_dir, root / "index")
    settings = built.model_copy(update={"corpus_dir": root / "corpus", "index_dir": root / "index",
                                        "data_dir": root / "data", "reload_check_seconds": -1.0})
    store = IndexStore(settings.index_dir)
    if with_previous:  # an older good build, as a server that has published before keeps
        shutil.copytree(store.current(), store.builds / OLDER)  # type: ignore[arg-type]
    return settings


def damage(folder: Path, name: str, how: str) -> None:
    path = folder / name
    if how == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    else:  # garble the middle, keeping the size
        data = bytearray(path.read_bytes())
        middle = len(data) // 2
        data[middle : middle + 64] = b"\xff\xfe garbage " * 5 + b"\x00" * (64 - 55)
        path.write_bytes(bytes(data))


def run_cli(settings: Settings, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    import io

    from assistant.settings import get_settings

    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(settings.index_dir))
    get_settings.cache_clear()
    out = io.StringIO()
    try:
        code = main(list(args), out)
    finally:
        get_settings.cache_clear()
    return code, out.getvalue()


@pytest.mark.parametrize(("name", "how"), [("clauses.jsonl", "truncate"), ("dense.faiss", "truncate"),
                                           ("documents.json", "garble"), ("clauses.jsonl", "garble"),
                                           ("tokens.jsonl", "truncate"), ("vectors.npy", "truncate"),
                                           ("clause_offsets.npy", "garble"), ("clause_docs.npy", "truncate")])
def test_a_damaged_file_falls_back_to_the_previous_good_build(built_settings, tmp_path, monkeypatch, name, how,
                                                               capsys):
    settings = copy_of(built_settings, tmp_path)
    store = IndexStore(settings.index_dir)
    damaged = store.current_name()
    damage(store.current(), name, how)  # type: ignore[arg-type]

    assistant = Assistant(settings)
    answer = assistant.ask("泾河新城开办企业要多久？")
    assert "1 个工作日" in answer.text  # answered, from the older build
    assert assistant.index.build == OLDER
    assert assistant.degraded["damaged_build"] == damaged and name in assistant.degraded["problems"][0]
    with TestClient(create_app(settings, assistant, ui=False)) as client:
        health = client.get("/api/health").json()
        assert health["status"] == "degraded" and health["degraded"]["serving_build"] == OLDER
        assert client.post("/api/ask", json={"question": "开办企业要多久？"}).status_code == 200

    code, _out = run_cli(settings, "status", monkeypatch=monkeypatch)
    assert code != 0 and name in capsys.readouterr().err  # status names the damaged file


def test_with_no_good_build_the_answer_is_a_503_saying_how_to_rebuild(built_settings, tmp_path):
    settings = copy_of(built_settings, tmp_path, with_previous=False)
    damage(IndexStore(settings.index_dir).current(), "clauses.jsonl", "truncate")  # type: ignore[arg-type]
    assistant = Assistant(settings)
    with pytest.raises(IndexDamaged, match="clauses.jsonl"):
        assistant.ask("开办企业要多久？")
    with TestClient(create_app(settings, assistant, ui=False)) as client:
        response = client.post("/api/ask", json={"question": "开办企业要多久？"})
        assert response.status_code == 503 and "assistant build" in response.json()["error"]["message_en"]
        assert str(tmp_path) not in response.text  # no absolute path in the body
        assert client.get("/api/health").status_code == 503


def test_build_repairs_a_damaged_build_and_a_garbage_manifest_blocks_nothing(built_settings, tmp_path):
    settings = copy_of(built_settings, tmp_path)
    store = IndexStore(settings.index_dir)
    (store.builds / OLDER / "manifest.json").write_bytes(b"\xff\xfe\x00garbage")  # an old build, garbled
    (store.builds / "20990101T000000000000-9.partial").mkdir()  # a killed build's leftovers
    up_to_date = build_index(settings)
    assert up_to_date["mode"] == "up to date"
    assert not list(store.builds.glob("*.partial"))  # swept although nothing was built

    damage(store.current(), "dense.faiss", "garble")  # type: ignore[arg-type]
    repaired = build_index(settings)  # not "up to date": the serving build is damaged
    assert repaired["mode"] in ("full", "incremental")
    folder = store.current()
    assert folder is not None and verify_build(folder, json.loads((folder / "manifest.json").read_text()) | {}) == []
    assert "1 个工作日" in Assistant(settings).ask("泾河新城开办企业要多久？").text
