"""The operations middleware on tiny apps of its own: request ids and access lines, the 404 shape,
JSON log lines."""

from __future__ import annotations

import json
import logging

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from assistant.errors import Unauthorized
from assistant.settings import Settings
from tests.conftest import error
from web.app import create_app
from web.ops import ErrorShape404, JsonFormatter, RequestLog, check_metrics_token, request_id


def app_with(*middleware):  # type: ignore[no-untyped-def]
    async def hello(_request):  # type: ignore[no-untyped-def]
        logging.getLogger("web.test").info("inside")
        return PlainTextResponse("hi")

    async def gone(_request):  # type: ignore[no-untyped-def]
        return JSONResponse({"detail": "Not Found"}, status_code=404)

    async def own(_request):  # type: ignore[no-untyped-def]
        return JSONResponse({"error": {"code": "unknown_clause"}}, status_code=404)

    app = Starlette(routes=[Route("/hello", hello), Route("/gone", gone), Route("/own", own)])
    for cls in middleware:
        app.add_middleware(cls)
    return app


def test_request_id_is_returned_logged_and_a_sane_given_one_is_kept(caplog):
    client = TestClient(app_with(RequestLog))
    with caplog.at_level(logging.INFO, logger="web.access"):
        made = client.get("/hello")
        kept = client.get("/hello", headers={"X-Request-ID": "abc-123"})
        bad = client.get("/hello", headers={"X-Request-ID": "x" * 300})
    assert len(made.headers["x-request-id"]) == 32 and kept.headers["x-request-id"] == "abc-123"
    assert bad.headers["x-request-id"] != "x" * 300
    lines = [r for r in caplog.records if r.name == "web.access"]
    assert len(lines) == 3 and lines[1].getMessage().startswith("GET /hello 200 ")
    assert lines[1].status == 200 and lines[1].path == "/hello"


def test_a_detail_404_becomes_the_error_shape_and_other_answers_pass():
    client = TestClient(app_with(ErrorShape404))
    body = client.get("/gone").json()
    assert body["error"]["code"] == "not_found" and "/gone" in body["error"]["message_en"]
    assert client.get("/own").json() == {"error": {"code": "unknown_clause"}}  # the app's own 404 untouched
    assert client.get("/hello").text == "hi"


def test_json_log_lines_carry_the_request_id():
    token = request_id.set("rid-7")
    try:
        record = logging.LogRecord("web.access", logging.INFO, __file__, 1, "GET %s %d", ("/x", 200), None)
        record.status = 200
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["message"] == "GET /x 200" and line["request_id"] == "rid-7" and line["status"] == 200
    assert line["level"] == "INFO" and line["logger"] == "web.access"


def test_metrics_token_is_checked_only_when_one_is_set():
    check_metrics_token("", "")  # none configured: open
    check_metrics_token("", "Bearer anything")
    check_metrics_token("scrape-Tk81x", "Bearer scrape-Tk81x")
    check_metrics_token("scrape-Tk81x", "bearer  scrape-Tk81x ")
    for sent in ("", "Bearer", "Bearer scrape-Tk81", "Basic scrape-Tk81x", "scrape-Tk81x", "Bearer scrape-Tk81xx"):
        with pytest.raises(Unauthorized):
            check_metrics_token("scrape-Tk81x", sent)


def test_metrics_behind_a_token_on_the_app(tmp_path):
    """With ASSISTANT_METRICS_TOKEN set, /metrics is 401 in the error shape (WWW-Authenticate:
    Bearer) without it or with a wrong one, and the Prometheus text with it; unset, it is open."""
    settings = Settings(index_dir=tmp_path / "nothing", data_dir=tmp_path / "data", metrics_token="scrape-Tk81x")
    with TestClient(create_app(settings, ui=False), raise_server_exceptions=False) as c:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"X-Admin-Token": "scrape-Tk81x"}):
            refused = c.get("/metrics", headers=headers)
            body = error(refused, 401, "unauthorized")
            assert refused.headers["www-authenticate"] == "Bearer" and "metrics token" in body["message_en"]
            assert "assistant_http_requests_total" not in refused.text
        scraped = c.get("/metrics", headers={"Authorization": "Bearer scrape-Tk81x"})
        assert scraped.status_code == 200 and "assistant_http_requests_total" in scraped.text
    open_settings = Settings(index_dir=tmp_path / "nothing", data_dir=tmp_path / "data2")
    with TestClient(create_app(open_settings, ui=False), raise_server_exceptions=False) as c:
        assert c.get("/metrics").status_code == 200
