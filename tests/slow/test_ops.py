"""The server as an operator watches it (the whole app, the page mounted, on a tiny corpus):
/metrics after a few questions, request ids, health for probes, unknown paths in the error shape."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from assistant.settings import Settings
from tests.conftest import error
from tests.slow.tiny_corpus import tiny_corpus
from web.app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    settings: Settings = tiny_corpus(tmp_path_factory.mktemp("ops"))
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def sample(text: str, name: str, **labels: str) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        m = re.match(rf"^{name}(?:{{(.*)}})? (\S+)$", line)
        if m and all(f'{k}="{v}"' in (m.group(1) or "") for k, v in labels.items()):
            return float(m.group(2))
    raise AssertionError(f"no sample {name}{{{want}}} in /metrics")


def test_metrics_count_requests_answers_and_clauses_and_show_the_build(client):
    before = client.get("/metrics").text
    asked = sample(before, "assistant_answers_total", state="answered") if "state=\"answered\"" in before else 0
    for question in ("企业开办要多久？", "不动产转移登记要几天？", "抵押登记多久？"):
        assert client.post("/api/ask", json={"question": question}).status_code == 200
    client.post("/api/ask", json={"question": ""})
    text = client.get("/metrics").text
    assert sample(text, "assistant_http_requests_total", method="POST", route="/api/ask", status="200") == 3
    assert sample(text, "assistant_http_requests_total", method="POST", route="/api/ask", status="400") == 1
    assert sample(text, "assistant_http_request_duration_seconds_count", method="POST", route="/api/ask") == 4
    assert sample(text, "assistant_answers_total", state="answered") - asked == 3
    assert sample(text, "assistant_clauses_served_total") >= 3
    build = client.get("/api/health").json()["manifest"]["build"]
    assert sample(text, "assistant_build_info", build=build, degraded="0") == 1
    assert 0 <= sample(text, "assistant_build_age_seconds") < 3600
    assert sample(text, "assistant_index_clauses") > 5


def test_request_ids_and_health_for_probes(client):
    answer = client.post("/api/ask", json={"question": "企业开办要多久？"}, headers={"X-Request-ID": "probe-1"})
    assert answer.headers["x-request-id"] == "probe-1"
    assert len(client.get("/api/documents").headers["x-request-id"]) == 32
    head = client.head("/api/health")
    assert head.status_code == 200 and head.content == b""
    health = client.get("/api/health").json()
    assert health["status"] == "ready" and health["live"] and health["ready"]
    assert client.get("/api/health/live").json() == {"status": "live"}
    assert client.head("/api/health/ready").status_code == 200
    assistant = client.app.state.assistant
    assistant.engines.degraded = {"damaged_build": "b1", "serving_build": "b0", "problems": ["x"]}
    try:
        ready = client.get("/api/health/ready")
        assert ready.status_code == 503 and ready.json()["status"] == "degraded"
        assert client.get("/api/health").json()["ready"] is False
    finally:
        assistant.engines.degraded = {}


@pytest.mark.parametrize("path", ["/healthz", "/metricsx", "/no/such/page"])
def test_unknown_paths_answer_the_error_shape(client, path):
    error(client.get(path), 404, "not_found")


def test_served_process_binds_its_port_at_once_and_says_starting_until_ready(tmp_path_factory):
    """`assistant serve` as a user starts it: from the first answer on the port, /api/health is
    503 `starting` (and a question 503 `starting`, with Retry-After) or already 200 ready; then
    ready, and the question is answered."""
    import os
    import subprocess
    import sys
    import time

    import httpx

    from assistant.settings import REPO_ROOT
    from tests.conftest import free_port

    tiny: Settings = tiny_corpus(tmp_path_factory.mktemp("bind"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(tiny.index_dir), "ASSISTANT_CORPUS_DIR": str(tiny.corpus_dir),
           "ASSISTANT_DATA_DIR": str(tiny.data_dir), "PYTHONPATH": str(REPO_ROOT)}
    log_path = tiny.corpus_dir.parent / "server.log"
    seen: list[str] = []
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], env=env,
                                stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                assert proc.poll() is None, log_path.read_text()
                try:
                    health = httpx.get(url + "/api/health", timeout=5)
                except httpx.HTTPError:
                    time.sleep(0.05)
                    continue
                status = health.json()["status"]
                assert (health.status_code, status) in ((503, "starting"), (200, "ready")), health.text
                if not seen or seen[-1] != status:
                    seen.append(status)
                if status == "ready":
                    break
                assert health.json()["live"] is True and health.headers["retry-after"]
                asked = httpx.post(url + "/api/ask", json={"question": "企业开办要多久？"}, timeout=5)
                if asked.status_code == 503:  # still loading (else it finished between the two requests)
                    error(asked, 503, "starting")
                    assert int(asked.headers["retry-after"]) > 0
                time.sleep(0.05)
            assert seen and seen[-1] == "ready", (seen, log_path.read_text())
            assert seen in (["starting", "ready"], ["ready"])
            answer = httpx.post(url + "/api/ask", json={"question": "企业开办要多久？"}, timeout=30)
            assert answer.status_code == 200 and "0.5个工作日" in answer.json()["answer"]
            assert httpx.get(url + "/api/health/ready", timeout=5).json()["ready"] is True
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
