"""Which passage answers each ask: the best one that speaks of the question's subject and covers
enough of its key terms."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice

from assistant.answer.decide import features, model
from assistant.answer.passages import Memo, Passage, context_of, rank_passages
from assistant.lexicon.concepts import Concept
from assistant.lexicon.text import norm
from assistant.models import Clause, Document, Hit
from assistant.understand.asks import Ask
from assistant.understand.query import Query
from assistant.understand.terms import coverage

ANSWER_FLOOR = 0.3  # a passage must state this share of the question's key terms to answer an ask
SHORTLIST = 5  # passages per ask considered for reading two facts from one clause
COHERENCE_MARGIN = 0.6  # how much of its best score an ask gives up to be read from the other ask's clause


@dataclass(frozen=True)
class Found:
    ask: Ask
    passage: Passage


def subject_check(query: Query, documents: dict[str, Document], min_coverage: float) -> Callable[[Clause], bool]:
    """Whether a clause speaks of the question's subject: enough of its key terms, of a concept
    the question names, if it names one, and of a name it quotes, if it quotes one."""
    terms = list(query.terms)
    names = [t for t in terms if t.quoted]
    covered: dict[str, bool] = {}

    def covers(clause: Clause) -> bool:
        if clause.id not in covered:
            text = searchable(clause, documents)
            topic = documents[clause.doc_id].topic
            covered[clause.id] = coverage(text, terms) >= min_coverage and (
                not query.subjects or any(c.spoken_of(text, topic) for c in query.subjects)) and (
                # a name put in quotes (“一照多址”) is what is asked about: a clause that does not say it does not answer
                not names or any(t.found_in(text) for t in names))
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
    whose own words state enough of them), when the fitted decision model says it answers."""
    found: list[Found] = []
    missing: list[Ask] = []
    decision = model()
    if decision is not None and decision.threshold <= 0:
        decision = None  # the fitted threshold sets nothing aside: no features to compute
    listed = [(ask, ranked, list(islice(eligible, SHORTLIST)))
              for ask, ranked, eligible in _eligible(query, hits, documents, min_coverage, memo)]
    together = _one_clause(query, listed)
    for ask, ranked, eligible in listed:
        best = together.get(ask) or next(iter(eligible), None)
        # the model is fitted on, and decides, fact asks: a figure, a date or a department read out
        if best is not None and ask.needs_fact and decision is not None and not decision.answers(
                features(query, ask, best, ranked, hits, documents, searchable(best.clause, documents))):
            best = None  # the passage shares the words, but what it states is not likely what was asked
        if best is None:
            missing.append(ask)
        elif not any(f.passage == best for f in found) or ask.needs_fact:
            found.append(Found(ask, best))
    return found, missing


def _one_clause(query: Query, listed: list[tuple[Ask, list[Passage], list[Passage]]]) -> dict[Ask, Passage]:
    """Two facts asked of one thing are read from one clause when one states both: for each fact
    ask, that clause's passage, when it ranks close to the ask's best ("是哪个厅负责？几月底前完成？"
    → "（省住建厅负责，6 月底前完成）", not the lead of a long list for one and this for the other)."""
    fact = [(ask, eligible) for ask, _ranked, eligible in listed if ask.needs_fact and eligible]
    if len(fact) < 2 or own_subjects(query) or len(fact) < sum(a.needs_fact for a in query.asks):
        return {}
    shared = set.intersection(*({p.clause.id for p in eligible} for _ask, eligible in fact))
    best: tuple[float, dict[Ask, Passage]] | None = None
    for clause_id in shared:
        picks = {ask: next(p for p in eligible if p.clause.id == clause_id) for ask, eligible in fact}
        losses = [eligible[0].score - picks[ask].score for ask, eligible in fact]
        if max(losses) <= COHERENCE_MARGIN and (best is None or sum(losses) < best[0]):
            best = (sum(losses), picks)
    return best[1] if best else {}


def candidates(query: Query, hits: Sequence[Hit], documents: dict[str, Document], min_coverage: float,
               n: int = 5) -> list[tuple[Ask, int, Passage, dict[str, float]]]:
    """For each ask, the first `n` passages that could answer it, best first, with their features
    (ask, rank among them, passage, features): what the decision model is fitted on."""
    out: list[tuple[Ask, int, Passage, dict[str, float]]] = []
    for ask, ranked, eligible in _eligible(query, hits, documents, min_coverage, {}):
        for i, p in zip(range(n), eligible, strict=False):
            out.append((ask, i, p, features(query, ask, p, ranked, hits, documents, searchable(p.clause, documents))))
    return out


def _eligible(query: Query, hits: Sequence[Hit], documents: dict[str, Document], min_coverage: float,
              memo: Memo | None) -> Iterator[tuple[Ask, list[Passage], Iterator[Passage]]]:
    """For each ask: its ranked passages, and those of them that may answer it (relevant enough,
    of a clause that speaks of the subject), best first."""
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
        yield ask, ranked, (p for p in ranked if p.relevance >= floor and check(p.clause))


def searchable(clause: Clause, documents: dict[str, Document]) -> str:
    return context_of(clause, documents[clause.doc_id]) + " " + norm(clause.text)
