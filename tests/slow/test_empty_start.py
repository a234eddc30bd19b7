"""A new deployment starts from nothing: no corpus folder (or a documents.toml without any
[[source]]) builds, serves "no documents yet" (an answer, the health check, the document list),
and its first `assistant add` is built and answered with its citation."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.cli import main
from assistant.errors import NoDocuments
from assistant.index.build import build_index
from assistant.index.load import load_index
from assistant.service.assistant import Assistant
from assistant.settings import Settings, get_settings
from tests.conftest import error

TOKEN = "empty-secret-Ru48pLx2Qd"
WATER = "西安市用水报装措施\n一、报装\n1. 用水报装4个工作日办结。\n2. 无外线工程的免费接入。\n"


def _settings(root: Path) -> Settings:
    return Settings(corpus_dir=root / "corpus", index_dir=root / "index", data_dir=root / "data",
                    embedder_train_seconds=5)


@pytest.mark.parametrize("start", ["no folder", "no sources"])
def test_from_an_empty_corpus_add_one_file_build_ask_and_the_answer_cites_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: str):
    settings = _settings(tmp_path)
    if start == "no sources":
        settings.corpus_dir.mkdir()
        (settings.corpus_dir / "documents.toml").write_text("# nothing yet\n", encoding="utf-8")
    for key, value in (("CORPUS_DIR", settings.corpus_dir), ("INDEX_DIR", settings.index_dir),
                       ("DATA_DIR", settings.data_dir), ("EMBEDDER_TRAIN_SECONDS", "5")):
        monkeypatch.setenv(f"ASSISTANT_{key}", str(value))
    get_settings.cache_clear()

    out = io.StringIO()
    assert main(["build"], out) == 0 and "0 documents, 0 clauses" in out.getvalue()
    empty = Assistant(settings).ask("用水报装要多久？")
    assert empty.abstained and not empty.citations and "还没有文件" in empty.text
    with pytest.raises(NoDocuments):
        load_index(settings)

    notice = tmp_path / "用水.txt"
    notice.write_text(WATER, encoding="utf-8")
    out = io.StringIO()
    assert main(["add", str(notice), "--region", "西安"], out) == 0, out.getvalue()
    assert "1 documents, 3 clauses" in out.getvalue()
    assert build_index(settings)["mode"] == "up to date"
    out = io.StringIO()
    assert main(["ask", "用水报装要多久？"], out) == 0
    assert "4个工作日" in out.getvalue() and "《西安市用水报装措施》" in out.getvalue()


def test_the_api_serves_an_empty_corpus_and_takes_its_first_upload(tmp_path: Path):
    from assistant.service.feedback import FeedbackStore
    from web.app import create_app

    settings = _settings(tmp_path).model_copy(update={"admin_token": SecretStr(TOKEN)})
    build_index(settings)
    app = create_app(settings, Assistant(settings), FeedbackStore(settings.data_dir / "feedback.sqlite3"), ui=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        health = client.get("/api/health")
        assert health.status_code == 200 and health.json()["status"] == "empty"
        assert "还没有文件" in health.json()["error"]["message_zh"]
        asked = client.post("/api/ask", json={"question": "用水报装要多久？"})
        assert asked.status_code == 200, asked.text
        assert "还没有文件" in asked.json()["answer"] and asked.json()["citations"] == []
        assert client.get("/api/documents").json()["documents"] == []
        found = client.get("/api/search", params={"q": "用水报装"})  # nothing to rank: said plainly
        assert error(found, 404, "no_documents")["message_zh"].startswith("文件库中还没有文件")

        added = client.post("/api/documents", files={"file": ("用水.txt", WATER.encode())}, data={"region": "西安"},
                            headers={"Authorization": f"Bearer {TOKEN}"})
        assert added.status_code == 201, added.text
        asked = client.post("/api/ask", json={"question": "用水报装要多久？"})
        assert asked.json()["citations"][0]["document_id"] == added.json()["document"]["id"]
        assert client.get("/api/health").json()["status"] == "ready"
