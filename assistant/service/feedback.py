"""Ratings of answers (👍 / 👎 with an optional comment), kept in SQLite in the data dir."""

from __future__ import annotations

import errno
import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from assistant.errors import DiskFull, InvalidRequest, RateLimited, StorageError

Rating = Literal["up", "down"]
RATINGS: tuple[Rating, ...] = ("up", "down")
MAX_COMMENT = 2000
MAX_TEXT = 10000
MAX_CLAUSE_IDS = 20
MAX_KEY = 100

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    clause_ids TEXT NOT NULL DEFAULT '[]',
    source TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT UNIQUE,
    client TEXT NOT NULL DEFAULT ''
)
"""
# A store made before idempotency keys or quotas: the columns and their indexes are added on open.
_MIGRATE = {"idempotency_key": ("ALTER TABLE feedback ADD COLUMN idempotency_key TEXT",
                                "CREATE UNIQUE INDEX IF NOT EXISTS feedback_idempotency ON feedback (idempotency_key)"),
            "client": ("ALTER TABLE feedback ADD COLUMN client TEXT NOT NULL DEFAULT ''",
                       "CREATE INDEX IF NOT EXISTS feedback_client ON feedback (client, created_at)")}


@dataclass(frozen=True)
class Feedback:
    id: int
    created_at: str
    rating: Rating
    question: str
    answer: str
    comment: str
    clause_ids: tuple[str, ...]
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "created_at": self.created_at, "rating": self.rating, "question": self.question,
                "answer": self.answer, "comment": self.comment, "clause_ids": list(self.clause_ids),
                "source": self.source}


def _client_key(client: str) -> str:
    """What the store keeps of an address: enough to count its rows, not the address itself."""
    return hashlib.sha256(client.encode()).hexdigest()[:16] if client else ""


def _full(exc: sqlite3.Error) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc).lower()


class FeedbackStore:
    """One SQLite file; a connection per call, so any thread of the server may write. Each client
    address may add `per_client_per_day` rows a day (UTC) and the file may grow to `max_bytes`
    (0: no limit)."""

    def __init__(self, path: Path, per_client_per_day: int = 500, max_bytes: int = 200 * 1024 * 1024) -> None:
        self.path = path
        self.per_client_per_day = per_client_per_day
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        try:
            if not self._ready:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10)
            if not self._ready:
                with self._lock:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute(_SCHEMA)
                    columns = {row[1] for row in conn.execute("PRAGMA table_info(feedback)")}
                    for column, (add, index) in _MIGRATE.items():
                        for statement in (add, index) if column not in columns else (index,):
                            conn.execute(statement)
                    self._ready = True
            return conn
        except (OSError, sqlite3.Error) as exc:
            if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or (
                    isinstance(exc, sqlite3.Error) and _full(exc)):
                raise DiskFull(f"cannot open the feedback store {self.path}: {exc}", "磁盘空间不足，反馈未保存。") from exc
            raise StorageError(f"cannot open the feedback store {self.path}: {exc}", "无法打开反馈数据库。") from exc

    def add(self, rating: str, question: str, answer: str, comment: str = "",
            clause_ids: tuple[str, ...] | list[str] = (), source: str = "", idempotency_key: str | None = None,
            client: str = "") -> Feedback:
        """Save a rating. Every field is bounded; a retry with the same `idempotency_key` returns
        the row saved the first time instead of saving a second one. `client` (the address) is
        counted against its daily quota (RateLimited), the store against its size (DiskFull)."""
        _check(rating, question, answer, comment, clause_ids, idempotency_key)
        if idempotency_key is not None:
            earlier = self._by_key(idempotency_key)
            if earlier is not None:
                return earlier
        now = datetime.now(UTC)
        created = now.isoformat(timespec="seconds")
        ids = json.dumps(list(clause_ids), ensure_ascii=False)
        key = _client_key(client)
        self._check_size()
        conn = self._connect()
        try:
            with conn:
                self._check_quota(conn, key, now)
                cur = conn.execute(
                    "INSERT INTO feedback (created_at, rating, question, answer, comment, clause_ids, source, "
                    "idempotency_key, client) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (created, rating, question, answer, comment.strip(), ids, source, idempotency_key, key))
            row_id = int(cur.lastrowid or 0)
        except sqlite3.IntegrityError:  # the same key saved meanwhile by a concurrent retry
            conn.close()
            earlier = self._by_key(idempotency_key or "")
            if earlier is None:
                raise
            return earlier
        except sqlite3.Error as exc:
            if _full(exc):
                raise DiskFull(f"cannot save feedback: {exc}", "磁盘空间不足，反馈未保存。") from exc
            raise StorageError(f"cannot save feedback: {exc}", "反馈保存失败。") from exc
        finally:
            conn.close()
        return Feedback(row_id, created, rating, question, answer, comment.strip(), tuple(clause_ids), source)  # type: ignore[arg-type]

    def size(self) -> int:
        """Bytes the store holds on disk (the database and its write-ahead log)."""
        files = (self.path, self.path.with_name(self.path.name + "-wal"))
        return sum(f.stat().st_size for f in files if f.exists())

    def _check_size(self) -> None:
        if self.max_bytes and self.size() >= self.max_bytes:
            raise DiskFull(f"the feedback store is full ({self.max_bytes} bytes); no more feedback is saved",
                           "反馈存储已满，暂不接收新的反馈。", limit=self.max_bytes)

    def _check_quota(self, conn: sqlite3.Connection, key: str, now: datetime) -> None:
        if not (self.per_client_per_day and key):
            return
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        (count,) = conn.execute("SELECT COUNT(*) FROM feedback WHERE client = ? AND created_at >= ?",
                                (key, midnight.isoformat(timespec="seconds"))).fetchone()
        if count >= self.per_client_per_day:
            wait = max(1, int((midnight + timedelta(days=1) - now).total_seconds()))
            raise RateLimited(f"at most {self.per_client_per_day} feedback rows a day from one address; "
                              f"retry in {wait} s", f"今日反馈已达 {self.per_client_per_day} 条上限，请明天再试。",
                              retry_after=wait)

    def _by_key(self, key: str) -> Feedback | None:
        conn = self._connect()
        try:
            row = conn.execute(f"SELECT {_COLUMNS} FROM feedback WHERE idempotency_key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read feedback: {exc}", "反馈读取失败。") from exc
        finally:
            conn.close()
        return _row(row) if row else None

    def list(self, limit: int = 100, rating: str | None = None) -> list[Feedback]:
        if rating is not None and rating not in RATINGS:
            raise InvalidRequest(f"rating must be one of {', '.join(RATINGS)}, got {rating!r}",
                                 "评价只能是 up 或 down。", valid=list(RATINGS))
        conn = self._connect()
        try:
            sql = f"SELECT {_COLUMNS} FROM feedback"
            params: tuple[Any, ...] = ()
            if rating:
                sql += " WHERE rating = ?"
                params = (rating,)
            rows = conn.execute(sql + " ORDER BY id DESC LIMIT ?", (*params, limit)).fetchall()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read feedback: {exc}", "反馈读取失败。") from exc
        finally:
            conn.close()
        return [_row(r) for r in rows]


def _check(rating: str, question: str, answer: str, comment: str, clause_ids: tuple[str, ...] | list[str],
           idempotency_key: str | None) -> None:
    if rating not in RATINGS:
        raise InvalidRequest(f"rating must be one of {', '.join(RATINGS)}, got {rating!r}",
                             "评价只能是 up（👍）或 down（👎）。", valid=list(RATINGS))
    if not question.strip():
        raise InvalidRequest("feedback needs the question it rates", "反馈需要附上所评价的问题。")
    if (len(comment) > MAX_COMMENT or len(question) > MAX_TEXT or len(answer) > MAX_TEXT
            or len(clause_ids) > MAX_CLAUSE_IDS or any(len(c) > 200 for c in clause_ids)
            or (idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_KEY)):
        raise InvalidRequest(f"feedback too long (comment at most {MAX_COMMENT} characters, question and answer "
                             f"{MAX_TEXT}, {MAX_CLAUSE_IDS} clause ids, a key of {MAX_KEY})",
                             f"反馈内容过长（意见最多 {MAX_COMMENT} 字）。")


_COLUMNS = "id, created_at, rating, question, answer, comment, clause_ids, source"


def _row(r: tuple[Any, ...]) -> Feedback:
    return Feedback(r[0], r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6])), r[7])
