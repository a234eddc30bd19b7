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


def test_while_the_index_loads_every_route_but_health_is_503_starting(tmp_path):
    """The port bound at once: with a slow loader (injected, held until released), the health
    probes say `starting`; every other route, the page's and /v1 included, is 503 `starting`
    with Retry-After; once loaded, the routes answer as usual."""
    import threading

    settings = Settings(index_dir=tmp_path / "nothing", data_dir=tmp_path / "data")
    release = threading.Event()

    def slow_loader() -> None:
        assert release.wait(30), "the test never released the loader"

    app = create_app(settings, ui=False, load_in_background=True, loader=slow_loader)
    with TestClient(app, raise_server_exceptions=False) as c:
        try:
            health = c.get("/api/health")
            assert health.status_code == 503 and health.headers["retry-after"]
            assert health.json()["status"] == "starting" and health.json()["live"] is True
            assert health.json()["ready"] is False and health.json()["error"]["code"] == "starting"
            assert c.head("/api/health").status_code == 503
            assert c.get("/api/health/live").json() == {"status": "live"}
            assert c.get("/api/health/ready").json()["status"] == "starting"
            for method, path in (("POST", ASK), ("GET", "/api/documents"), ("GET", "/v1/models"),
                                 ("GET", "/metrics"), ("GET", "/")):
                response = c.request(method, path, json={"question": "开办企业要多久？"} if method == "POST" else None)
                body = error(response, 503, "starting")
                assert int(response.headers["retry-after"]) > 0
                assert "starting" in body["message_en"] and "启动" in body["message_zh"]
            assert c.get("/v1/models").json()["error"]["type"] == "server_error"  # OpenAI's shape under /v1
        finally:
            release.set()
        assert app.state.startup.wait(10)
        # loaded (here: no index at all, so the answering routes say how to build; the rest works)
        assert c.get("/api/health/live").status_code == 200
        assert c.get("/api/health").json()["status"] == "unavailable"
        error(c.post(ASK, json={"question": "开办企业要多久？"}), 503, "index_missing")
        assert c.get("/v1/models").status_code == 200


def test_a_loader_that_fails_leaves_the_server_up_saying_why(tmp_path):
    settings = Settings(index_dir=tmp_path / "nothing", data_dir=tmp_path / "data")

    def broken_loader() -> None:
        raise RuntimeError("disk on fire")

    app = create_app(settings, ui=False, load_in_background=True, loader=broken_loader)
    with TestClient(app, raise_server_exceptions=False) as c:
        assert app.state.startup.wait(10)
        assert c.get("/api/health/live").status_code == 200
        error(c.post(ASK, json={"question": "开办企业要多久？"}), 503, "index_missing")


def test_a_change_killed_while_staging_leaves_no_file_in_the_corpus_once_the_server_starts(tmp_path):
    """A server killed while it staged an upload (the journal folder written, journal.json not yet:
    nothing had moved) leaves the staged bytes in corpus/.journal/; the next start removes them.
    (Unchecked, the server looked only for journal.json and the staged file stayed until the
    next change.)"""
    import time

    from assistant.service.journal import FOLDER

    corpus = tmp_path / "corpus"
    (corpus / FOLDER).mkdir(parents=True)
    (corpus / FOLDER / "0.new.tmp").write_bytes(b"staged, never journaled")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "nothing", data_dir=tmp_path / "data")
    with TestClient(create_app(settings, ui=False), raise_server_exceptions=False) as c:
        deadline = time.monotonic() + 10
        while (corpus / FOLDER).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(corpus.iterdir()) == []
        assert c.get("/api/health/live").status_code == 200
