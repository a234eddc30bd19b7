"""Admin token strength, the admin backoff and the client address (web/limits.py)."""

from __future__ import annotations

import logging
import secrets

import pytest
from pydantic import SecretStr

from assistant.settings import Settings
from web.limits import FREE_FAILURES, Backoff, Limits, usable_token, weak_reason


@pytest.mark.parametrize("token", ["bar-token", "short", "password-password", "aaaaaaaaaaaaaaaaaaaa",
                                   "admin-token-12345678", "AdminPassword2024!!", "abcdabcdabcdabcd",
                                   "1234567890123456", "changeme-changeme", "ab" * 10])
def test_a_short_or_common_token_is_weak(token):
    assert weak_reason(token) is not None


@pytest.mark.parametrize("token", [secrets.token_urlsafe(32), "guard-secret-Lx49tYc3", "correct horse battery"])
def test_a_long_uncommon_token_will_do(token):
    assert weak_reason(token) is None


def test_a_weak_token_leaves_admin_off_and_says_how_to_make_one(caplog):
    settings = Settings(admin_token=SecretStr("bar-token"))
    with caplog.at_level(logging.WARNING, logger="web.limits"):
        usable = usable_token(settings)
    assert usable.admin_token.get_secret_value() == ""
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "admin is off" in lines[0] and "secrets.token_urlsafe(32)" in lines[0]
    assert "bar-token" not in lines[0]  # the token itself is never logged
    strong = Settings(admin_token=SecretStr(secrets.token_urlsafe(32)))
    assert usable_token(strong) is strong


def test_wrong_tokens_double_the_wait_up_to_the_cap(caplog, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr("web.limits.time.time", lambda: now[0])
    backoff = Backoff(base=2.0, cap=10.0)
    waits = []
    with caplog.at_level(logging.WARNING, logger="web.limits"):
        for _ in range(FREE_FAILURES + 5):
            backoff.failed("10.0.0.1", "DELETE /api/documents/x")
            waits.append(backoff.wait("10.0.0.1"))
    assert waits == [0.0] * FREE_FAILURES + [2.0, 4.0, 8.0, 10.0, 10.0]
    last = caplog.records[-1].getMessage()
    assert "10.0.0.1" in last and "DELETE /api/documents/x" in last and "next admin attempt allowed at" in last
    assert backoff.wait("10.0.0.2") == 0.0  # per address
    now[0] += 10
    assert backoff.wait("10.0.0.1") == 0.0
    backoff.passed("10.0.0.1")
    backoff.failed("10.0.0.1", "page retire")
    assert backoff.wait("10.0.0.1") == 0.0  # a right token forgets the failures


def test_an_address_in_backoff_is_refused_before_its_token_is_looked_at():
    limits = Limits(Settings(admin_token=SecretStr("guard-secret-Lx49tYc3"), admin_backoff_seconds=30))
    for _ in range(FREE_FAILURES + 1):
        assert limits.admin_gate("10.0.0.9") is None
        limits.backoff.failed("10.0.0.9", "page upload")
    refused = limits.admin_gate("10.0.0.9")
    assert refused is not None and refused.code == "rate_limited" and 25 <= refused.details["retry_after"] <= 31


def test_forwarded_for_counts_only_when_the_settings_trust_it():
    assert Limits(Settings()).client("127.0.0.1", "1.2.3.4") == "127.0.0.1"
    assert Limits(Settings(trust_forwarded_for=True)).client("127.0.0.1", "1.2.3.4, 5.6.7.8") == "1.2.3.4"


@pytest.mark.parametrize(("trust", "expected"), [(False, (False, "")), (True, (True, "*"))])
def test_uvicorn_believes_proxy_headers_only_when_the_settings_do(monkeypatch, trust, expected):
    import argparse
    import io

    import uvicorn

    from assistant import cli

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: seen.update(k))
    monkeypatch.setattr(cli, "get_settings", lambda: Settings(trust_forwarded_for=trust))
    assert cli.cmd_serve(argparse.Namespace(host=None, port=None, verbose=False), io.StringIO()) == 0
    assert (seen["proxy_headers"], seen["forwarded_allow_ips"]) == expected
