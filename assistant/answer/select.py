"""Which passage answers each ask: the best one that speaks of the question's subject and covers
enough of its key terms."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from assistant.answer.passages import Memo, Passage, context_of, rank_passages
from assistant.lexicon.concepts import Concept
from assistant.lexicon.text import norm
from assistant.models import Clause, Document, Hit
from assistant.understand.asks import Ask
from assistant.understand.query import Query
from assistant.understand.terms import coverage

ANSWER_FLOOR = 0.3  # a passage must state this share of the question's key terms to answer an ask


@dataclass(frozen=True)
class Found:
    ask: Ask
    passage: Passage


def subject_check(query: Query, documents: dict[str, Document], min_coverage: float) -> Callable[[Clause], bool]:
    """Whether a clause speaks of the question's subject: enough of its key terms, and of a
    concept the question names, if it names one."""
    terms = list(query.terms)
    covered: dict[str, bool] = {}

    def covers(clause: Clause) -> bool:
        if clause.id not in covered:
            text = searchable(clause, documents)
            topic = documents[clause.doc_id].topic
            covered[clause.id] = coverage(text, terms) >= min_coverage and (
                not query.subjects or any(c.spoken_of(text, topic) for c in query.subjects))
        return covered[clause.id]

    return covers


def own_subjects(query: Query) -> dict[str, tuple[Concept, ...]]:
    """The parts of a question that each name a subject of their own, when they name different
    ones; empty when the parts share one subject (the usual two-part question)."""
    by_part: dict[str, tuple[Concept, ...]] = {}
    for ask in query.asks:
        part = norm(ask.part)
        named = tuple(c for c in query.subjects if c.found_in(part))
        if named:
            by_part[ask.part] = named
    return by_part if len(set(by_part.values())) >= 2 else {}


def choose(query: Query, hits: Sequence[Hit], documents: dict[str, Document],
           min_coverage: float, memo: Memo | None = None) -> tuple[list[Found], list[Ask]]:
    """For each ask, the passage that answers it (or the ask, among the missing): the best
    passage whose clause covers enough of the question's key terms (and, for a fact ask,
    whose own words state enough of them)."""
    found: list[Found] = []
    missing: list[Ask] = []
    covers = subject_check(query, documents, min_coverage)
    own = own_subjects(query)

    for ask in query.asks:
        if ask.part in own:  # "开办企业要多久？办理破产要多久？": each part about its own subject
            q = replace(query, terms=tuple(t for t in query.terms if t.found_in(norm(ask.part))) or query.terms,
                        subjects=own[ask.part])
            ranked, check = rank_passages(q, ask, hits, documents), subject_check(q, documents, min_coverage)
        else:
            ranked, check = rank_passages(query, ask, hits, documents, memo), covers
        floor = ANSWER_FLOOR if ask.needs_fact else 0.0
        best = next((p for p in ranked if p.relevance >= floor and check(p.clause)), None)
        if best is None:
            missing.append(ask)
        elif not any(f.passage == best for f in found) or ask.needs_fact:
            found.append(Found(ask, best))
    return found, missing


def searchable(clause: Clause, documents: dict[str, Document]) -> str:
    return context_of(clause, documents[clause.doc_id]) + " " + norm(clause.text)
