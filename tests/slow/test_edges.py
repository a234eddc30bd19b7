"""The edges against the real served process (`assistant serve`, uvicorn and all): a client on
loopback that changes X-Forwarded-For on every request still has one bucket; page functions count
with their API twins; a URL given to a page function as its file writes nothing. (The same on a
test client, and the rest of the edges: tests/integration/test_edges.py.)"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.settings import Settings
from tests.conftest import Served, code_of

TOKEN = "edges-served-Jr52nXw7"


@pytest.fixture(scope="module")
def edge_server(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    from tests.conftest import serving

    root = tmp_path_factory.mktemp("edges")
    shutil.copytree(built_settings.index_dir, root / "index")
    env = {"ASSISTANT_INDEX_DIR": str(root / "index"), "ASSISTANT_DATA_DIR": str(root / "data"),
           "ASSISTANT_ADMIN_TOKEN": TOKEN, "ASSISTANT_ADMIN_BACKOFF_SECONDS": "0",  # the rate alone here
           "ASSISTANT_RATE_LIMIT_ASK": "4/minute", "ASSISTANT_TRUST_FORWARDED_FOR": "false"}
    with serving(env, root / "server.log") as url:
        yield url, root


def fn_index(http: httpx.Client, button: str) -> int:
    config = http.get("/config").json()
    ids = {c.get("props", {}).get("elem_id"): c["id"] for c in config["components"]}
    return next(d["id"] for d in config["dependencies"] if [ids[button], "click"] in [list(t) for t in d["targets"]])


def spoofed(n: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"203.0.{n // 250}.{n % 250 + 1}"}


def test_a_new_forwarded_for_each_time_is_still_one_client(edge_server):
    """Admin 30 a minute (the default): 40 wrong tokens, each claiming another address, from one
    loopback client: 30 are checked, the rest refused, and the page's admin functions share the count."""
    url, root = edge_server
    with httpx.Client(base_url=url, timeout=30) as http:
        codes = [http.delete("/api/documents/x", headers={"Authorization": f"Bearer guess{i}", **spoofed(i)}).status_code
                 for i in range(40)]
        assert codes.count(401) == 30 and codes.count(429) == 10, codes
        retire = fn_index(http, "retire-button")
        page = http.post("/gradio_api/run/predict", json={"fn_index": retire, "data": ["guess", None, None]},
                         headers=spoofed(99))
        assert "请求过于频繁" in page.text and "管理口令缺失或不正确" not in page.text
    log = (root / "server.log").read_text(encoding="utf-8")
    assert "admin token refused: 127.0.0.1 on DELETE /api/documents/x" in log and "203.0." not in log


def test_page_questions_count_with_api_questions(edge_server):
    url, _root = edge_server
    ask: dict[str, Any] = {"data": ["泾河新城开办企业要多久？", "", "", {"turns": []}]}
    with httpx.Client(base_url=url, timeout=60) as http:
        assert http.post("/api/ask", json={"question": "泾河新城开办企业要多久？"}, headers=spoofed(1)).status_code == 200
        said = [http.post("/gradio_api/run/ask", json=ask, headers=spoofed(2 + i)).text for i in range(4)]
        assert ["请求过于频繁" in s for s in said] == [False, False, False, True], said
        assert "1 个工作日" in said[0]
        limited = http.post("/api/ask", json={"question": "泾河新城开办企业要多久？"}, headers=spoofed(9))
        assert limited.status_code == 429 and code_of(limited) == "rate_limited"


def test_a_url_as_a_page_file_writes_nothing(edge_server):
    url, root = edge_server
    uploads = root / "data" / "page-uploads"
    before = sorted(uploads.rglob("*"))
    with httpx.Client(base_url=url, timeout=30) as http:
        upload = fn_index(http, "upload-button")
        for path in ("https://example.com/a.pdf", "http://127.0.0.1:9/a.txt", "data:text/plain;base64,eA=="):
            for token in ("guess", TOKEN):
                file = {"path": path, "meta": {"_type": "gradio.FileData"}}
                said = http.post("/gradio_api/run/predict", json={"fn_index": upload,
                                                                  "data": [token, file, "", "", "", ""]}).text
                assert "不接受网址" in said, said
    assert sorted(uploads.rglob("*")) == before
    log = (root / "server.log").read_text(encoding="utf-8")
    assert "a URL given as a file" in log and "Traceback" not in log
