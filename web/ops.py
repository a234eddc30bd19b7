"""What an operator runs and watches: Prometheus metrics (behind `ASSISTANT_METRICS_TOKEN` when
set), one access-log line per request with a
request id (returned as `X-Request-ID`), JSON logs (`ASSISTANT_LOG_FORMAT=json`), and unknown
paths answered in the API's error shape rather than FastAPI's `{"detail": "Not Found"}`.

Pure ASGI middleware, like web/guard.py; the metrics live in a registry of the app's own.
"""

from __future__ import annotations

import contextvars
import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from assistant.errors import AssistantError, NotFound, Unauthorized
from assistant.models import Answer
from assistant.service.assistant import Assistant
from web.guard import ASGIApp, Message, Receive, Scope, Send, _header, send_error

access_log = logging.getLogger("web.access")
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class Metrics:
    """The server's metrics: requests and latency by route, answers by state, clauses cited, and
    the serving build (id, age, clauses) read at scrape time."""

    def __init__(self, assistant: Assistant) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("assistant_http_requests_total", "HTTP requests by method, route and status",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("assistant_http_request_duration_seconds", "HTTP request latency by method and route",
                                 ["method", "route"], registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
        self.answers = Counter("assistant_answers_total", "Answers given, by state (answered, partial, not_found, "
                               "small_talk)", ["state"], registry=self.registry)
        self.clauses = Counter("assistant_clauses_served_total", "Clauses cited in answers", registry=self.registry)
        self.registry.register(BuildCollector(assistant))
        assistant.observers.append(self.answered)

    def answered(self, answer: Answer) -> None:
        self.answers.labels(answer.state).inc()
        self.clauses.inc(len(answer.citations))


class BuildCollector(Collector):
    """The serving build, read when scraped: an info gauge with its id, its age and its size."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def collect(self) -> Iterator[GaugeMetricFamily]:
        info = GaugeMetricFamily("assistant_build_info", "The serving index build (1) and whether it is a fallback",
                                 labels=["build", "degraded"])
        age = GaugeMetricFamily("assistant_build_age_seconds", "Seconds since the serving build was built")
        size = GaugeMetricFamily("assistant_index_clauses", "Clauses in the serving build")
        try:
            manifest = self.assistant.manifest()
        except AssistantError:
            manifest = {}
        if manifest:
            info.add_metric([str(manifest.get("build", "")), "1" if self.assistant.degraded else "0"], 1)
            built = manifest.get("built_at")
            if built:
                try:
                    age.add_metric([], (datetime.now(UTC) - datetime.fromisoformat(built)).total_seconds())
                except ValueError:
                    pass
            size.add_metric([], float(manifest.get("clauses", 0)))
        yield from (info, age, size)


def check_metrics_token(expected: str, authorization: str) -> None:
    """`/metrics` with a token configured: the request must send it as `Authorization: Bearer …`
    (compared in constant time); without one configured, anyone may scrape."""
    if not expected:
        return
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise Unauthorized("missing or wrong metrics token: send ASSISTANT_METRICS_TOKEN as a bearer token",
                           "监控口令缺失或不正确：请以 Bearer 方式发送 ASSISTANT_METRICS_TOKEN。")


def _route_of(scope: Scope) -> str:
    """The route template (`/api/clauses/{clause_id:path}`), so label values stay few."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str) and path:
        return path if not path.endswith("{path:path}") else "unmatched"
    raw = str(scope.get("path", ""))
    if raw.startswith(("/gradio_api", "/assets", "/static", "/theme", "/config", "/file=")) or raw == "/":
        return "page"
    return "unmatched"


class RequestLog:
    """Every HTTP request: a request id (the client's `X-Request-ID` when sane, else a new one),
    echoed as `X-Request-ID`; one access-log line (method, path, status, ms, id); the metrics."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        rid = given if _SANE_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, with_id)
        finally:
            elapsed = time.perf_counter() - started
            method, path = scope.get("method", ""), scope.get("path", "")
            access_log.info("%s %s %d %.1fms", method, path, status, elapsed * 1000,
                            extra={"method": method, "path": path, "status": status,
                                   "duration_ms": round(elapsed * 1000, 1)})
            if self.metrics is not None and path != "/metrics":
                route = _route_of(scope)
                self.metrics.requests.labels(method, route, str(status)).inc()
                self.metrics.latency.labels(method, route).observe(elapsed)
            request_id.reset(token)


class ErrorShape404:
    """A 404 that the page's app (mounted at `/`) answers as `{"detail": "Not Found"}` becomes the
    API's error shape; other answers pass untouched (only a JSON 404 is held back to look at)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: Message | None = None
        body = b""
        replaced = False

        async def watch(message: Message) -> None:
            nonlocal held, body, replaced
            if message["type"] == "http.response.start" and message["status"] == 404 and any(
                    bytes(k).lower() == b"content-type" and bytes(v).startswith(b"application/json")
                    for k, v in message.get("headers", ())):
                held = message
                return
            if held is not None and message["type"] == "http.response.body":
                body += message.get("body", b"")
                if message.get("more_body"):
                    return
                try:
                    parsed: Any = json.loads(body)
                except ValueError:
                    parsed = None
                if isinstance(parsed, dict) and set(parsed) == {"detail"}:
                    path = scope.get("path", "")
                    replaced = True
                    await send_error(send, NotFound(f"nothing at {path}; see /docs", f"不存在 {path}，请查看 /docs。"),
                                     404)
                    return
                await send(held)
                await send({"type": "http.response.body", "body": body})
                return
            if not replaced:
                await send(message)

        await self.app(scope, receive, watch)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every log record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and an access line's fields."""

    FIELDS = ("method", "path", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                               "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        rid = getattr(record, "request_id", "") or request_id.get()
        if rid:
            out["request_id"] = rid
        out.update({k: getattr(record, k) for k in self.FIELDS if hasattr(record, k)})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """The root handler's format (`text` or `json`) and the request id on every record."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level)
    for handler in root.handlers:
        if log_format == "json":
            handler.setFormatter(JsonFormatter())
        else:
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"))
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
    access_log.setLevel(logging.INFO)
