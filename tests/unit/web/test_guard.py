"""The guard's rate limits: which request counts against which limit."""

from __future__ import annotations

from web.guard import RateLimit


def test_what_counts_against_which_limit():
    assert RateLimit.kind("POST", "/api/ask") == "ask" and RateLimit.kind("GET", "/api/search") == "ask"
    # the page's functions count under their own action's limit, in the function (tests/slow/test_edges.py)
    assert RateLimit.kind("POST", "/gradio_api/queue/join") == "other"
    assert RateLimit.kind("POST", "/gradio_api/run/ask") == "other"
    assert RateLimit.kind("POST", "/gradio_api/upload") == "admin"
    assert RateLimit.kind("GET", "/gradio_api/upload_progress") is None  # the page asks; no admin try
    assert RateLimit.kind("DELETE", "/api/documents/x") == "admin" and RateLimit.kind("GET", "/api/feedback") == "admin"
    assert RateLimit.kind("GET", "/assets/index.js") is None and RateLimit.kind("POST", "/api/feedback") == "other"
