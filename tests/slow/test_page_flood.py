"""The page cannot be stopped or flooded: 5,000 joins to Gradio's queue with fresh session
hashes from 10 loopback addresses (each its own source address, as X-Forwarded-For is not
trusted) against the real served process, while a page user on another address asks through
the queue as the page does: every answer within 2 s, during and after, and memory bounded.
With the per-address bounds lifted, the page's bound on sessions still holds (1,000, then 503)
and the queue never stops; the user's questions answer again as soon as the flood ends.
In both, a newcomer (a fresh session from an address that did not flood, as a real user opening
the page) is answered within 2 s during and right after the flood, though the flood's sessions
fill the page: the flooding addresses give up their own places (17.9 s before they did).
(Unbounded, ~2,150 such joins stopped the queue for good: "Queue is stopped".)"""

from __future__ import annotations

import json
import logging
import multiprocessing
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import MB, Served, process_rss, serving
from tests.slow.tiny_corpus import tiny_corpus

log = logging.getLogger(__name__)

JOINS = 5000
ADDRESSES = [f"127.0.0.{i}" for i in range(2, 12)]  # the flood's 10 addresses
NEWCOMERS = [f"127.0.1.{i}" for i in range(1, 60)]  # real users opening the page, none of them flooding
QUESTION = "西安企业开办要多久？"


# The defaults; and the per-address bounds lifted, so that only the page's bound on waiting sessions
# (and the bounded queue) stand in the way. That bound is set low enough (300) for the flood to reach
# it on any machine: how many joins the queue drains meanwhile depends on the machine's speed
# (744-1,237 accepted on this one under load), which a test must not assert.
PAGE_BOUND = 300
LOOSE = {"ASSISTANT_RATE_LIMIT_PAGE_JOIN": "10000/second", "ASSISTANT_PAGE_PENDING_PER_CLIENT": "100000",
         "ASSISTANT_PAGE_SESSIONS": str(PAGE_BOUND), "ASSISTANT_RATE_LIMIT_OTHER": "10000/second"}


@pytest.fixture(scope="module", params=[{}, LOOSE], ids=["defaults", "per-address-bounds-lifted"])
def flood_server(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path, bool]]:
    root = tmp_path_factory.mktemp("flood")
    settings = tiny_corpus(root)
    env = {"ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_INDEX_DIR": str(settings.index_dir),
           "ASSISTANT_DATA_DIR": str(root / "data"), "ASSISTANT_TRUST_FORWARDED_FOR": "false", **request.param}
    with serving(env, root / "server.log") as url:
        yield url, root, not request.param


def ask_fn(http: httpx.Client) -> int:
    config = http.get("/config").json()
    return next(d["id"] for d in config["dependencies"] if d.get("api_name") == "ask")


def join_body(fn: int, session: str) -> dict[str, object]:
    return {"data": [QUESTION, "", "", {"turns": []}], "fn_index": fn, "session_hash": session,
            "event_data": None, "trigger_id": None}


PAGE_SESSION = uuid.uuid4().hex[:11]  # one page open in a browser: one session for all its questions


def page_ask(http: httpx.Client, fn: int, session: str = PAGE_SESSION,
             queue_full_ok: bool = False) -> tuple[float, str] | None:
    """One question the way the page asks it (join, then read the session's stream): seconds,
    answer; None when Gradio's queue (or the page's bound on sessions) was full and that is allowed."""
    started = time.perf_counter()
    joined = http.post("/gradio_api/queue/join", json=join_body(fn, session))
    if queue_full_ok and joined.status_code == 503 and ("Queue is full" in joined.text or "page_busy" in joined.text):
        return None  # the queue, or the page's bound on waiting sessions, is full: a busy page says so
    assert joined.status_code == 200, joined.text
    with http.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("msg") == "process_completed":
                assert message.get("success"), message
                return time.perf_counter() - started, json.dumps(message["output"], ensure_ascii=False)
    raise AssertionError("the stream ended without an answer")


def newcomer_ask(url: str, fn: int, address: str, give_up: float = 45.0) -> tuple[float, int]:
    """A real user opening the page from an address that did not flood: a fresh session asks once
    and, refused as a busy page, tries again each 0.2 s as the page would; seconds until the answer,
    and how many times it was refused."""
    started = time.perf_counter()
    session = uuid.uuid4().hex[:11]
    refused = 0
    with httpx.Client(base_url=url, transport=httpx.HTTPTransport(local_address=address), timeout=30) as http:
        while (asked := page_ask(http, fn, session, queue_full_ok=True)) is None:
            refused += 1
            assert time.perf_counter() - started < give_up, "a newcomer was turned away for good"
            time.sleep(0.2)
    assert "工作日" in asked[1], asked
    return time.perf_counter() - started, refused


