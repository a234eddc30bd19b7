"""Hostile requests against the live server (its own process): 50 MB bodies on every route, and
the page's upload endpoint behind the admin token. (The rest of the guard's tests run on a test
client in tests/integration/test_guard.py.)"""

from __future__ import annotations

import time
from collections.abc import Iterator

from tests.conftest import LIVE_ADMIN_TOKEN, MB, code_of, process_rss

ROUTES = [("POST", "/api/ask"), ("POST", "/v1/chat/completions"), ("POST", "/api/feedback"),
          ("POST", "/api/documents"), ("PUT", "/api/documents/xa2024-60"), ("POST", "/api/documents/x/retire"),
          ("POST", "/gradio_api/upload"), ("POST", "/gradio_api/queue/join")]


def test_a_50_mb_body_is_refused_at_once_on_every_route(live_server):
    """Against the real server (its own process, so its memory is what is measured): declared
    or streamed, 50 MB to each route is a 413 within a second, before the token is checked."""
    import httpx

    before = process_rss(live_server.pid)
    size = 50 * MB

    # a well-formed upload whose file never ends: the parser spools it as it reads
    prefix = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'

    def chunks(multipart: bool) -> Iterator[bytes]:
        if multipart:
            yield prefix
        block = b"x" * MB
        for _ in range(size // MB):
            yield block

    with httpx.Client(base_url=live_server, timeout=10) as http:
        for method, path in ROUTES:
            multipart = "documents" in path or "upload" in path
            for headers in ({"Content-Length": str(size + len(prefix) * multipart)}, {}):  # declared, then streamed
                started = time.perf_counter()
                try:
                    kind = "multipart/form-data; boundary=x" if multipart else "application/json"
                    # the page's upload endpoint needs the admin token's cookie before it reads anything
                    cookie = {"Cookie": f"pa_admin={LIVE_ADMIN_TOKEN}"} if "gradio_api/upload" in path else {}
                    response = http.request(method, path, content=chunks(multipart),
                                            headers={"Content-Type": kind, **headers, **cookie})
                except httpx.TransportError:  # the server answered and closed before all was sent
                    continue
                assert response.status_code == 413, (method, path, response.text[:200])
                assert code_of(response) in ("body_too_large", "upload_too_large")
                assert time.perf_counter() - started < 1.0, (method, path)
    assert process_rss(live_server.pid) - before < 100 * MB


def test_the_page_upload_endpoint_needs_the_admin_token(live_server):
    import httpx

    file = {"files": ("a.txt", b"\xe8\xa5\xbf\xe5\xae\x89")}
    assert httpx.post(live_server + "/gradio_api/upload", files=file).status_code == 401
    wrong = httpx.post(live_server + "/gradio_api/upload", files=file, headers={"Cookie": "pa_admin=guess"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
    right = httpx.post(live_server + "/gradio_api/upload", files=file,
                       headers={"Cookie": f"pa_admin={LIVE_ADMIN_TOKEN}"})
    assert right.status_code == 200
