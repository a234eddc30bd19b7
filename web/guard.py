"""What stands between a client and the app: a body-size limit enforced while the body is read,
per-client rate limits (the `limits` library), and security headers. Pure ASGI middleware, so a
refused request costs no parsing, no spooling and no token check.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from assistant.errors import (
    AdminDisabled,
    AssistantError,
    BodyTooLarge,
    StorageError,
    Unauthorized,
    UploadTooLarge,
)
from assistant.service.contract import error_json
from web.limits import Kind, Limits
from web.openai_errors import is_openai, openai_shaped

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_PATHS = ("/api/documents", "/gradio_api/upload")
ENVELOPE = 64 * 1024  # what a multipart envelope adds to a file


async def send_error(send: Send, exc: AssistantError, status: int, headers: dict[str, str] | None = None,
                     path: str = "") -> None:
    shaped = error_json(exc)
    body = json.dumps(openai_shaped(shaped, status) if is_openai(path) else shaped, ensure_ascii=False).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


class BodyLimit:
    """Refuse a body over its route's limit with 413 in the error shape: at once when its
    Content-Length says so, else as soon as the bytes read pass the limit (the app is told the
    client left, and whatever it answers is replaced by the 413). Uploads may be larger; the
    page's upload folder has a quota, so anonymous uploads cannot fill the disk."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int, upload_dir: Path | None = None,
                 upload_quota: int = 0) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.upload_dir = upload_dir
        self.upload_quota = upload_quota

    def limit_for(self, path: str) -> int:
        return self.max_upload + ENVELOPE if path.startswith(UPLOAD_PATHS) else self.max_body

    def _quota_used(self) -> int:
        if self.upload_dir is None or not self.upload_dir.exists():
            return 0
        return sum(p.stat().st_size for p in self.upload_dir.rglob("*") if p.is_file())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = self.limit_for(path)
        declared = _header(scope, b"content-length")
        kind = UploadTooLarge if path.startswith(UPLOAD_PATHS) else BodyTooLarge
        too_large = kind(f"the request body is larger than {limit} bytes", f"请求体超过 {limit // 1024} KB 的上限。",
                         limit=limit)
        if declared.isdigit() and int(declared) > limit:
            log.info("%s %s → 413 body_too_large: %s bytes declared", scope.get("method"), path, declared)
            await send_error(send, too_large, 413, path=path)
            return
        if path.startswith("/gradio_api/upload") and self.upload_quota and self._quota_used() > self.upload_quota:
            log.warning("page uploads refused: the upload folder holds more than %d bytes", self.upload_quota)
            await send_error(send, StorageError("the upload folder is full; try again later",
                                                "上传暂存区已满，请稍后再试。"), 507)
            return

        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app's answer to a "disconnect" is replaced by the 413
            started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            log.info("%s %s → 413 body_too_large: more than %d bytes sent", scope.get("method"), path, limit)
            await send_error(send, too_large, 413, path=path)


class UploadGate:
    """The page's own upload endpoint (`/gradio_api/upload`, used only by the 文件管理 tab) takes
    files only from a browser that holds the admin token: the page puts what the admin typed in a
    session cookie scoped to that path (`pa_admin`). Anyone else gets 401 (403 when admin is off)
    before a byte is read, so anonymous clients cannot write files to the server's disk."""

    COOKIE = "pa_admin"

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    def _presented(self, scope: Scope) -> str:
        from http.cookies import SimpleCookie
        from urllib.parse import unquote

        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(_header(scope, b"cookie"))
        except Exception:  # a malformed cookie header presents nothing
            return ""
        morsel = jar.get(self.COOKIE)
        return unquote(morsel.value) if morsel else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/gradio_api/upload"):
            await self.app(scope, receive, send)
            return
        if not self.token:
            await send_error(send, AdminDisabled("uploads are off: the server has no admin token",
                                                 "未设置管理口令，上传不可用。"), 403)
            return
        if not hmac.compare_digest(self._presented(scope).encode(), self.token.encode()):
            log.info("%s %s → 401 unauthorized: page upload without the admin token", scope.get("method"),
                     scope.get("path"))
            await send_error(send, Unauthorized("missing or wrong admin token", "管理口令缺失或不正确。"), 401,
                             {"WWW-Authenticate": "Bearer"})
            return
        await self.app(scope, receive, send)


class RateLimit:
    """Per-client moving-window limits (web/limits.py): questions, admin routes (stricter, and an
    address that sent wrong tokens waits longer each time, so a token cannot be guessed quickly),
    and everything else. 429 in the error shape with Retry-After. The page's functions are counted
    by the functions themselves, under their action's limit, whatever route calls them."""

    def __init__(self, app: ASGIApp, *, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    @staticmethod
    def kind(method: str, path: str) -> Kind | None:
        """Which limit a request counts against; None: none (reading the page and its assets)."""
        if (path.startswith("/api/documents") and method not in ("GET", "HEAD")) or path.rstrip("/") == (
                "/gradio_api/upload") or (path == "/api/feedback" and method == "GET"):
            return "admin"
        if path in ("/api/ask", "/api/search", "/v1/chat/completions", "/v1/responses") or (
                path == "/mcp" and method == "POST"):
            return "ask"
        return None if method in ("GET", "HEAD", "OPTIONS") else "other"

    def client(self, scope: Scope) -> str:
        peer = scope.get("client") or ("unknown", 0)
        return self.limits.client(str(peer[0]), _header(scope, b"x-forwarded-for"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope.get("method", "GET"), scope.get("path", "")
        kind = self.kind(method, path)
        if kind is None:
            await self.app(scope, receive, send)
            return
        who = self.client(scope)
        refused = self.limits.admin_gate(who) if kind == "admin" else self.limits.hit(kind, who)
        if refused is not None:
            log.info("%s %s → 429 rate_limited: %s: %s", method, path, who, refused.message)
            wait = str(refused.details["retry_after"])
            await send_error(send, refused, 429, {"Retry-After": wait}, path=path)
            return
        if kind != "admin":
            await self.app(scope, receive, send)
            return

        async def watched(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] == 401:
                    self.limits.backoff.failed(who, f"{method} {path}")
                elif message["status"] < 400:
                    self.limits.backoff.passed(who)
            await send(message)

        await self.app(scope, receive, watched)


# The page runs inline scripts and styles (Gradio's and its own; Gradio 6's HTML component
# evaluates its templates with Function, hence 'unsafe-eval'), loads nothing from elsewhere, and
# may not be framed by another site.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
       "media-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {bytes(k).lower() for k, _v in message.get("headers", ())}
                message["headers"] = [*message.get("headers", ()),
                                      *((k, v) for k, v in self.headers if k not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)
