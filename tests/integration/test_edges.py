"""One limit per action whatever the route, admin backoff, token strength, no file before the
token, feedback quotas. On a test client with the page mounted; no index is needed (a question is
counted before it is answered). The served-process checks are in tests/slow/test_edges.py."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.settings import Settings
from tests.conftest import code_of
from web.app import create_app

TOKEN = "edges-secret-Mw38pQz6"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RATE = {"up": {"rating": "up", "question": "开办企业要多久？", "answer": "1个工作日。"}}["up"]


def settings_for(tmp_path: Path, **update: Any) -> Settings:
    return Settings(index_dir=tmp_path / "no-index", corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data",
                    admin_token=SecretStr(TOKEN), **update)


@pytest.fixture
def page(tmp_path: Path) -> Iterator[TestClient]:
    settings = settings_for(tmp_path, rate_limit_ask="3/minute", rate_limit_admin="4/minute",
                            admin_backoff_seconds=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def fn_index(client: TestClient, button: str) -> int:
    """The page function a button's click runs, as the page's config names it."""
    config = client.get("/config").json()
    ids = {c.get("props", {}).get("elem_id"): c["id"] for c in config["components"]}
    return next(d["id"] for d in config["dependencies"] if [ids[button], "click"] in [list(t) for t in d["targets"]])


def page_call(client: TestClient, fn: int | str, data: list[Any]) -> str:
    path, body = ("/gradio_api/run/predict", {"fn_index": fn, "data": data}) if isinstance(fn, int) else (
        f"/gradio_api/run/{fn}", {"data": data})
    return client.post(path, json=body).text


def test_page_questions_count_with_api_questions(page):
    assert page.post("/api/ask", json={"question": "开办企业要多久？"}).status_code == 503  # counted, then no index
    said = [page_call(page, "ask", ["开办企业要多久？", "", "", {"turns": []}]) for _ in range(3)]
    assert ["请求过于频繁" in s for s in said] == [False, False, True]
    assert page.post("/api/ask", json={"question": "开办企业要多久？"}).status_code == 429


def test_page_admin_functions_count_with_the_admin_api(page):
    retire = fn_index(page, "retire-button")
    said = [page_call(page, retire, ["guess", None, None]) for _ in range(3)]
    assert all("管理口令缺失或不正确" in s for s in said)
    wrong = page.delete("/api/documents/x", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 401
    assert "请求过于频繁" in page_call(page, retire, ["guess", None, None])  # the 5th admin try in a minute
    limited = page.delete("/api/documents/x", headers=AUTH)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


@pytest.mark.parametrize("file", [{"path": "https://example.com/a.txt", "meta": {"_type": "gradio.FileData"}},
                                  {"path": "data:text/plain;base64,eA==", "meta": {"_type": "gradio.FileData"}},
                                  {"path": " HTTP://127.0.0.1:9/a.txt"}, "https://example.com/b.txt"])
def test_a_url_is_never_a_file_and_nothing_is_written(page, tmp_path, file, caplog):
    uploads = tmp_path / "data" / "page-uploads"
    before = sorted(uploads.rglob("*"))
    upload = fn_index(page, "upload-button")
    for token in ("guess", TOKEN):
        said = page_call(page, upload, [token, file, "", "", "", ""])
        assert "不接受网址" in said, said
    # a URL hidden in the conversation state is refused the same way
    state = {"turns": [{"question": "q", "file": {"path": "https://example.com/c.txt",
                                                  "meta": {"_type": "gradio.FileData"}}}]}
    assert "不接受网址" in page_call(page, "ask", ["开办企业要多久？", "", "", state])
    assert sorted(uploads.rglob("*")) == before
    assert "Traceback" not in caplog.text


def test_a_file_without_the_token_is_dropped_before_gradio_copies_it(page, tmp_path):
    """An uploaded file named by a call with a wrong token: refused, and no copy is made."""
    uploads = tmp_path / "data" / "page-uploads"
    sent = page.post("/gradio_api/upload", files={"files": ("a.txt", "一、开办企业1个工作日。".encode())},
                     headers={"Cookie": f"pa_admin={TOKEN}"})
    assert sent.status_code == 200
    path = sent.json()[0]
    before = sorted(uploads.rglob("*"))
    said = page_call(page, fn_index(page, "upload-button"),
                     ["guess", {"path": path, "meta": {"_type": "gradio.FileData"}}, "", "", "", ""])
    assert "管理口令缺失或不正确" in said
    assert sorted(uploads.rglob("*")) == before


def test_wrong_admin_tokens_back_off_per_address(tmp_path, caplog):
    settings = settings_for(tmp_path, rate_limit_admin="1000/minute", admin_backoff_seconds=30)
    with TestClient(create_app(settings, ui=False), raise_server_exceptions=False) as c:
        tries = [c.delete("/api/documents/x", headers={"Authorization": f"Bearer guess{i}"}).status_code
                 for i in range(5)]
        assert tries == [401, 401, 401, 401, 429]  # three free, then a wait of 30 s
        waiting = c.delete("/api/documents/x", headers=AUTH)  # even the right token waits
        assert waiting.status_code == 429 and code_of(waiting) == "rate_limited"
        assert 25 <= int(waiting.headers["retry-after"]) <= 31
    line = next(r.getMessage() for r in caplog.records if "failure 4" in r.getMessage())
    assert "testclient" in line and "DELETE /api/documents/x" in line and "(in 30 s)" in line


def test_a_weak_admin_token_leaves_admin_off(tmp_path, caplog):
    settings = settings_for(tmp_path).model_copy(update={"admin_token": SecretStr("bar-token")})
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        for headers in ({"Authorization": "Bearer bar-token"}, {}):
            response = c.delete("/api/documents/x", headers=headers)
            assert response.status_code == 403 and code_of(response) == "admin_disabled"
        upload = c.post("/gradio_api/upload", files={"files": ("a.txt", b"x")}, headers={"Cookie": "pa_admin=bar-token"})
        assert upload.status_code == 403
        said = page_call(c, fn_index(c, "retire-button"), ["bar-token", None, None])
        assert "管理功能未开启" in said
    warned = [r.getMessage() for r in caplog.records if "admin is off" in r.getMessage()]
    assert len(warned) == 1 and "token_urlsafe(32)" in warned[0]


def test_feedback_has_a_daily_quota_per_address(tmp_path):
    settings = settings_for(tmp_path, feedback_rows_per_client_per_day=3)
    with TestClient(create_app(settings, ui=False), raise_server_exceptions=False) as c:
        codes = [c.post("/api/feedback", json=RATE, headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code
                 for i in range(4)]  # a forwarded address is not believed: one address
        assert codes == [201, 201, 201, 429]
        limited = c.post("/api/feedback", json=RATE)
        assert code_of(limited) == "rate_limited" and 1 <= int(limited.headers["retry-after"]) <= 86400
        retry = c.post("/api/feedback", json={**RATE, "idempotency_key": "k1"})
        assert retry.status_code == 429  # nothing saved past the quota, keys or not


def test_feedback_stops_at_the_store_size_and_on_a_full_disk(tmp_path, monkeypatch):
    settings = settings_for(tmp_path, feedback_max_bytes=64 * 1024)
    big = {**RATE, "answer": "答" * 10000, "question": "问" * 2000}
    with TestClient(create_app(settings, ui=False), raise_server_exceptions=False) as c:
        codes = [c.post("/api/feedback", json=big).status_code for _ in range(6)]
        assert codes[0] == 201 and codes[-1] == 507, codes
        assert code_of(c.post("/api/feedback", json=RATE)) == "insufficient_storage"

    real_connect = sqlite3.connect

    class Full(sqlite3.Connection):
        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
            if sql.startswith("INSERT"):
                raise sqlite3.OperationalError("database or disk is full")
            return super().execute(sql, *args)

    monkeypatch.setattr("assistant.service.feedback.sqlite3.connect",
                        lambda *a, **k: real_connect(*a, **k, factory=Full))
    roomy = settings_for(tmp_path / "other")
    with TestClient(create_app(roomy, ui=False), raise_server_exceptions=False) as c:
        full = c.post("/api/feedback", json=RATE)
        assert full.status_code == 507 and code_of(full) == "insufficient_storage"


def test_a_file_the_page_uploaded_is_not_taken_for_a_url():
    """The page sends each uploaded file with its own `url` on this server: that is no URL to fetch."""
    from web.ui.blocks import names_a_url

    sent = {"path": "/srv/data/page-uploads/ab12/a.docx", "url": "http://127.0.0.1:7860/gradio_api/file=/srv/a.docx",
            "meta": {"_type": "gradio.FileData"}}
    assert not names_a_url(sent, True) and not names_a_url({"turns": [sent]}, False)
    assert names_a_url({**sent, "path": "https://example.com/a.docx"}, False)
