"""Guessing the admin token against the real served process, through every route that checks
it (the API, the page's functions called directly and through the queue), with and without a
new X-Forwarded-For on each try: from one address at most 30 tokens a minute are even checked
(the admin limit), and with the default backoff far fewer; every refusal is logged under the
real peer address."""

from __future__ import annotations

import logging
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Served, serving
from tests.slow.tiny_corpus import tiny_corpus

log = logging.getLogger(__name__)
TOKEN = "guess-me-not-Qk83vZx2LmP0"


@pytest.fixture(scope="module", params=["0", "1"], ids=["rate-only", "with-backoff"])
def guarded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    root = tmp_path_factory.mktemp("guess")
    settings = tiny_corpus(root / "src")
    shutil.copytree(settings.index_dir, root / "index")
    env = {"ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_INDEX_DIR": str(root / "index"),
           "ASSISTANT_DATA_DIR": str(root / "data"), "ASSISTANT_ADMIN_TOKEN": TOKEN,
           "ASSISTANT_ADMIN_BACKOFF_SECONDS": request.param}
    with serving(env, root / "server.log") as url:
        yield url, root / "server.log"


def fn_index(http: httpx.Client, button: str) -> int:
    config = http.get("/config").json()
    ids = {c.get("props", {}).get("elem_id"): c["id"] for c in config["components"]}
    return next(d["id"] for d in config["dependencies"] if [ids[button], "click"] in [list(t) for t in d["targets"]])


def test_at_most_30_tokens_a_minute_are_checked_whatever_the_route(guarded):
    url, log_path = guarded
    with httpx.Client(base_url=url, timeout=30) as http:
        retire = fn_index(http, "retire-button")
        started = time.monotonic()
        for i in range(120):
            spoof = {"X-Forwarded-For": f"198.51.100.{i % 250 + 1}"} if i % 2 else {}
            guess = f"guess-{i:04d}-aaaaaaaaaaaa"
            route = i % 3
            if route == 0:
                http.delete("/api/documents/xa", headers={"Authorization": f"Bearer {guess}", **spoof})
            elif route == 1:
                http.post("/gradio_api/run/predict", json={"fn_index": retire, "data": [guess, "xa", ""]},
                          headers=spoof)
            else:
                http.post("/gradio_api/queue/join", headers=spoof,
                          json={"fn_index": retire, "data": [guess, "xa", ""], "session_hash": uuid.uuid4().hex[:11]})
        seconds = time.monotonic() - started
        time.sleep(1.0)  # the queued tries run
    text = log_path.read_text(encoding="utf-8")
    checked = re.findall(r"admin token refused: (\S+) on ", text)
    log.warning("token guessing: 120 tries in %.1f s, %d checked, from %s", seconds, len(checked), set(checked))
    assert seconds < 60
    assert 3 <= len(checked) <= 30, len(checked)
    assert set(checked) == {"127.0.0.1"}  # the peer, never a forwarded address
    assert "198.51.100." not in text
