"""The port bound at once: `assistant serve` listens while the index loads in a background thread.
Meanwhile every request but the health probes answers 503 `starting` (with `Retry-After`), and
`/api/health` says `starting`. Pure ASGI middleware, like web/guard.py.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from assistant.errors import AssistantError, Starting
from web.guard import ASGIApp, Receive, Scope, Send, send_error

log = logging.getLogger(__name__)

# What a probe may ask while the index loads: the health routes (GET and HEAD).
HEALTH_PATHS = frozenset({"/api/health", "/api/health/live", "/api/health/ready"})
RETRY_AFTER_SECONDS = 5


class Startup:
    """Whether the index is still loading, and how long loading took. `loader` is what loads it
    (the assistant's `warm_up`; tests inject a slow one)."""

    def __init__(self, loader: Callable[[], None]) -> None:
        self.loader = loader
        self.loading = False
        self.seconds: float | None = None
        self._done = threading.Event()
        self._done.set()

    def run(self) -> None:
        """Load now, in this thread; a load that fails leaves the server up, answering 503 with the reason."""
        self.loading = True
        self._done.clear()
        started = time.perf_counter()
        try:
            self.loader()
            self.seconds = time.perf_counter() - started
            log.info("ready in %.1fs", self.seconds)
        except AssistantError as exc:
            log.error("serving without an index: %s", exc)
        except Exception:  # the server stays up and says why each request cannot be answered
            log.exception("loading the index failed")
        finally:
            self.loading = False
            self._done.set()

    def start(self) -> None:
        """Load in a background thread: the caller (the server's startup) goes on to bind the port."""
        self.loading = True
        self._done.clear()
        threading.Thread(target=self.run, name="index-load", daemon=True).start()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)


def starting_error() -> Starting:
    return Starting("the server is starting: the index is still loading; retry in a few seconds",
                    retry_after=RETRY_AFTER_SECONDS)


class StartingGate:
    """While `startup.loading`, any HTTP request but the health probes is 503 `starting`, with
    `Retry-After`, in the error shape (OpenAI's under `/v1`)."""

    def __init__(self, app: ASGIApp, *, startup: Startup) -> None:
        self.app = app
        self.startup = startup

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.startup.loading and scope.get("path", "") not in HEALTH_PATHS:
            await send_error(send, starting_error(), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)},
                             path=scope.get("path", ""))
            return
        await self.app(scope, receive, send)
