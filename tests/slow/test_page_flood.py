"""The page cannot be stopped or flooded: 5,000 joins to Gradio's queue with fresh session
hashes from 10 loopback addresses (each its own source address, as X-Forwarded-For is not
trusted) against the real served process, while a page user on another address asks through
the queue as the page does: every answer within 2 s, during and after, and memory bounded.
(Unbounded, ~2,150 such joins stopped the queue for good: "Queue is stopped".)"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import MB, Served, process_rss, serving
from tests.slow.tiny_corpus import tiny_corpus

log = logging.getLogger(__name__)

JOINS = 5000
ADDRESSES = [f"127.0.0.{i}" for i in range(2, 12)]  # the flood's 10 addresses
QUESTION = "西安企业开办要多久？"


@pytest.fixture(scope="module")
def flood_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    root = tmp_path_factory.mktemp("flood")
    settings = tiny_corpus(root)
    env = {"ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_INDEX_DIR": str(settings.index_dir),
           "ASSISTANT_DATA_DIR": str(root / "data"), "ASSISTANT_TRUST_FORWARDED_FOR": "false"}
    with serving(env, root / "server.log") as url:
        yield url, root


def ask_fn(http: httpx.Client) -> int:
    config = http.get("/config").json()
    return next(d["id"] for d in config["dependencies"] if d.get("api_name") == "ask")


def join_body(fn: int, session: str) -> dict[str, object]:
    return {"data": [QUESTION, "", "", {"turns": []}], "fn_index": fn, "session_hash": session,
            "event_data": None, "trigger_id": None}


PAGE_SESSION = uuid.uuid4().hex[:11]  # one page open in a browser: one session for all its questions


def page_ask(http: httpx.Client, fn: int, session: str = PAGE_SESSION) -> tuple[float, str]:
    """One question the way the page asks it (join, then read the session's stream): seconds, answer."""
    started = time.perf_counter()
    joined = http.post("/gradio_api/queue/join", json=join_body(fn, session))
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


def flood(url: str, fn: int, address: str, count: int, statuses: Counter[int], lock: threading.Lock) -> None:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=url, transport=transport, timeout=30) as http:
        for _ in range(count):
            try:
                code = http.post("/gradio_api/queue/join", json=join_body(fn, uuid.uuid4().hex[:11])).status_code
            except httpx.TransportError:
                code = 0
            with lock:
                statuses[code] += 1


def test_a_join_flood_from_ten_addresses_leaves_the_page_answering(flood_server):
    url, root = flood_server
    with httpx.Client(base_url=url, timeout=30) as http:
        fn = ask_fn(http)
        first, said = page_ask(http, fn)  # warm: the index is loaded
        assert "工作日" in said, said
        before = process_rss(url.pid)

        statuses: Counter[int] = Counter()
        lock = threading.Lock()
        threads = [threading.Thread(target=flood, args=(url, fn, a, JOINS // len(ADDRESSES), statuses, lock))
                   for a in ADDRESSES]
        started = time.perf_counter()
        for t in threads:
            t.start()
        during: list[float] = []
        while any(t.is_alive() for t in threads):
            seconds, said = page_ask(http, fn)
            assert "工作日" in said, said
            during.append(seconds)
            time.sleep(0.5)
        for t in threads:
            t.join()
        flood_seconds = time.perf_counter() - started
        after = [page_ask(http, fn)[0] for _ in range(5)]
        peak = process_rss(url.pid)

    log_text = (root / "server.log").read_text(encoding="utf-8")
    figures = {"joins": sum(statuses.values()), "statuses": dict(statuses), "flood_seconds": round(flood_seconds, 1),
               "answers_during": len(during), "slowest_during": round(max(during), 3),
               "slowest_after": round(max(after), 3), "rss_before_mb": before // MB, "rss_after_mb": peak // MB}
    log.warning("page flood: %s", figures)
    (root / "figures.json").write_text(json.dumps(figures))
    assert sum(statuses.values()) == JOINS
    assert set(statuses) <= {200, 429, 503}, statuses
    assert statuses[429] > JOINS // 2  # most joins refused per address
    assert during and max(during) < 2.0 and max(after) < 2.0, figures
    assert peak - before < 200 * MB, figures
    assert "Queue is stopped" not in log_text and "KeyError" not in log_text
