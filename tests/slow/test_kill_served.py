"""Crash-safe admin changes, the way a crash really comes: `assistant serve` (its whole process
group) killed with SIGKILL at points spread over an upload, a replace and a delete sent through
the admin API, then started again on the same folders. After each restart: no 503 `index_stale`
at any time (the server finishes or undoes the change itself, no `assistant build` needed), a
question answered, no orphan file in corpus/ (documents.toml names every file there and nothing
else), the two documents retired beforehand still retired, and the change made in full or not
at all, on disk and in what the server lists.

The changes chain on one copy of the pristine corpus: a new document is uploaded, replaced and
deleted in turn; a kill that left a change undone sends it again at the next point, one that
made it goes on to the next change. So each kill point costs one server start (the restart is
the server the next change goes to), and the retired statuses must survive every change in a
row. Each kind is killed at fractions of its own duration, measured first as the first change of a
freshly started server (lazy loading included, as after a restart); once a kind has been killed at
every fraction, it is made whole without a kill, so every kind gets its 7 kill points (21 in all).
The step-by-step crash injection of the same changes is tests/slow/test_journal.py."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.index.load import check_fresh, read_manifest
from assistant.service.journal import FOLDER
from assistant.service.library import change
from assistant.settings import REPO_ROOT, Settings
from tests.conftest import LIVE_ADMIN_TOKEN, LIVE_AUTH, free_port
from tests.slow.tiny_corpus import POOL, tiny_corpus

log = logging.getLogger(__name__)
RETIRED = {"xa-2", "xa-3-p2-01"}  # statuses no kill may lose
FRACTIONS = (0.1, 0.3, 0.5, 0.7, 0.9, 1.2, 1.6)  # of a change's measured duration (past 1: a restarted server may be slower)
NEW_NAME, NEW_REGION, NEW_TEXT = POOL[0]
NEW_QUESTION = "咸阳增值税留抵退税要多久？"
REPLACED_QUESTION = "咸阳退税到账要多久？"
UPDATED = (NEW_TEXT.replace("5个工作日", "3个工作日") + "2. 退税到账1个工作日。\n").encode()


@dataclass
class Change:
    """One admin request, and how to tell from the corpus whether it was made."""

    kind: str
    send: Callable[[httpx.Client], httpx.Response]
    made: Callable[[dict[str, Any], Path], bool]  # (documents.toml, corpus folder) -> made?
    served: Callable[[httpx.Client, set[str]], bool]  # (the server, the ids /api/documents lists) -> made?


def _new_file(raw: dict[str, Any]) -> str | None:
    return next((s["file"] for s in raw["source"] if s["id"] == "xy-new"), None)


# A cycle over one new document: uploaded, replaced by a new version, deleted, uploaded again …
CHANGES = {
    "upload": Change(
        "upload",
        lambda c: c.post("/api/documents", files={"file": (NEW_NAME, NEW_TEXT.encode(), "text/plain")},
                         data={"region": NEW_REGION, "id": "xy-new"}),
        lambda raw, _: _new_file(raw) is not None,
        lambda _, ids: "xy-new" in ids),
    "replace": Change(
        "replace",
        lambda c: c.put("/api/documents/xy-new", files={"file": (NEW_NAME, UPDATED, "text/plain")}),
        lambda raw, corpus: (corpus / str(_new_file(raw))).read_bytes() == UPDATED,
        lambda http, _: any("退税到账" in c["text"] for c in http.post("/api/ask", json={"question": REPLACED_QUESTION})
                            .json()["citations"])),  # only the new version says it
    "delete": Change(
        "delete",
        lambda c: c.delete("/api/documents/xy-new"),
        lambda raw, _: _new_file(raw) is None,
        lambda _, ids: "xy-new" not in ids),
}
NEXT = {"upload": "replace", "replace": "delete", "delete": "upload"}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    settings = tiny_corpus(root)
    for doc_id in sorted(RETIRED):
        change(settings, lambda lib, d=doc_id: lib.retire(d))  # type: ignore[misc]
    return root


def _copy(pristine: Path, root: Path) -> Settings:
    for part in ("corpus", "index"):
        shutil.copytree(pristine / part, root / part, symlinks=True)
    return Settings(corpus_dir=root / "corpus", index_dir=root / "index", data_dir=root / "data")


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    statuses: list[tuple[int, str]]  # every health answer while it started: (status code, status)

    def kill(self) -> None:
        """SIGKILL to the server's whole process group (its sandboxed readers included)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)


