"""Per-client limits, one per action whatever the route: the HTTP middleware (web/guard.py) and
the page's own functions (web/ui/handlers.py) count against the same buckets. A question is a
question whether it comes to /api/ask, /v1/chat/completions or the page's 提问; an admin action
is an admin action through /api/documents, /gradio_api/upload or the page's 文件管理 buttons.

Admin failures back off per address: after a few free tries each wrong token doubles a wait
before the next admin attempt from that address is even checked (capped), logged in one line.
The admin token itself must be strong: a short or common one leaves admin off (`usable_token`).
"""

from __future__ import annotations

import hmac
import logging
import re
import threading
import time
from datetime import UTC, datetime
from typing import Literal

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from assistant.errors import AdminDisabled, RateLimited, Unauthorized
from assistant.settings import Settings

log = logging.getLogger(__name__)

Kind = Literal["ask", "admin", "other", "join"]
MIN_TOKEN_CHARS = 16
# Words a token must be more than (with digits and separators around them); a token made only of
# these, or of one short unit repeated, is refused whatever its length.
COMMON_WORDS = ("password", "passw0rd", "admin", "token", "secret", "changeme", "letmein", "qwerty")
MAKE_ONE = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'
FREE_FAILURES = 3  # wrong tokens from one address before the waits begin (a typo or two)
FORGET_AFTER = 24 * 3600  # an address quiet this long starts afresh
MAX_ADDRESSES = 10_000  # addresses remembered at once; the oldest are forgotten first


def _only_common_words(text: str) -> bool:
    """Whether `text` is a run of common words (e.g. "adminpassword"), nothing else."""
    ends = {0}
    for i in range(1, len(text) + 1):
        if any(i - len(w) in ends and text[i - len(w):i] == w for w in COMMON_WORDS):
            ends.add(i)
    return len(text) in ends


def weak_reason(token: str) -> str | None:
    """Why `token` is too weak to guard the admin routes, or None when it will do."""
    if len(token) < MIN_TOKEN_CHARS:
        return f"it has {len(token)} characters, fewer than {MIN_TOKEN_CHARS}"
    core = re.sub(r"[\d\W_]+", "", token.lower())
    if not core or len(set(token)) <= 2 or _only_common_words(core):
        return "it is made of common words, digits or one repeated character"
    if any(token == token[:n] * (len(token) // n) for n in range(1, 9) if len(token) % n == 0):
        return "it is one short pattern repeated"
    return None


def usable_token(settings: Settings) -> Settings:
    """The settings with a weak admin token dropped (admin then off, as with none), said once."""
    token = settings.admin_token.get_secret_value()
    reason = weak_reason(token) if token else None
    if reason is None:
        return settings
    log.warning("admin is off: ASSISTANT_ADMIN_TOKEN is too weak (%s); make one with: %s", reason, MAKE_ONE)
    from pydantic import SecretStr

    return settings.model_copy(update={"admin_token": SecretStr("")})


class Backoff:
    """Per-address waits after wrong admin tokens: none for the first few, then 1×, 2×, 4× … the
    base, at most `cap` seconds. A right token forgets the address."""

    def __init__(self, base: float, cap: float) -> None:
        self.base, self.cap = base, cap
        self._failures: dict[str, tuple[int, float, float]] = {}  # who → (failures, allowed at, last)
        self._lock = threading.Lock()

    def wait(self, who: str) -> float:
        """Seconds before an admin attempt from `who` is checked at all; 0: now."""
        with self._lock:
            entry = self._failures.get(who)
        return max(0.0, entry[1] - time.time()) if entry else 0.0

    def failed(self, who: str, route: str) -> None:
        now = time.time()
        with self._lock:
            count, _at, last = self._failures.pop(who, (0, 0.0, now))
            count = 1 if now - last > FORGET_AFTER else count + 1
            delay = 0.0 if count <= FREE_FAILURES or self.base <= 0 else min(
                self.cap, self.base * 2 ** (count - FREE_FAILURES - 1))
            self._failures[who] = (count, now + delay, now)
            while len(self._failures) > MAX_ADDRESSES:
                self._failures.pop(next(iter(self._failures)))
        allowed = datetime.fromtimestamp(now + delay, UTC).isoformat(timespec="seconds")
        log.warning("admin token refused: %s on %s, failure %d; next admin attempt allowed at %s (in %.0f s)",
                    who, route, count, allowed, delay)

    def passed(self, who: str) -> None:
        with self._lock:
            self._failures.pop(who, None)


def _refusal(rule: object, wait: int) -> RateLimited:
    return RateLimited(f"too many requests: at most {rule}; retry in {wait} s",
                       f"请求过于频繁（上限 {rule}），请 {wait} 秒后再试。", retry_after=wait)


class Limits:
    """The rate limits, the admin backoff and the admin token of one app."""

    def __init__(self, settings: Settings) -> None:
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.rules: dict[str, list[RateLimitItem]] = {
            "ask": parse_many(settings.rate_limit_ask), "admin": parse_many(settings.rate_limit_admin),
            "other": parse_many(settings.rate_limit_other), "join": parse_many(settings.rate_limit_page_join)}
        self.trust_forwarded = settings.trust_forwarded_for
        self.backoff = Backoff(settings.admin_backoff_seconds, settings.admin_backoff_max_seconds)
        self.token = settings.admin_token.get_secret_value()

    def client(self, peer: str | None, forwarded: str = "") -> str:
        """Who a request is from: its peer address; X-Forwarded-For only when the settings trust it."""
        if self.trust_forwarded:
            first = forwarded.split(",")[0].strip()
            if first:
                return first
        return peer or "unknown"

    def hit(self, kind: Kind, who: str) -> RateLimited | None:
        """Count one `kind` action from `who`; the refusal when it is over a limit."""
        for rule in self.rules[kind]:
            if not self.limiter.hit(rule, kind, who):
                reset, _remaining = self.limiter.get_window_stats(rule, kind, who)
                return _refusal(rule, max(1, int(reset - time.time()) + 1))
        return None

    def admin_gate(self, who: str) -> RateLimited | None:
        """Before an admin action's token is looked at: the address's backoff, then the rate."""
        wait = self.backoff.wait(who)
        if wait > 0:
            seconds = int(wait) + 1
            return RateLimited(f"too many wrong admin tokens from this address; retry in {seconds} s",
                               f"管理口令错误次数过多，请 {seconds} 秒后再试。", retry_after=seconds)
        return self.hit("admin", who)

    def authorize(self, token: str | None) -> None:
        if not self.token:
            raise AdminDisabled("admin actions are off: set a strong ASSISTANT_ADMIN_TOKEN on the server "
                                f"(at least {MIN_TOKEN_CHARS} characters; {MAKE_ONE})")
        if not token or not hmac.compare_digest(token.encode(), self.token.encode()):
            raise Unauthorized("missing or wrong admin token", "管理口令缺失或不正确。")

    def token_ok(self, token: object) -> bool:
        """A side-effect-free look: whether `token` is the admin token."""
        return bool(self.token) and isinstance(token, str) and hmac.compare_digest(token.encode(), self.token.encode())

