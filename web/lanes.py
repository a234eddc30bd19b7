"""A lane for requests that carry a long conversation, so they cannot crowd out everyone else.

Following a long history costs more than answering one question. Requests whose history holds
more than a few questions, or many characters, go through one lane: one at a time server-wide,
and, while other questions are being answered, after each the lane rests in proportion to the
time it took, so together they use at most `share` of the server's time. On an idle server they
do not wait; short questions and short follow-ups never wait for the lane.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from assistant.understand.conversation import Turn


class LongLane:
    def __init__(self, share: float, turns: int, chars: int) -> None:
        self.share = min(max(share, 0.01), 1.0)
        self.turns = turns
        self.chars = chars
        self._lock = asyncio.Lock()
        self._free_at = 0.0
        self.others = 0  # short requests being answered now

    def is_long(self, history: Sequence[Turn]) -> bool:
        questions = [t for t in history if t.role == "user"]
        return len(questions) > self.turns or sum(len(t.content) for t in history) > self.chars

    @asynccontextmanager
    async def enter(self, history: Sequence[Turn]) -> AsyncIterator[None]:
        if not self.is_long(history):
            self.others += 1
            try:
                yield
            finally:
                self.others -= 1
            return
        async with self._lock:
            while self.others and self._free_at > time.monotonic():  # others are waiting: let them go first
                await asyncio.sleep(min(self._free_at - time.monotonic(), 0.05))
            started = time.monotonic()
            try:
                yield
            finally:
                spent = time.monotonic() - started
                self._free_at = time.monotonic() + spent * (1 / self.share - 1)
