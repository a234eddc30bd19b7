"""Ratings of answers (👍 / 👎 with an optional comment), kept in SQLite in the data dir."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from assistant.errors import InvalidRequest, StorageError

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
    idempotency_key TEXT UNIQUE
)
"""
# A store made before idempotency keys: the column and its index are added on open.
_MIGRATE = ("ALTER TABLE feedback ADD COLUMN idempotency_key TEXT",
            "CREATE UNIQUE INDEX IF NOT EXISTS feedback_idempotency ON feedback (idempotency_key)")


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


class FeedbackStore:
    """One SQLite file; a connection per call, so any thread of the server may write."""

    def __init__(self, path: Path) -> None:
        self.path = path
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
                    for statement in _MIGRATE[0 if "idempotency_key" not in columns else 1:]:
                        conn.execute(statement)
                    self._ready = True
            return conn
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open the feedback store {self.path}: {exc}", "无法打开反馈数据库。") from exc

    def add(self, rating: str, question: str, answer: str, comment: str = "",
            clause_ids: tuple[str, ...] | list[str] = (), source: str = "", idempotency_key: str | None = None) -> Feedback:
        """Save a rating. Every field is bounded; a retry with the same `idempotency_key` returns
        the row saved the first time instead of saving a second one."""
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
        if idempotency_key is not None:
            earlier = self._by_key(idempotency_key)
            if earlier is not None:
                return earlier
        created = datetime.now(UTC).isoformat(timespec="seconds")
        ids = json.dumps(list(clause_ids), ensure_ascii=False)
        conn = self._connect()
        try:
            with conn:
                cur = conn.execute(
                    "INSERT INTO feedback (created_at, rating, question, answer, comment, clause_ids, source, "
                    "idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (created, rating, question, answer, comment.strip(), ids, source, idempotency_key))
            row_id = int(cur.lastrowid or 0)
        except sqlite3.IntegrityError:  # the same key saved meanwhile by a concurrent retry
            conn.close()
            earlier = self._by_key(idempotency_key or "")
            if earlier is None:
                raise
            return earlier
        except sqlite3.Error as exc:
            raise StorageError(f"cannot save feedback: {exc}", "反馈保存失败。") from exc
        finally:
            conn.close()
        return Feedback(row_id, created, rating, question, answer, comment.strip(), tuple(clause_ids), source)  # type: ignore[arg-type]

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


_COLUMNS = "id, created_at, rating, question, answer, comment, clause_ids, source"


def _row(r: tuple[Any, ...]) -> Feedback:
    return Feedback(r[0], r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6])), r[7])
