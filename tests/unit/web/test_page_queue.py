"""The page's queue bounds (web/ui/queue.py) on Gradio's real Queue of a two-button Blocks:
a live session is never pushed out of the session store, a message for a gone session is
dropped instead of stopping the loop, joins are bounded per address and in all, undelivered
results are forgotten, and a stopped queue is restarted."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import gradio as gr
import pytest

from assistant.settings import Settings
from web.limits import Limits
from web.ui import queue as page_queue
from web.ui.queue import SessionCache, harden


def blocks() -> gr.Blocks:
    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button().click(lambda s: s, box, box)
    return demo


def settings(**update: object) -> Settings:
    return Settings().model_copy(update={"page_sessions": 3, "page_pending_per_client": 2, **update})


def test_the_session_store_pushes_out_only_sessions_with_nothing_to_deliver():
    live = {"a", "c"}
    cache = SessionCache(3, live.__contains__)
    for key in "abc":
        cache[key] = key
    cache["d"] = "d"  # full: "b" (the oldest not live) goes, not "a"
    assert list(cache) == ["a", "c", "d"]
    live.update("d")
    cache["e"] = "e"  # every session live: one more is held rather than an event lost
    assert list(cache) == ["a", "c", "d", "e"]


def test_harden_bounds_the_queue_and_the_sessions():
    demo = blocks()
    page = harden(demo, settings(page_queue_size=7, worker_threads=2), Limits(settings()))
    assert demo._queue.max_size == 7 and demo._queue.default_concurrency_limit == 2
    assert demo.state_session_capacity == 3
    assert isinstance(demo._queue.pending_messages_per_session, SessionCache)
    event = SimpleNamespace(alive=True, session_hash="gone", _id="e1")
    demo._queue.send_message(event, SimpleNamespace())  # no KeyError: the message is dropped
    assert page.live("gone") is False


def test_joins_are_bounded_per_address_and_in_all():
    demo = blocks()
    page = harden(demo, settings(), Limits(settings()))
    pending = demo._queue.pending_event_ids_session
    assert page.admit("1.1.1.1", "s1", 100.0) is None
    pending["s1"] = {"e1"}
    assert page.admit("1.1.1.1", "s2", 100.0) is None
    page.pushed("1.1.1.1", "s2")  # answered, not live: no longer counts
    assert page.admit("1.1.1.1", "s3", 100.5) is None
    pending["s3"] = {"e3"}
    refused, status = page.admit("1.1.1.1", "s4", 100.5)  # type: ignore[misc]
    assert status == 429 and refused.code == "rate_limited" and "2 page sessions" in refused.message
    assert page.admit("1.1.1.1", "s1", 100.5) is None  # a session of its own joins again
    pending["x"] = {"ex"}  # three live sessions in all: the page is full for everyone
    refused, status = page.admit("2.2.2.2", "t1", 100.5)  # type: ignore[misc]
    assert status == 503 and refused.code == "page_busy"


def test_results_nobody_came_for_are_forgotten(monkeypatch: pytest.MonkeyPatch):
    demo = blocks()
    page = harden(demo, settings(), Limits(settings()))
    queue = demo._queue
    queue.pending_event_ids_session.update({"done": {"e1"}, "running": {"e2"}})
    queue.pending_messages_per_session["done"] = object()
    queue.event_ids_to_events["e2"] = object()
    page.sweep(1000.0)
    page.sweep(1000.0 + page_queue.LINGER + 2)
    assert "done" not in queue.pending_event_ids_session and "done" not in queue.pending_messages_per_session
    assert "running" in queue.pending_event_ids_session


def test_a_stopped_queue_is_restarted():
    demo = blocks()
    page = harden(demo, settings(), Limits(settings()))

    async def go() -> None:
        demo.is_running = True
        demo._queue.stopped = True
        started: list[bool] = []
        demo._queue.start = lambda: started.append(True)
        page.restart_if_stopped()
        assert started == [True] and demo._queue.stopped is False and page.restarts == 1

    asyncio.run(go())


def test_a_session_of_its_own_is_bounded_by_its_events_and_an_idle_one_by_the_address():
    demo = blocks()
    page = harden(demo, settings(page_events_per_session=3, page_sessions=100), Limits(settings()))
    queue = demo._queue
    assert page.admit("1.1.1.1", "s1", 100.0) is None and page.knows("1.1.1.1", "s1")
    assert not page.knows("2.2.2.2", "s1")  # a session is its opener's only
    page.pushed("1.1.1.1", "s1")
    queue.pending_event_ids_session["s1"] = {"e1", "e2", "e3"}
    queue.event_ids_to_events.update({"e1": object(), "e2": object(), "e3": object()})
    refused, status = page.admit("1.1.1.1", "s1", 100.1)  # type: ignore[misc]
    assert status == 429 and "3 events of one page session" in refused.message
    del queue.event_ids_to_events["e3"]  # finished (not yet delivered): no longer waiting
    assert page.admit("1.1.1.1", "s1", 100.2) is None
    # two other sessions of the address live: its idle third session may not start an event
    assert page.admit("1.1.1.1", "s2", 100.3) is None
    page.pushed("1.1.1.1", "s2")
    assert page.admit("1.1.1.1", "s3", 100.4) is None
    page.pushed("1.1.1.1", "s3")  # s3 idle, known
    queue.pending_event_ids_session["s2"] = {"f1"}
    refused, status = page.admit("1.1.1.1", "s3", 100.5)  # type: ignore[misc]
    assert status == 429 and "2 page sessions" in refused.message
    # a session stays known for a while after its last join, then is forgotten
    del queue.pending_event_ids_session["s1"], queue.pending_event_ids_session["s2"]
    page.sweep(100.5 + page_queue.KNOWN + 5)
    assert not page.knows("1.1.1.1", "s1") and not page.knows("1.1.1.1", "s3")


def test_the_guard_counts_sessions_opened_not_the_joins_of_an_open_page():
    demo = blocks()
    strict = settings(rate_limit_page_join="2/minute", page_pending_per_client=100)
    limits = Limits(strict)
    page = harden(demo, strict, limits)
    reached: list[str] = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    guard = page_queue.QueueGuard(app, page=page, limits=limits)

    def join(session: str, peer: str = "1.1.1.1") -> int:
        sent: list[dict[str, object]] = []
        body = json.dumps({"session_hash": session, "fn_index": 0}).encode()

        async def receive():  # type: ignore[no-untyped-def]
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message):  # type: ignore[no-untyped-def]
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/gradio_api/queue/join", "headers": [],
                 "client": (peer, 1234)}
        asyncio.run(guard(scope, receive, send))
        return int(sent[0]["status"])  # type: ignore[call-overload]

    assert [join("page1") for _ in range(10)] == [200] * 10  # one page, many events: one opening
    assert join("page2") == 200  # the second opening
    assert join("page3") == 429  # the third, within the minute
    assert join("page1") == 200 and join("page2") == 200  # the open pages go on
    assert join("page1", peer="2.2.2.2") == 200  # another address's first join opens its own
    assert len(reached) == 14


def test_a_full_page_lets_in_a_newcomer_at_the_cost_of_the_address_holding_most():
    demo = blocks()
    page = harden(demo, settings(page_sessions=4, page_pending_per_client=100), Limits(settings()))
    queue = demo._queue
    pending = queue.pending_event_ids_session
    for session in ("f1", "f2", "f3"):  # one address fills most of the page; nobody reads its results
        assert page.admit("6.6.6.6", session, 100.0) is None
        page.pushed("6.6.6.6", session)
        pending[session] = {f"e-{session}"}
        queue.pending_messages_per_session[session] = object()
    assert page.admit("7.7.7.7", "g1", 100.0) is None  # the fourth place
    page.pushed("7.7.7.7", "g1")
    pending["g1"] = {"e-g1"}
    queue.event_ids_to_events["e-f1"] = object()  # f1's event still running: never taken
    page.sweep(101.0)  # f2, f3 (and g1) seen finished, undelivered
    refused, status = page.admit("8.8.8.8", "n1", 101.5)  # type: ignore[misc]
    assert status == 503 and refused.code == "page_busy"  # finished only 0.5 s ago: left to its reader
    assert page.admit("8.8.8.8", "n1", 102.1) is None  # the flooding address's oldest finished session goes
    assert "f2" not in pending and "f2" not in queue.pending_messages_per_session
    assert {"f1", "f3", "g1"} <= set(pending)
    pending["n1"] = {"e-n1"}
    refused, status = page.admit("6.6.6.6", "f4", 102.2)  # type: ignore[misc]
    assert status == 503  # the address holding most takes no one's place, not even its own
    assert page.admit("9.9.9.9", "m1", 102.3) is None  # 6.6.6.6 still holds two more than 9.9.9.9: f3 goes
    assert "f3" not in pending and "f1" in pending
    pending["m1"] = {"e-m1"}
    refused, status = page.admit("10.10.10.10", "k1", 102.4)  # type: ignore[misc]
    assert status == 503  # every address holds one: nobody holds more than a share, nobody loses a place
    assert {"f1", "g1", "n1", "m1"} == set(pending)  # other addresses' sessions are never taken


def test_waiting_events_are_taken_in_turn_by_address_so_a_newcomer_does_not_wait_behind_a_flood():
    demo = blocks()
    page = harden(demo, settings(page_sessions=100, page_pending_per_client=100), Limits(settings()))
    for i in range(6):  # one address opened six sessions, another two, then a newcomer one
        assert page.admit("6.6.6.6", f"f{i}", 100.0) is None
    for session in ("g0", "g1"):
        assert page.admit("7.7.7.7", session, 100.0) is None
    assert page.admit("8.8.8.8", "n0", 100.0) is None
    came = ["f0", "f1", "f2", "g0", "f3", "f4", "g1", "f5", "n0"]
    events = [SimpleNamespace(session_hash=s, fn=SimpleNamespace(batch=False)) for s in came]
    assert [e.session_hash for e in page.fair(events)] == ["f0", "g0", "n0", "f1", "g1", "f2", "f3", "f4", "f5"]
    # the queue's own pick sees them in that order
    event_queue = SimpleNamespace(queue=list(events), concurrency_limit=None, current_concurrency=0)
    demo._queue.event_queue_per_concurrency_id = {"fn": event_queue}
    picked, _batch, _id = demo._queue.get_events()
    assert [e.session_hash for e in picked] == ["f0"]
    assert [e.session_hash for e in event_queue.queue][:2] == ["g0", "n0"]


def test_the_queues_last_places_are_kept_for_addresses_with_nothing_waiting():
    demo = blocks()
    page = harden(demo, settings(page_queue_size=4, page_sessions=100, page_pending_per_client=100),
                  Limits(settings()))
    for session in ("f0", "f1", "f2"):
        assert page.admit("6.6.6.6", session, 100.0) is None
    waiting = [SimpleNamespace(session_hash=s) for s in ("f0", "f1", "f2")]
    demo._queue.event_queue_per_concurrency_id = {"fn": SimpleNamespace(queue=waiting)}
    assert page.queue_room() == 3 and page.waiting("6.6.6.6") == 3
    refused, status = page.admit("6.6.6.6", "f3", 100.1)  # type: ignore[misc]
    assert status == 503 and refused.code == "page_busy" and "queue is busy" in refused.message
    assert page.admit("8.8.8.8", "n0", 100.1) is None  # the last place is a newcomer's
