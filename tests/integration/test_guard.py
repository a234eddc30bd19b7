"""Hostile requests: oversized bodies, lone surrogates, floods, framing, feedback abuse. Each is a
clear 4xx in the error shape, answered before the body is parsed. Here on a test client over the
session's built index; the live-server checks are in tests/slow/test_guard.py."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.service.assistant import Assistant
from assistant.service.feedback import FeedbackStore
from assistant.settings import Settings
from tests.conftest import code_of
from web.app import create_app

TOKEN = "guard-secret-Lx49tYc3"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

log = logging.getLogger(__name__)


@pytest.fixture(scope="module")
def settings(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return built_settings.model_copy(update={
        "data_dir": tmp_path_factory.mktemp("guard-data"), "admin_token": SecretStr(TOKEN),
        "rate_limit_ask": "1000/second", "rate_limit_other": "1000/second", "rate_limit_admin": "1000/second"})


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, Assistant(settings), FeedbackStore(settings.data_dir / "feedback.sqlite3"))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize(("path", "body"), [
    ("/api/ask", '{"question": "\\ud800开办企业"}'),
    ("/api/ask", '{"question": "开办企业要多久？", "history": [{"role": "user", "content": "\\udfff"}]}'),
    ("/v1/chat/completions", '{"messages": [{"role": "user", "content": "\\ud800"}]}'),
    ("/api/feedback", '{"rating": "up", "question": "q", "comment": "\\ud800"}'),
])
def test_a_lone_surrogate_is_a_400(client, path, body):
    response = client.post(path, content=body.encode(), headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and code_of(response) == "invalid_request"


def test_the_service_refuses_a_lone_surrogate_too(settings):
    from assistant.errors import InvalidQuestion

    with pytest.raises(InvalidQuestion):
        Assistant(settings).validate("\ud800开办企业")


def test_a_history_is_capped_in_characters(client, settings):
    each = settings.max_history_chars // 4
    history = [{"role": "user", "content": "问" * each} for _ in range(5)]
    response = client.post("/api/ask", json={"question": "那渭滨区呢？", "history": history})
    assert response.status_code == 400 and "characters" in response.json()["error"]["message_en"]


def test_feedback_is_bounded_private_and_idempotent(client):
    row = {"rating": "up", "question": "开办企业要多久？", "idempotency_key": "retry-1"}
    first, again = client.post("/api/feedback", json=row), client.post("/api/feedback", json=row)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    by_header = [client.post("/api/feedback", json={"rating": "down", "question": "q"},
                             headers={"Idempotency-Key": "retry-2"}) for _ in range(2)]
    assert by_header[0].json()["id"] == by_header[1].json()["id"]
    too_many = client.post("/api/feedback", json={"rating": "up", "question": "q", "clause_ids": ["x"] * 21})
    assert too_many.status_code == 400
    long_id = client.post("/api/feedback", json={"rating": "up", "question": "q", "clause_ids": ["x" * 201]})
    assert long_id.status_code == 400
    assert client.get("/api/feedback").status_code == 401
    listed = client.get("/api/feedback", headers=AUTH).json()["feedback"]
    assert sum(1 for r in listed if r["question"] == "开办企业要多久？") == 1


def test_security_headers_on_the_page_and_the_api(client):
    for path in ("/", "/api/health", "/api/nothing-here"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"
    # CORS is closed unless configured
    preflight = client.options("/api/ask", headers={"Origin": "https://elsewhere.example",
                                                    "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_opens_to_the_origins_configured(settings):
    open_to = settings.model_copy(update={"cors_origins": ["https://portal.example"]})
    with TestClient(create_app(open_to, Assistant(open_to), ui=False)) as c:
        allowed = c.options("/api/ask", headers={"Origin": "https://portal.example",
                                                 "Access-Control-Request-Method": "POST"})
        assert allowed.headers["access-control-allow-origin"] == "https://portal.example"
        other = c.options("/api/ask", headers={"Origin": "https://elsewhere.example",
                                               "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in other.headers


def test_a_flood_is_a_429_with_retry_after(settings):
    tight = settings.model_copy(update={"rate_limit_ask": "3/minute", "rate_limit_admin": "2/minute"})
    with TestClient(create_app(tight, Assistant(tight), ui=False), raise_server_exceptions=False) as c:
        codes = [c.get("/api/search", params={"q": "开办企业"}).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = c.post("/api/ask", json={"question": "开办企业要多久？"})
        assert limited.status_code == 429 and code_of(limited) == "rate_limited"
        assert int(limited.headers["retry-after"]) >= 1
        # guessing the admin token is slow: two tries a minute here
        tries = [c.delete("/api/documents/x", headers={"Authorization": f"Bearer guess{i}"}).status_code
                 for i in range(3)]
        assert tries == [401, 401, 429]
        assert c.get("/api/health").status_code == 200  # reading is not limited


def test_a_wrong_method_is_a_405_with_allow_in_the_error_shape(client):
    for method, path in (("GET", "/api/ask"), ("DELETE", "/api/health"), ("GET", "/v1/chat/completions")):
        response = client.request(method, path)
        assert response.status_code == 405 and code_of(response) == "method_not_allowed", (method, path)
        assert "POST" in response.headers["allow"] or "GET" in response.headers["allow"]


def test_no_absolute_path_reaches_a_client(settings, tmp_path):
    from web.app import _no_paths

    assert _no_paths("no index at /srv/app/index: run `assistant build`") == "no index at index: run `assistant build`"
    assert _no_paths("index build /a/b/builds/2026x is damaged") == "index build 2026x is damaged"
    assert _no_paths("see /docs for the routes") == "see /docs for the routes"  # one part: a route, kept
    missing = settings.model_copy(update={"index_dir": tmp_path / "nowhere"})
    with TestClient(create_app(missing, Assistant(missing), ui=False)) as c:
        response = c.post("/api/ask", json={"question": "开办企业要多久？"})
        assert response.status_code == 503 and str(tmp_path) not in response.text


def test_a_full_disk_is_a_507_and_leaves_nothing_behind(built_settings, tmp_path, monkeypatch):
    import errno
    import shutil

    shutil.copytree(built_settings.corpus_dir, tmp_path / "corpus")
    shutil.copytree(built_settings.index_dir, tmp_path / "index")
    full = built_settings.model_copy(update={"corpus_dir": tmp_path / "corpus", "index_dir": tmp_path / "index",
                                             "admin_token": SecretStr(TOKEN), "data_dir": tmp_path / "data"})
    before = sorted(p.name for p in (tmp_path / "corpus").iterdir())
    real_write = Path.write_bytes

    def no_space(self: Path, data: bytes) -> int:
        if self.name.endswith(".tmp"):
            real_write(self, data[:10])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", no_space)
    text = "西安市优化营商环境若干措施\n一、企业开办全流程1个工作日办结。\n".encode()
    with TestClient(create_app(full, Assistant(full), ui=False), raise_server_exceptions=False) as c:
        response = c.post("/api/documents", files={"file": ("a.txt", text)}, data={"region": "西安"}, headers=AUTH)
    assert response.status_code == 507 and code_of(response) == "insufficient_storage"
    assert sorted(p.name for p in (tmp_path / "corpus").iterdir()) == before  # no temp file, no half document


def _copy(built_settings: Settings, tmp_path: Path) -> Settings:
    import shutil

    shutil.copytree(built_settings.corpus_dir, tmp_path / "corpus")
    shutil.copytree(built_settings.index_dir, tmp_path / "index")
    return built_settings.model_copy(update={"corpus_dir": tmp_path / "corpus", "index_dir": tmp_path / "index",
                                             "admin_token": SecretStr(TOKEN), "data_dir": tmp_path / "data"})


def test_a_docx_of_100000_paragraphs_is_a_422_with_the_figures_and_adds_nothing(built_settings, tmp_path):
    import io
    import time
    from copy import deepcopy

    import docx

    document = docx.Document()
    first = document.add_paragraph("（1）事项。")._p
    for i in range(1, 100_000):  # lxml directly: python-docx's add_paragraph is quadratic
        paragraph = deepcopy(first)
        paragraph.xpath(".//w:t")[0].text = f"（{i % 999 + 1}）事项。"
        first.getparent()[-1].addprevious(paragraph)  # before the section properties
    buffer = io.BytesIO()
    document.save(buffer)
    caps = _copy(built_settings, tmp_path)
    before = sorted(p.name for p in caps.corpus_dir.iterdir())
    manifest = (caps.corpus_dir / "documents.toml").read_text(encoding="utf-8")
    with TestClient(create_app(caps, Assistant(caps), ui=False), raise_server_exceptions=False) as c:
        started = time.perf_counter()
        response = c.post("/api/documents", files={"file": ("many.docx", buffer.getvalue())},
                          data={"region": "西安"}, headers=AUTH)
        seconds = time.perf_counter() - started
        assert response.status_code == 422 and code_of(response) == "too_many_clauses", response.text
        error = response.json()["error"]
        assert error["message_zh"] == "该文件将产生约 100000 条条款，超过每份文件上限 5000 条。"
        assert error["details"]["clauses"] == 100_000 and error["details"]["limit"] == 5000
        # how fast (≤ 10 s, the figure) is measured against a live server, beside the
        # other hostile files, in tests/slow/test_hostile.py; here, what is refused and kept
        log.info("10^5-paragraph docx refused in %.1f s", seconds)
        assert c.post("/api/ask", json={"question": "开办企业要多久？"}).status_code == 200
    assert sorted(p.name for p in caps.corpus_dir.iterdir()) == before
    assert (caps.corpus_dir / "documents.toml").read_text(encoding="utf-8") == manifest


@pytest.mark.parametrize("target", ["vectors.npy", "bm25"])
def test_simulated_disk_full_while_a_build_writes_is_a_507_and_the_previous_build_serves(
        built_settings, tmp_path, monkeypatch, target):
    """A real full disk cannot be made here safely: the write of the build's vectors (numpy.save)
    or of its lexical index (bm25s) raises ENOSPC after writing part of the file."""
    import errno

    import numpy as np

    from assistant.index import stages
    from assistant.index.store import IndexStore

    caps = _copy(built_settings, tmp_path)
    store = IndexStore(caps.index_dir)
    serving, builds = store.current_name(), sorted(p.name for p in store.builds.iterdir())
    before = sorted(p.name for p in caps.corpus_dir.iterdir())
    real_save, real_bm25 = np.save, stages.save_bm25

    def no_space(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(b"\x93NUMPY half")  # half-written, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    def save(path: Path, array: object, *args: object, **kwargs: object) -> None:
        if Path(path).name == target:
            no_space(Path(path))
        real_save(path, array, *args, **kwargs)  # type: ignore[arg-type]

    def save_bm25(bm25: object, folder: Path) -> None:
        if folder.name == target:
            no_space(folder / "data.csc.index.npy")
        real_bm25(bm25, folder)  # type: ignore[arg-type]

    monkeypatch.setattr(np, "save", save)
    monkeypatch.setattr(stages, "save_bm25", save_bm25)
    text = "西安市优化营商环境若干措施\n一、企业开办全流程1个工作日办结。\n".encode()
    with TestClient(create_app(caps, Assistant(caps), ui=False), raise_server_exceptions=False) as c:
        response = c.post("/api/documents", files={"file": ("a.txt", text)}, data={"region": "西安"}, headers=AUTH)
        assert response.status_code == 507 and code_of(response) == "insufficient_storage", response.text
        assert "磁盘空间不足" in response.json()["error"]["message_zh"]
        assert c.post("/api/ask", json={"question": "开办企业要多久？"}).status_code == 200  # the old build answers
    assert store.current_name() == serving
    assert sorted(p.name for p in store.builds.iterdir()) == builds  # no partial build left, none published
    assert sorted(p.name for p in caps.corpus_dir.iterdir()) == before  # the upload rolled back