@contextmanager
def serving(settings: Settings, log_path: Path) -> Iterator[Server]:
    """`assistant serve` in a process group of its own on a free port, once /api/health says ready."""
    port = free_port()
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_INDEX_DIR": str(settings.index_dir),
           "ASSISTANT_DATA_DIR": str(settings.data_dir), "ASSISTANT_ADMIN_TOKEN": LIVE_ADMIN_TOKEN}
    env.pop("ASSISTANT_TEST_CRASH_AT", None)
    with log_path.open("ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], env=env,
                                stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", proc, [])
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"server exited with {proc.returncode}: {log_path.read_text()[-3000:]}"
            try:
                health = httpx.get(server.url + "/api/health", timeout=5)
                body = health.json()
                server.statuses.append((health.status_code, str(body.get("status"))))
                assert body.get("error", {}).get("code") != "index_stale", health.text  # never an outage
                if health.status_code == 200 and body["status"] == "ready":
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"not ready in 120 s: {server.statuses[-5:]}"
            time.sleep(0.1)
        yield server
    finally:
        server.kill()


def _until(check: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.1)


def _after_restart(settings: Settings, server: Server, kind: str) -> bool:
    """The checks after a restart; whether the change was made."""
    http = httpx.Client(base_url=server.url, headers=LIVE_AUTH, timeout=60)
    asked = http.post("/api/ask", json={"question": "西安企业迁移登记要多久？"})
    assert asked.status_code == 200, asked.text  # served at once, a repair or not
    # the background repair (if any) has finished: no journal left, and the served build is the newest
    _until(lambda: not (settings.corpus_dir / FOLDER).exists(), "the interrupted change finished")
    current = read_manifest(settings.index_dir)
    _until(lambda: http.get("/api/health").json().get("manifest", {}).get("build") == current["build"],
           "the repaired build serves")
    check_fresh(current, settings)  # the corpus and the index agree: nothing for `assistant build` to do
    raw = tomllib.loads((settings.corpus_dir / "documents.toml").read_text("utf-8"))
    named = {s["file"] for s in raw["source"]}
    present = {p.name for p in settings.corpus_dir.iterdir()}
    assert present == named | {"documents.toml"}, f"orphans {present - named - {'documents.toml'}}, missing {named - present}"
    statuses = {k: v.get("status") for k, v in raw.get("documents", {}).items()}
    assert all(statuses.get(d) == "已废止" for d in RETIRED), statuses
    listed = {d["id"]: d for d in http.get("/api/documents").json()["documents"]}
    assert all(listed[d]["status"] == "已废止" for d in RETIRED), {d: listed.get(d) for d in RETIRED}
    made = CHANGES[kind].made(raw, settings.corpus_dir)
    assert CHANGES[kind].served(http, set(listed)) == made, (kind, made, sorted(listed))  # never half
    if kind == "upload" and made:
        cited = http.post("/api/ask", json={"question": NEW_QUESTION}).json()["citations"]
        assert cited and cited[0]["document_id"] == "xy-new", cited
    assert http.get("/api/health").json()["status"] == "ready"
    return made


def _send(server: Server, kind: str, answers: list[httpx.Response | Exception]) -> threading.Thread:
    def run() -> None:
        try:
            with httpx.Client(base_url=server.url, headers=LIVE_AUTH, timeout=120) as http:
                answers.append(CHANGES[kind].send(http))
        except httpx.TransportError as exc:  # the server killed under it
            answers.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_the_served_process_killed_during_admin_changes_restarts_whole(pristine: Path, tmp_path: Path):
    started = time.monotonic()
    settings = _copy(pristine, tmp_path / "served")
    log_path = tmp_path / "server.log"
    durations: dict[str, float] = {}  # each change, the first on a freshly started server (as after a kill)
    for kind in CHANGES:  # upload, replace, delete: the corpus is back as it was
        with serving(settings, log_path) as server, httpx.Client(base_url=server.url, headers=LIVE_AUTH,
                                                                  timeout=120) as http:
            assert http.post("/api/ask", json={"question": "西安企业开办要多久？"}).status_code == 200
            t0 = time.monotonic()
            answer = CHANGES[kind].send(http)
            durations[kind] = time.monotonic() - t0
            assert answer.status_code in (200, 201), answer.text
            listed = {d["id"] for d in http.get("/api/documents").json()["documents"]}
            assert CHANGES[kind].served(http, listed), kind  # what the checks after a restart look for
            if kind == "upload":
                assert not CHANGES["replace"].served(http, listed)
    used = dict.fromkeys(CHANGES, 0)  # the fractions of its duration each kind was killed at so far
    outcomes: list[tuple[str, float, bool, str]] = []
    kind, delay = "upload", 0.0
    answers: list[httpx.Response | Exception] = []
    while True:
        with serving(settings, log_path) as server:
            assert all(code != 503 or status == "starting" for code, status in server.statuses), server.statuses
            if any(used.values()):  # a restart after a kill: check it, then the next change
                made = _after_restart(settings, server, kind)
                answered = answers[0] if answers else None
                if isinstance(answered, httpx.Response) and answered.status_code in (200, 201):
                    assert made, f"{kind} answered {answered.status_code} but was undone by the restart"
                outcomes.append((kind, round(delay, 3), made, type(answered).__name__))
                kind = NEXT[kind] if made else kind
            if min(used.values()) >= len(FRACTIONS):
                break
            # a kind killed at every fraction already is made whole on this server, so that the
            # changes after it (a delete needs an upload and a replace made) get their kills too
            while used[kind] >= len(FRACTIONS):
                with httpx.Client(base_url=server.url, headers=LIVE_AUTH, timeout=120) as http:
                    answer = CHANGES[kind].send(http)
                assert answer.status_code in (200, 201), answer.text
                kind = NEXT[kind]
            delay = durations[kind] * FRACTIONS[used[kind] % len(FRACTIONS)]
            used[kind] += 1
            answers = []
            thread = _send(server, kind, answers)
            time.sleep(delay)
            server.kill()
            thread.join(30)
    elapsed = time.monotonic() - started
    log.info("%d kill points in %.0f s; change durations %s; outcomes %s", len(outcomes), elapsed, durations, outcomes)
    assert len(outcomes) >= 20
    assert {made for _, _, made, _ in outcomes} == {True, False}, (durations, outcomes)  # both sides of the commit
