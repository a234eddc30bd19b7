"""A file of the serving build cut short on disk while the server runs (its memory-mapped files
included) never takes the server down: the next question is answered from the previous good
build, and with none left a 503 says how to rebuild; the process lives on. (Unchecked, the first
read past the end of a mapped file ended the process with SIGBUS and no log line.)"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.index.store import IndexStore
from tests.conftest import Served, serving
from tests.slow.tiny_corpus import tiny_corpus

OLDER = "00000000T000000000000-1"  # sorts before every real build
QUESTION = {"question": "西安企业开办要多久？"}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Served, IndexStore, Path]]:
    settings = tiny_corpus(tmp_path)
    store = IndexStore(settings.index_dir)
    shutil.copytree(store.current(), store.builds / OLDER)  # type: ignore[arg-type]
    env = {"ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_INDEX_DIR": str(settings.index_dir),
           "ASSISTANT_DATA_DIR": str(tmp_path / "data")}
    with serving(env, tmp_path / "server.log") as url:
        yield url, store, tmp_path / "server.log"


def cut(path: Path) -> None:
    with path.open("r+b") as fh:  # in place: the server's mappings see it
        fh.truncate(0)


@pytest.mark.parametrize("name", ["vectors.npy", "clauses.jsonl", "dense.faiss"])
def test_a_serving_file_cut_short_falls_back_then_answers_503(served, name):
    url, store, log_path = served
    with httpx.Client(base_url=url, timeout=30) as http:
        first = http.post("/api/ask", json=QUESTION)
        assert first.status_code == 200 and "工作日" in first.json()["answer"], first.text
        serving_build = store.current()
        assert serving_build is not None
        cut(serving_build / name)

        second = http.post("/api/ask", json=QUESTION)
        assert second.status_code == 200 and "工作日" in second.json()["answer"], second.text
        health = http.get("/api/health").json()
        assert health["status"] == "degraded" and health["degraded"]["serving_build"] == OLDER

        cut(store.builds / OLDER / name)
        third = http.post("/api/ask", json=QUESTION)
        assert third.status_code == 503 and "assistant build" in third.json()["error"]["message_en"], third.text
        assert http.get("/api/health").status_code == 503
    assert url.pid and Path(f"/proc/{url.pid}").exists()
    log = log_path.read_text(encoding="utf-8")
    assert f"the serving build {serving_build.name} changed on disk" in log and name in log