def flood(url: str, fn: int, addresses: list[str], count: int) -> Counter[int]:
    """`count` joins with fresh sessions from each address in turn (one process: the page user's
    client, in the test's process, does not wait on the flood's threads for the GIL)."""
    clients = [httpx.Client(base_url=url, transport=httpx.HTTPTransport(local_address=a), timeout=30)
               for a in addresses]
    statuses: Counter[int] = Counter()
    for i in range(count * len(clients)):
        try:
            code = clients[i % len(clients)].post("/gradio_api/queue/join",
                                                  json=join_body(fn, uuid.uuid4().hex[:11])).status_code
        except httpx.TransportError:
            code = 0
        statuses[code] += 1
    for client in clients:
        client.close()
    return statuses


def test_a_join_flood_from_ten_addresses_leaves_the_page_answering(flood_server):
    url, root, defaults = flood_server
    with httpx.Client(base_url=url, timeout=30) as http:
        fn = ask_fn(http)
        warm = page_ask(http, fn)  # the index is loaded
        assert warm is not None and "工作日" in warm[1], warm
        before = process_rss(url.pid)

        halves = [ADDRESSES[:5], ADDRESSES[5:]]
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
            started = time.perf_counter()
            floods = [pool.submit(flood, url, fn, half, JOINS // len(ADDRESSES)) for half in halves]
            during: list[float] = []
            newcomers_during: list[tuple[float, int]] = []
            full = 0
            while not all(f.done() for f in floods):
                newcomers_during.append(newcomer_ask(url, fn, NEWCOMERS[len(newcomers_during) % len(NEWCOMERS)]))
                asked = page_ask(http, fn, queue_full_ok=not defaults)
                if asked is None:
                    full += 1
                else:
                    assert "工作日" in asked[1], asked
                    during.append(asked[0])
                time.sleep(0.5)
            statuses: Counter[int] = sum((f.result() for f in floods), Counter())
        flood_seconds = time.perf_counter() - started
        # newcomers right after the flood, while its sessions (results nobody comes for) still fill the page
        newcomers_after = [newcomer_ask(url, fn, address) for address in NEWCOMERS[:5]]
        # the page user's open session, from an address holding fewer sessions than the flood's, is
        # let in at the flood's cost too (before: turned away until the flood's sessions were forgotten, 30 s)
        admitted = time.perf_counter()
        while (first := page_ask(http, fn, queue_full_ok=not defaults)) is None:
            assert time.perf_counter() - admitted < 45, "the page stayed full after the flood"
            time.sleep(1)
        wait_after = time.perf_counter() - admitted - first[0]
        after = [first[0]] + [page_ask(http, fn)[0] for _ in range(4)]  # type: ignore[index]
        peak = process_rss(url.pid)

    log_text = (root / "server.log").read_text(encoding="utf-8")
    figures = {"joins": sum(statuses.values()), "statuses": dict(statuses), "flood_seconds": round(flood_seconds, 1),
               "answers_during": len(during), "queue_full_during": full, "slowest_during": round(max(during, default=0), 3),
               "slowest_after": round(max(after), 3),
               "newcomers_during": len(newcomers_during),
               "newcomer_slowest_during": round(max(newcomers_during, default=(0.0, 0))[0], 3),
               "newcomer_refused_during": sum(r for _s, r in newcomers_during),
               "newcomer_slowest_after": round(max(newcomers_after)[0], 3),
               "newcomer_refused_after": sum(r for _s, r in newcomers_after), "waited_after": round(wait_after, 1), "rss_before_mb": before // MB, "rss_after_mb": peak // MB}
    log.warning("page flood: %s", figures)
    (root / "figures.json").write_text(json.dumps(figures))
    assert sum(statuses.values()) == JOINS
    # a newcomer (a fresh session from an address that did not flood) is answered within 2 s, during
    # and right after the flood: the flood's addresses lose their own sessions, never a newcomer its place
    assert newcomers_during and max(newcomers_during)[0] < 2.0, figures
    assert max(newcomers_after)[0] < 2.0, figures
    assert set(statuses) <= {200, 429, 503}, statuses
    if defaults:
        assert statuses[429] > JOINS // 2 and full == 0  # most joins refused per address
        assert during and all(seconds < 2.0 for seconds in during), figures
    else:  # sessions accepted up to the page's bound, then 503; the queue never stops
        # (the page user's one session holds one of the bound's places)
        assert statuses[200] >= PAGE_BOUND - 1 and statuses[503] > 0, figures
    assert max(after) < 2.0, figures
    assert peak - before < 200 * MB, figures
    assert "Queue is stopped" not in log_text and "KeyError" not in log_text
