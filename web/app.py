"""`create_app()`: the FastAPI app with the API routes and the Gradio page mounted at `/`.

Errors leave as JSON with a stable code and a message in English and Chinese; a client's input
can produce 400, 404 or 503, never a 500.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, RedirectResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant import __version__
from assistant.errors import (
    AdminDisabled,
    AssistantError,
    BodyTooLarge,
    Busy,
    CorpusError,
    DiskFull,
    IdTaken,
    IndexDamaged,
    IndexMissing,
    IndexStale,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    RateLimited,
    SearchUnavailable,
    Starting,
    StorageError,
    TooManyClauses,
    Unauthorized,
    UnreadableDocument,
    UploadTooLarge,
)
from assistant.service.assistant import Assistant
from assistant.service.contract import error_json
from assistant.service.feedback import FeedbackStore
from assistant.settings import Settings, get_settings
from web.guard import BodyLimit, RateLimit, SecurityHeaders, UploadGate
from web.lanes import LongLane
from web.limits import Limits, usable_token
from web.mcp import build_mcp
from web.openai_errors import is_openai, openai_shaped
from web.ops import ErrorShape404, Metrics, RequestLog, check_metrics_token
from web.startup import StartingGate, Startup

log = logging.getLogger(__name__)


# The HTTP status of each kind of error, the more specific kinds first.
STATUSES: tuple[tuple[type[AssistantError] | tuple[type[AssistantError], ...], int], ...] = (
    ((IndexMissing, IndexStale, IndexDamaged, CorpusError, StorageError, SearchUnavailable, Starting), 503),
    (Unauthorized, 401), (AdminDisabled, 403), ((Busy, IdTaken), 409), ((UploadTooLarge, BodyTooLarge), 413),
    ((UnreadableDocument, TooManyClauses), 422), (RateLimited, 429), (DiskFull, 507),
    (NotFound, 404), (MethodNotAllowed, 405), (InvalidRequest, 400),
)


def status_for(exc: AssistantError) -> int:
    return next((status for kind, status in STATUSES if isinstance(exc, kind)), 500)


# An absolute path in a message (/srv/app/index/builds/…): only its last part is shown to clients.
_PATH = re.compile(r"(?<![\w.])(?:/[\w.@+-]+){2,}/?")


def _no_paths(text: str) -> str:
    return _PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], text)


def _error_response(exc: AssistantError, status: int | None = None,
                    headers: dict[str, str] | None = None, path: str = "") -> JSONResponse:
    status = status or status_for(exc)
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status in (429, 503) and exc.details.get("retry_after"):
        headers["Retry-After"] = str(exc.details["retry_after"])
    if status == 405 and exc.details and exc.details.get("allowed"):
        headers["Allow"] = ", ".join(exc.details["allowed"])
    body = error_json(exc)
    for key in ("message", "message_en", "message_zh"):
        body["error"][key] = _no_paths(body["error"][key])
    if is_openai(path):
        body = openai_shaped(body, status)
    return JSONResponse(body, status_code=status, headers=headers or None)


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        status = status_for(exc)
        # one line, no traceback: a client's mistake (4xx) or the index being unavailable (503)
        log.log(logging.WARNING if status >= 500 else logging.INFO, "%s %s → %d %s: %s", request.method,
                request.url.path, status, exc.code, exc.message)
        return _error_response(exc, status, path=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        where = "; ".join(f"{'.'.join(str(p) for p in d['loc'])}: {d['msg']}" for d in details[:5])
        log.info("%s %s → 400 invalid_request: %s", request.method, request.url.path, where[:300])
        return _error_response(InvalidRequest(f"malformed request: {where}", "请求格式不正确，请检查请求体和参数。",
                                              errors=details), path=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        error: AssistantError
        if exc.status_code == 404:
            error = NotFound("not found", "未找到。")
        elif exc.status_code == 405:
            allowed = [m.strip() for m in (exc.headers or {}).get("Allow", "").split(",") if m.strip()]
            error = MethodNotAllowed(str(exc.detail), "不支持该请求方法。", allowed=allowed)
        elif exc.status_code == 400:
            error = InvalidRequest(f"malformed request: {exc.detail}", "请求格式不正确，请检查请求体和参数。")
        else:
            error = InvalidRequest(str(exc.detail), "请求无法处理。")
            error.code = "http_error"
        return _error_response(error, exc.status_code, path=request.url.path)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        error = AssistantError(f"internal error: {type(exc).__name__}", "服务内部错误，请稍后重试。")
        error.code = "internal_error"
        return _error_response(error, 500, path=request.url.path)


def _recover_in_background(settings: Settings, assistant: Assistant) -> None:
    """A corpus change a killed server left is finished and built in the background; the
    previous build serves meanwhile (never 503 for a state that repairs itself). One killed while
    staging (a journal folder with no journal yet: nothing had moved) is removed, so no staged
    file stays in corpus/."""
    from assistant.service.journal import FOLDER, pending_change
    from assistant.service.library import recover

    if pending_change(settings.corpus_dir):
        assistant.engines.serve_stale = True
    elif not (settings.corpus_dir / FOLDER).exists():
        return

    def finish() -> None:
        try:
            recover(settings)
        except Exception:  # the previous build keeps serving; `assistant build` repairs
            log.exception("could not finish the interrupted corpus change")
        finally:
            assistant.engines.serve_stale = False
            assistant.reload()

    threading.Thread(target=finish, name="recover-change", daemon=True).start()


def create_server() -> FastAPI:
    """What `assistant serve` runs: the whole server, its port bound at once, the index loading behind."""
    return create_app(load_in_background=True)


def create_app(settings: Settings | None = None, assistant: Assistant | None = None,
               feedback: FeedbackStore | None = None, *, ui: bool = True, load_in_background: bool = False,
               loader: Callable[[], None] | None = None) -> FastAPI:
    """The whole server. `assistant` and `feedback` are injected in tests; `ui=False` leaves out Gradio.

    The index loads at startup (`loader`, by default the assistant's `warm_up`): before the app
    serves, or with `load_in_background` in a thread while it already answers, 503 `starting`
    to all but the health probes until it is loaded."""
    settings = usable_token(settings or get_settings())  # a weak admin token leaves admin off
    assistant = assistant or Assistant(settings)
    feedback = feedback or FeedbackStore(settings.data_dir / "feedback.sqlite3",
                                         per_client_per_day=settings.feedback_rows_per_client_per_day,
                                         max_bytes=settings.feedback_max_bytes)
    limits = Limits(settings)
    startup = Startup(loader or assistant.warm_up)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Answering is CPU-bound Python: more threads than cores only queue on the GIL and
        # stretch every request's latency. A few keep I/O-bound routes responsive meanwhile.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        _recover_in_background(settings, assistant)
        if load_in_background:
            startup.start()
        else:
            startup.run()
        assistant.watch()  # a build published while idle serves within a second
        try:
            async with mcp_server.session_manager.run():
                yield
        finally:
            assistant.stop_watching()

    app = FastAPI(title="营商环境政策问答 API", version=__version__, lifespan=lifespan,
                  description="Answers questions on Chinese business-environment policy, citing the clause. "
                              "Errors: `{error: {code, message, message_en, message_zh, details}}`.")
    app.state.settings = settings
    app.state.assistant = assistant
    app.state.feedback = feedback
    app.state.limits = limits
    app.state.startup = startup
    app.state.long_lane = LongLane(settings.long_history_share, settings.long_history_turns,
                                   settings.long_history_chars)
    install_error_handlers(app)
    metrics = Metrics(assistant)
    app.state.metrics = metrics

    @app.get("/metrics", include_in_schema=False)
    def prometheus(request: Request) -> Response:
        check_metrics_token(settings.metrics_token.get_secret_value(), request.headers.get("authorization", ""))
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    from web.routes import admin, api, openai

    app.include_router(admin.router)
    app.include_router(api.router)
    app.include_router(openai.router)
    # MCP over streamable HTTP at /mcp, before the page's catch-all mount; behind the same guards
    mcp_server = build_mcp(assistant)
    app.router.routes.extend(mcp_server.streamable_http_app(
        streamable_http_path="/mcp", stateless_http=True, json_response=True, host=settings.host,
        max_request_body_size=settings.max_body_bytes).routes)
    if ui:
        # the page's uploads go under data/, where the body limit keeps them within a quota
        os.environ.setdefault("GRADIO_TEMP_DIR", str(settings.data_dir / "page-uploads"))
        import gradio as gr

        from web.ui.layout import CSS, HEAD, THEME, TITLE, build_ui
        from web.ui.queue import harden

        blocks = build_ui(assistant, feedback, limits)
        blocks.title = TITLE
        page = harden(blocks, settings, limits)
        app = gr.mount_gradio_app(app, blocks, path="/", theme=THEME, css=CSS, head=HEAD, footer_links=["api"],
                                  show_error=True, max_file_size=settings.max_upload_bytes)
        from gradio.utils import get_upload_folder

        upload_dir: Path | None = Path(get_upload_folder())
    else:
        upload_dir = None
        page = None

        @app.get("/", include_in_schema=False)
        def root() -> RedirectResponse:
            return RedirectResponse("/docs")
    guard(app, settings, limits, upload_dir, page, metrics, startup)
    return app


def guard(app: FastAPI, settings: Settings, limits: Limits, upload_dir: Path | None, page: Any = None,
          metrics: Metrics | None = None, startup: Startup | None = None) -> None:
    """Limits before anything reads a request: body size, then rate, then the security headers on
    every answer (the outermost). CORS only for the origins configured (`ASSISTANT_CORS_ORIGINS`).
    Innermost, joins to the page's queue bounded per address (web/ui/queue.py), then the page's
    {"detail": "Not Found"} put in the error shape."""
    if page is not None:
        from web.ui.queue import QueueGuard

        app.add_middleware(QueueGuard, page=page, limits=limits)
    app.add_middleware(ErrorShape404)
    app.add_middleware(UploadGate, token=settings.admin_token.get_secret_value())
    app.add_middleware(BodyLimit, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes,
                       upload_dir=upload_dir, upload_quota=settings.max_pending_upload_bytes)
    app.add_middleware(RateLimit, limits=limits)
    if startup is not None:  # while the index loads, 503 `starting` to all but the health probes
        app.add_middleware(StartingGate, startup=startup)
    # Always present, so Gradio's own CORS layer (which, on a non-local host, admits any origin with
    # credentials) stands aside: only the configured origins, none by default.
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type", "X-Admin-Token", "X-Request-ID"],
                       expose_headers=["X-Request-ID"])
    app.add_middleware(RequestLog, metrics=metrics)  # every request, refused ones too: a line, an id, metrics
    app.add_middleware(SecurityHeaders)
