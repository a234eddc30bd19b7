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
MAX_TEXT = 20000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    clause_ids TEXT NOT NULL DEFAULT '[]',
    source TEXT NOT NULL DEFAULT ''
)
"""


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
                    self._ready = True
            return conn
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open the feedback store {self.path}: {exc}", "无法打开反馈数据库。") from exc

    def add(self, rating: str, question: str, answer: str, comment: str = "",
            clause_ids: tuple[str, ...] | list[str] = (), source: str = "") -> Feedback:
        if rating not in RATINGS:
            raise InvalidRequest(f"rating must be one of {', '.join(RATINGS)}, got {rating!r}",
                                 "评价只能是 up（👍）或 down（👎）。", valid=list(RATINGS))
        if not question.strip():
            raise InvalidRequest("feedback needs the question it rates", "反馈需要附上所评价的问题。")
        if len(comment) > MAX_COMMENT or len(question) > MAX_TEXT or len(answer) > MAX_TEXT:
            raise InvalidRequest(f"feedback text too long (comment at most {MAX_COMMENT} characters)",
                                 f"反馈内容过长（意见最多 {MAX_COMMENT} 字）。")
        created = datetime.now(UTC).isoformat(timespec="seconds")
        ids = json.dumps(list(clause_ids), ensure_ascii=False)
        conn = self._connect()
        try:
            with conn:
                cur = conn.execute(
                    "INSERT INTO feedback (created_at, rating, question, answer, comment, clause_ids, source) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", (created, rating, question, answer, comment.strip(), ids, source))
            row_id = int(cur.lastrowid or 0)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot save feedback: {exc}", "反馈保存失败。") from exc
        finally:
            conn.close()
        return Feedback(row_id, created, rating, question, answer, comment.strip(), tuple(clause_ids), source)  # type: ignore[arg-type]

    def list(self, limit: int = 100, rating: str | None = None) -> list[Feedback]:
        if rating is not None and rating not in RATINGS:
            raise InvalidRequest(f"rating must be one of {', '.join(RATINGS)}, got {rating!r}",
                                 "评价只能是 up 或 down。", valid=list(RATINGS))
        conn = self._connect()
        try:
            sql = "SELECT id, created_at, rating, question, answer, comment, clause_ids, source FROM feedback"
            params: tuple[Any, ...] = ()
            if rating:
                sql += " WHERE rating = ?"
                params = (rating,)
            rows = conn.execute(sql + " ORDER BY id DESC LIMIT ?", (*params, limit)).fetchall()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read feedback: {exc}", "反馈读取失败。") from exc
        finally:
            conn.close()
        return [Feedback(r[0], r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6])), r[7]) for r in rows]
