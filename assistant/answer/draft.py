"""What composing or abstaining produces before the one `Answer` is made of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.answer.passages import Passage
from assistant.models import Citation, Clause, Fact


@dataclass(frozen=True)
class Draft:
    text: str
    abstained: bool
    citations: tuple[Citation, ...]
    facts: tuple[tuple[Fact, str], ...]
    missing: tuple[str, ...]
    used: tuple[tuple[str, int, int], ...]
    clauses: dict[str, Clause] = field(default_factory=dict)  # the clauses `used` names, by id


def spans(passages: Sequence[Passage]) -> tuple[tuple[str, int, int], ...]:
    """The sentences an answer rests on, once each, as (clause_id, start, end)."""
    return tuple(dict.fromkeys((p.clause.id, p.start, p.end) for p in passages))
