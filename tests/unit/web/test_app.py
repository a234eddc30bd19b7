"""The app without an index: the answering routes are a 503 that says how to build; the rest works."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.settings import Settings
from tests.conftest import error
from web.app import create_app

ASK = "/api/ask"


def test_missing_index_is_a_503_that_says_how_to_build(tmp_path):
    settings = Settings(index_dir=tmp_path / "nothing", data_dir=tmp_path / "data")
    with TestClient(create_app(settings, ui=False), raise_server_exceptions=False) as c:
        body = error(c.post(ASK, json={"question": "开办企业要多久？"}), 503, "index_missing")
        assert "assistant build" in body["message_en"] and "assistant build" in body["message_zh"]
        error(c.get("/api/search", params={"q": "开办企业"}), 503, "index_missing")
        health = c.get("/api/health")
        assert health.status_code == 503 and health.json()["status"] == "unavailable"
        # the rest of the server still works
        assert c.get("/v1/models").status_code == 200
