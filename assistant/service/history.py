"""What the conversation before a question is about (`Context`), from the history a client sends.

An answer returns what the conversation is about after it (`Answer.subject`) and the clause it was
answered from; a client that sends them back on its assistant turns (`Turn.subject`,
`Turn.clause_id`) gives a follow-up its context without anything being read or searched again.
The clause id is checked against the loaded index. A plain chat history (the OpenAI API, a client
that keeps only text) is replayed instead: its questions are read, and only the last one is
answered again, to learn the clause it was answered from; replays are remembered per conversation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from assistant.models import Answer
from assistant.settings import Settings
from assistant.understand.conversation import Context, Turn, user_questions
from assistant.understand.query import Query

K = TypeVar("K")
V = TypeVar("V")


class Remembered(Generic[K, V]):
    """A small thread-safe LRU map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def after(query: Query, answer: Answer | None) -> Context:
    """What the conversation is about once `query` is answered (`Query.about`), and the clause it
    was answered from."""
    return Context(query.about or query.standalone, answer.top_clause if answer else "")


def stored(history: Sequence[Turn], settings: Settings, known: Callable[[str], bool]) -> Context | None:
    """The context the newest assistant turn carries, when the client kept it; None otherwise (or
    when a user question follows it, or its clause is not in the loaded index)."""
    for turn in reversed(history):
        if turn.role == "user" and turn.content.strip():
            return None
        if turn.role == "assistant" and turn.subject.strip():
            clause = turn.clause_id if turn.clause_id and known(turn.clause_id) else ""
            return Context(turn.subject.strip()[: settings.max_replay_chars], clause)
    return None


class Replay:
    """Replays a plain history's questions (see the module's docstring)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._contexts: Remembered[tuple[Any, ...], Context] = Remembered(4096)

    def context(self, history: Sequence[Turn], key: tuple[Any, ...], read: Callable[[str, Context | None], Query],
                answer: Callable[[Query], Answer]) -> Context | None:
        """At most `max_history_turns` questions of at most `max_replay_chars` each, whatever the
        history sent; a conversation's context is remembered, so its next request replays only the
        newest question, not every earlier one again."""
        context: Context | None = None
        questions = [q.strip()[: self.settings.max_replay_chars]
                     for q in user_questions(history, self.settings.max_history_turns)]
        for i, previous in enumerate(questions):
            last = i == len(questions) - 1
            # only the last earlier question needs its answer (the clause a follow-up may ask
            # about); the ones before it only say what the conversation is about
            remembered_key = (*key, tuple(questions[: i + 1]), last)
            remembered = self._contexts.get(remembered_key)
            if remembered is not None:
                context = remembered
                continue
            query = read(previous, context)
            context = after(query, answer(query) if last else None)
            self._contexts.put(remembered_key, context)
        return context
