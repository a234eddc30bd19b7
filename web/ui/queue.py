"""The page's queue, bounded so that no client can stop or flood it.

Gradio keeps, per page session (a `session_hash` a client makes up), a message queue in an LRU
of 2,000; an event whose session was pushed out of it raises `KeyError` in the queue's loop, the
loop ends, and every page action answers "Queue is stopped" until a restart. Here:

- `harden(blocks, settings)` bounds the queue (`max_size`), runs each page function on as many
  threads as the server answers with, keeps Gradio's per-event analytics to a few rows (it
  rebuilt a table of 10,000 rows after every event), bounds the sessions whose state is kept, and
  swaps the session store for one that never drops a session with an event not yet delivered;
  a message for a session that is gone is dropped instead of stopping the loop;
- `QueueGuard`, in front of `/gradio_api/queue/join` and `/gradio_api/call/…`, counts the page
  sessions an address opens (`RATE_LIMIT_PAGE_JOIN`: a join for a session the address has not
  opened, or a call; the further joins of an open page, several for each question, count only
  under `RATE_LIMIT_OTHER` and, for questions, `RATE_LIMIT_ASK`), allows each address
  `PAGE_PENDING_PER_CLIENT` sessions with events not yet delivered, each session
  `PAGE_EVENTS_PER_SESSION` events waiting or running, and the page `PAGE_SESSIONS` in all
  (429 / 503 in the error shape), forgets sessions whose results nobody came for, and restarts
  the queue's loop if it stopped. A page full to its bound still lets in a session from an
  address holding fewer sessions than another: the address holding the most gives up its own
  oldest session whose results have waited `SPARE` seconds undelivered (never a session with an
  event waiting or running, never another address's), so a flood from some addresses fills the
  page only for themselves. Likewise the queue's last quarter is kept for addresses with no
  event waiting, and waiting events are taken in turn by address, not first come.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from gradio.utils import LRUCache

from assistant.errors import AssistantError, RateLimited
from assistant.settings import Settings
from web.guard import ASGIApp, Message, Receive, Scope, Send, _header, send_error
from web.limits import Limits

log = logging.getLogger(__name__)

JOIN_PATHS = ("/gradio_api/queue/join",)
CALL_PREFIX = "/gradio_api/call/"
LINGER = 30.0  # seconds a finished event's result waits for its client before it is forgotten
SWEEP_EVERY = 1.0
KNOWN = 600.0  # seconds an address's page session stays open (its joins not counted) after its last join
JOINING = 2.0  # seconds a join still being answered counts as a session with an event pending
RESERVE_PART = 4  # a quarter of the queue's places are kept for addresses with nothing waiting
SPARE = 1.0  # seconds a finished result waits undelivered before a newcomer may take its session's place
ANALYTICS_ROWS = 100


class PageFull(AssistantError):
    code = "page_busy"


class SessionCache(LRUCache):  # type: ignore[type-arg]
    """Gradio's per-session message store, which pushes out the oldest session that has nothing
    left to deliver, never one with an event in flight (those are bounded by the guard)."""

    def __init__(self, max_size: int, live: Callable[[str], bool]) -> None:
        super().__init__(max_size)
        self.live = live

    def __setitem__(self, key: Any, value: Any) -> None:
        if key in self:
            self.move_to_end(key)
        else:
            while len(self) >= self.max_size:
                victim = next((k for k in self if not self.live(k)), None)
                if victim is None:
                    break  # every session is live: hold one more rather than lose an event
                OrderedDict.__delitem__(self, victim)
        OrderedDict.__setitem__(self, key, value)


class PageQueue:
    """The bounds and the upkeep of one Blocks' queue (see the module's docstring)."""

    def __init__(self, blocks: Any, settings: Settings, limits: Limits) -> None:
        self.blocks = blocks
        self.limits = limits
        self.sessions = settings.page_sessions
        self.per_client = settings.page_pending_per_client
        self.per_session = settings.page_events_per_session
        # address → its sessions pending → when last joined (0 once the join is answered)
        self.owners: dict[str, dict[str, float]] = {}
        self.opened: dict[str, dict[str, float]] = {}  # address → the sessions it opened → when last joined
        self.opener: dict[str, str] = {}  # session → the address that opened it (as long as `opened` holds it)
        self.finished_since: dict[str, float] = {}  # session → when first seen with nothing running
        self._swept = 0.0
        self.restarts = 0
        self.queue_ready()

    @property
    def queue(self) -> Any:
        return self.blocks._queue

    def live(self, session: str) -> bool:
        return bool(self.queue.pending_event_ids_session.get(session))

    def in_flight(self, session: str) -> int:
        """The session's events waiting or running (not those finished and not yet delivered)."""
        running = self.queue.event_ids_to_events
        return sum(1 for i in self.queue.pending_event_ids_session.get(session) or () if i in running)

    def pending(self, who: str, session: str, now: float) -> bool:
        """Whether `who`'s session has an event not yet delivered, or a join just in (not yet in the queue)."""
        return now - self.owners.get(who, {}).get(session, -JOINING - 1) <= JOINING or self.live(session)

    def knows(self, who: str, session: str | None) -> bool:
        """Whether `session` is a page session `who` opened (its joins are not counted as openings)."""
        return session is not None and session in self.opened.get(who, {})

    def queue_ready(self) -> None:
        """Install the bounded session store and the safe message send on the current queue."""
        queue = self.queue
        if not isinstance(queue.pending_messages_per_session, SessionCache):
            store = SessionCache(max(2 * self.sessions, 16), self.live)
            for key, value in queue.pending_messages_per_session.items():
                OrderedDict.__setitem__(store, key, value)
            queue.pending_messages_per_session = store
            send = queue.send_message

            def send_message(event: Any, message: Any) -> None:
                if event.alive and event.session_hash not in queue.pending_messages_per_session:
                    log.info("page event %s: its session is gone; its message is dropped", event._id)
                    return
                send(event, message)

            queue.send_message = send_message
        if not getattr(queue.get_events, "fair", False):
            pick = queue.get_events

            def get_events() -> Any:
                for event_queue in queue.event_queue_per_concurrency_id.values():
                    event_queue.queue[:] = self.fair(event_queue.queue)
                return pick()

            get_events.fair = True  # type: ignore[attr-defined]
            queue.get_events = get_events

    def fair(self, events: list[Any]) -> list[Any]:
        """Waiting events taken in turn by address: each address's first waiting event before any
        address's second, and so on, each in the order they came (Gradio takes them first come,
        so a flood's events would stand before every newcomer's)."""
        taken: dict[str, int] = {}
        keyed = []
        for position, event in enumerate(events):
            who = self.opener.get(event.session_hash, event.session_hash)
            taken[who] = taken.get(who, 0) + 1
            keyed.append((taken[who], position))
        return [events[position] for _turn, position in sorted(keyed)]

    def restart_if_stopped(self) -> None:
        queue = self.queue
        if queue.stopped and self.blocks.is_running:
            self.restarts += 1
            log.error("the page's queue had stopped; restarting it (restart %d)", self.restarts)
            queue.stopped = False
            queue.start()

    def sweep(self, now: float) -> None:
        """Forget sessions whose events finished more than LINGER seconds ago undelivered (their
        client never came for them), and addresses with nothing live."""
        if now - self._swept < SWEEP_EVERY:
            return
        self._swept = now
        queue = self.queue
        running = queue.event_ids_to_events
        for session, ids in list(queue.pending_event_ids_session.items()):
            if ids and any(i in running for i in ids):
                self.finished_since.pop(session, None)
                continue
            first = self.finished_since.setdefault(session, now)
            if now - first > LINGER:
                queue.pending_event_ids_session.pop(session, None)
                queue.pending_messages_per_session.pop(session, None)
                self.finished_since.pop(session, None)
        for session in [s for s in self.finished_since if s not in queue.pending_event_ids_session]:
            del self.finished_since[session]
        for who in list(self.owners):
            mine = self.owners[who]
            for session in [s for s, at in mine.items() if now - at > JOINING and not self.live(s)]:
                del mine[session]
            if not mine:
                del self.owners[who]
        for who in list(self.opened):
            mine = self.opened[who]
            for session in [s for s, at in mine.items() if now - at > KNOWN and not self.live(s)]:
                del mine[session]
                if self.opener.get(session) == who:
                    del self.opener[session]
            if not mine:
                del self.opened[who]

    def admit(self, who: str, session: str | None, now: float) -> tuple[AssistantError, int] | None:
        """Whether a join from `who` for `session` may go on: None, or the refusal and its status."""
        self.sweep(now)
        mine = self.owners.get(who, {})
        known = session if self.knows(who, session) else None
        if known is not None and self.in_flight(known) >= self.per_session:
            return RateLimited(f"at most {self.per_session} events of one page session waiting; retry in 1 s",
                               f"同一页面会话最多 {self.per_session} 个操作同时等待，请 1 秒后再试。",
                               retry_after=1), 429
        if known is None or not self.pending(who, known, now):
            # a session about to have an event pending: the address's and the page's bounds
            pending = sum(1 for s, at in mine.items() if s != session and (now - at <= JOINING or self.live(s)))
            if pending >= self.per_client:
                return RateLimited(f"at most {self.per_client} page sessions waiting per address; retry in 1 s",
                                   f"同一地址最多 {self.per_client} 个页面会话同时等待，请 1 秒后再试。",
                                   retry_after=1), 429
            if self.waiting(who) and len(self.queue) >= self.queue_room():
                return PageFull("the page's queue is busy: its last places are kept for addresses with "
                                "nothing waiting; retry shortly", "页面繁忙，请稍后再试。", retry_after=1), 503
            if len(self.queue.pending_event_ids_session) >= self.sessions and not self.make_room(who, now):
                return PageFull(f"the page is busy: {self.sessions} sessions are waiting; retry shortly",
                                "页面繁忙，请稍后再试。", retry_after=2), 503
        if session is not None:
            self.owners.setdefault(who, {})[session] = now
            self.opened.setdefault(who, {})[session] = now
            self.opener[session] = who
        return None

    def queue_room(self) -> int:
        """Events an address that already has one waiting may fill the queue to: all but a reserve
        (a quarter of `max_size`) kept for addresses with nothing waiting."""
        size = self.queue.max_size or 0
        return max(1, size - max(1, size // RESERVE_PART)) if size else 10**9

    def waiting(self, who: str) -> int:
        """`who`'s events waiting in the queue (not yet running)."""
        return sum(1 for event_queue in self.queue.event_queue_per_concurrency_id.values()
                   for event in event_queue.queue if self.opener.get(event.session_hash) == who)

    def held(self, now: float) -> dict[str, list[str]]:
        """Each address's sessions with an event not yet delivered (or just joined), oldest first."""
        return {who: [s for s, at in mine.items() if now - at <= JOINING or self.live(s)]
                for who, mine in self.owners.items()}

    def make_room(self, who: str, now: float) -> bool:
        """On a full page: free one place for `who` from the address holding the most sessions,
        when it holds at least two more than `who`; that address loses its own oldest session
        whose results have waited undelivered for `SPARE` seconds. Whether a place was freed."""
        held = self.held(now)
        mine = len(held.get(who, ()))
        queue = self.queue
        running = queue.event_ids_to_events
        for other, sessions in sorted(held.items(), key=lambda item: -len(item[1])):
            if len(sessions) <= mine + 1:
                break
            if other == who:
                continue
            for session in sessions:
                finished = self.finished_since.get(session)
                ids = queue.pending_event_ids_session.get(session) or ()
                if finished is None or now - finished < SPARE or any(i in running for i in ids):
                    continue
                queue.pending_event_ids_session.pop(session, None)
                queue.pending_messages_per_session.pop(session, None)
                self.finished_since.pop(session, None)
                self.owners[other].pop(session, None)
                log.info("page full: %s holds %d sessions, %s %d; %s's oldest undelivered session %s is "
                         "forgotten to make room", other, len(sessions), who, mine, other, session)
                return True
        return False

    def pushed(self, who: str, session: str | None) -> None:
        """A join has been answered: from now on its session counts as pending only while it is live."""
        mine = self.owners.get(who)
        if session is not None and mine is not None and session in mine:
            mine[session] = 0.0


class QueueGuard:
    """ASGI middleware: joins to the page's queue counted and bounded per address (see module)."""

    def __init__(self, app: ASGIApp, *, page: PageQueue | None, limits: Limits) -> None:
        self.app = app
        self.page = page
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (self.page is None or scope["type"] != "http" or scope.get("method") != "POST"
                or not (path in JOIN_PATHS or path.startswith(CALL_PREFIX))):
            await self.app(scope, receive, send)
            return
        self.page.queue_ready()
        self.page.restart_if_stopped()
        peer = scope.get("client") or ("unknown", 0)
        who = self.limits.client(str(peer[0]), _header(scope, b"x-forwarded-for"))
        session: str | None = None
        body, receive = await _buffered(receive)  # bounded by BodyLimit; counted under "other"
        if path in JOIN_PATHS:
            try:
                value = json.loads(body or b"{}").get("session_hash")
                session = value if isinstance(value, str) else None
            except (ValueError, AttributeError):
                session = None
        # opening a page session counts; the further joins of a session this address opened do not
        refused = None if self.page.knows(who, session) else self.limits.hit("join", who)
        status = 429
        if refused is None:
            verdict = self.page.admit(who, session, time.monotonic())
            if verdict is not None:
                refused, status = verdict  # type: ignore[assignment]
        if refused is not None:
            log.info("POST %s → %d %s: %s: %s", path, status, refused.code, who, refused.message)
            await send_error(send, refused, status, {"Retry-After": str(refused.details.get("retry_after", 1))})
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.page.pushed(who, session)


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body (already bounded by BodyLimit), and a receive that replays it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"", _replay([message], receive)
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = b"".join(chunks)
    return body, _replay([{"type": "http.request", "body": body, "more_body": False}], receive)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    async def replayed() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return replayed


def harden(blocks: Any, settings: Settings, limits: Limits) -> PageQueue:
    """Bound `blocks`' queue and sessions (before it is mounted); the PageQueue the guard uses."""
    queue = blocks._queue
    queue.max_size = settings.page_queue_size
    queue.default_concurrency_limit = max(1, settings.worker_threads)
    queue.ANALYTICS_MAX_EVENTS = ANALYTICS_ROWS
    queue.ANAYLTICS_CACHE_FREQUENCY = 10**9  # (sic) the summary is never recomputed per event
    blocks.state_session_capacity = settings.page_sessions
    return PageQueue(blocks, settings, limits)
