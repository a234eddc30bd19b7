"""The operations middleware on tiny apps of its own: request ids and access lines, the 404 shape,
JSON log lines."""

from __future__ import annotations

import json
import logging

from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from web.ops import ErrorShape404, JsonFormatter, RequestLog, request_id


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
