"""Extractive answers: every asked fact first, each with its citation, then the sentences quoted.

No language model. The question's `Query` says what is asked (one ask or several) and for which
region; `ranking` finds, for each ask, the passage that states a fact of that kind about the
question's terms. The first sentence states each fact found, with where it applies; a part the
documents do not state is named as such. When nothing in scope answers, the answer says so for
the region asked about, and only then offers what other regions state, each labelled.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date

from assistant.answer.abstain import abstain
from assistant.answer.departments import Abbreviations, of_answer
from assistant.answer.draft import Draft, spans
from assistant.answer.passages import Memo, Passage, rank_passages
from assistant.answer.say import MAX_QUOTE, RULE_QUOTE, notes, quote, scope_label, statement
from assistant.answer.select import Found, choose, own_subjects, subject_check
from assistant.models import Answer, Citation, Clause, Document, Hit
from assistant.prompts import render
from assistant.understand.asks import Ask, primary
from assistant.understand.query import Query
from assistant.understand.terms import KeyTerm

DISAGREE_TYPES = ("time_limit", "deadline", "amount", "percent", "count", "quantity")

def compose(query: Query, hits: list[Hit], documents: dict[str, Document], *, min_coverage: float,
            max_citations: int = 5, today: date | None = None,
            elsewhere: Callable[[], Sequence[Hit]] | None = None,
            abbreviations: Abbreviations | None = None, filtered: bool = False,
            started: float | None = None) -> Answer:
    """The answer to `query` from `hits` (in scope), made once: `elsewhere` finds hits of other
    regions, asked only when the scope's documents do not answer, and offered labelled;
    `abbreviations` spells out the departments named; `filtered` says a filter (not the
    question) narrowed the search; `started` (perf_counter) gives the answer its latency."""
    if query.small_talk:
        return _reply(query, started)
    today = today or date.today()
    memo: Memo = {}
    found, missing = choose(query, hits, documents, min_coverage, memo)
    fact_asks = [a for a in query.asks if a.needs_fact]
    answered_facts = [f for f in found if f.ask.needs_fact]
    if not found or (fact_asks and not answered_facts):
        draft = abstain(query, hits, documents, elsewhere, min_coverage, max_citations)
    else:
        draft = _stated(query, hits, documents, found, missing, memo, min_coverage, max_citations, today)
    # a not-found answer names no department: those of other regions' clauses would mislead
    departments = () if draft.abstained or abbreviations is None else of_answer(
        draft.used, draft.clauses, documents, abbreviations)
    latency = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    text = draft.text + "".join(render("heard_as", written=w, read=r) for w, r in query.corrected)
    if query.place.assumed:
        text += render("home_region", region=query.place.label)
    return Answer(query.text, text, draft.abstained, draft.citations, draft.facts, latency_ms=latency,
                  interpreted_as=query.standalone if query.standalone != query.text.strip() else "",
                  follow_up=query.follow_up,
                  missing=draft.missing, used=draft.used, departments=departments, filtered=filtered,
                  subject=query.about or query.standalone, corrected=query.corrected)


def _reply(query: Query, started: float | None = None) -> Answer:
    """The short reply to small talk: nothing searched, nothing cited; the conversation keeps its subject."""
    latency = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    return Answer(query.text, render(f"small_talk_{query.small_talk}"), True, (), (), latency_ms=latency,
                  subject=query.about, small_talk=True)


def _stated(query: Query, hits: list[Hit], documents: dict[str, Document], found: list[Found], missing: list[Ask],
            memo: Memo, min_coverage: float, max_citations: int, today: date) -> Draft:
    """The answer that states what was found: facts first, then the sentences quoted."""
    disagreeing = _disagreeing(query, hits, documents, found, subject_check(query, documents, min_coverage), memo)
    # Citations: the clauses the answer uses, those stating an asked fact first ([1] is where the
    # first fact is read, not the clause of a part asking none: "甘肃推…验收，是哪个厅负责？"),
    # in the order asked, then the other hits.
    cited: list[Clause] = []
    by_fact = sorted(found, key=lambda f: not f.ask.needs_fact)
    for p in [f.passage for f in by_fact] + disagreeing:
        if p.clause not in cited:
            cited.append(p.clause)
    rest = [h.clause for h in hits if h.clause not in cited]
    scores = {h.clause.id: h.score for h in hits}
    ordered = (cited + rest)[: max(max_citations, len(cited))]
    citations = tuple(Citation(n, c, documents[c.doc_id], scores.get(c.id, 0.0)) for n, c in enumerate(ordered, 1))
    number = {c.clause.id: c.n for c in citations}

    lead = _disagreement(query, found[0].ask, disagreeing, documents, number) if disagreeing else _lead(
        found, documents, number, query.terms)
    absent = [a for a in missing if a.needs_fact or not found]
    own = own_subjects(query)
    unstated = tuple(dict.fromkeys(
        ("、".join(c.name for c in own[a.part]) + "的" if a.part in own else "") + a.label for a in absent))
    if unstated:
        lead += render("part_missing", labels="、".join(unstated))
    quotes: list[str] = []
    seen: list[Passage] = []
    # A rule without a fact to state (能不能…, 怎么办) is read out whole; facts need less around them.
    size = MAX_QUOTE if len(found) == 1 else MAX_QUOTE * 2 // 3
    if not any(f.ask.needs_fact for f in found):
        size = RULE_QUOTE
    for f in found:
        p = f.passage
        if len(quotes) == 2 or any(q.clause.id == p.clause.id and q.start < p.end and p.start < q.end for q in seen):
            continue  # one quote per stretch of text
        seen.append(p)
        stated = [fact for g in found if g.passage == p for fact in p.facts if fact.type in g.ask.fact_types][:3]
        quotes.append(render("quote", quote=quote(p, size, stated, query.terms, whole=size == RULE_QUOTE),
                             n=number[p.clause.id]))
    first = found[0].passage.clause
    text = lead + "".join(quotes) + notes(first, documents[first.doc_id], documents, today)
    facts = tuple((fact, f.passage.clause.id) for f in found for fact in f.passage.facts)
    used = [f.passage for f in found] + disagreeing
    return Draft(text, False, citations, tuple(dict.fromkeys(facts)), unstated, spans(used),
                 {p.clause.id: p.clause for p in used})


def _lead(found: list[Found], documents: dict[str, Document], number: dict[str, int],
          terms: Sequence[KeyTerm]) -> str:
    """The first sentence: each asked fact with where it applies and its citation."""
    pieces: list[str] = []
    said_before: set[str] = set()
    last_scope = ""
    for f in found:
        clause = f.passage.clause
        where = scope_label(documents[clause.doc_id])
        said = statement(f.ask, f.passage, terms)
        if not said or said in said_before:
            continue
        said_before.add(said)
        prefix = render("scope", scope=where) if where != last_scope else ""
        last_scope = where
        piece = f"{prefix}{said}[{number[clause.id]}]"
        if piece not in pieces:
            pieces.append(piece)
    if not pieces:
        clause = found[0].passage.clause
        return render("lead_in", scope=render("scope", scope=scope_label(documents[clause.doc_id])),
                      n=number[clause.id])
    return "；".join(pieces) + "。"


def _disagreeing(query: Query, hits: Sequence[Hit], documents: dict[str, Document], found: list[Found],
                 covers: Callable[[Clause], bool], memo: Memo) -> list[Passage]:
    """When the regions that may answer state different facts of the one thing asked, a passage
    of each (the answer's own first): with no region named, any region; with one named, it and
    the regions containing it (the hits are in scope already)."""
    ask = primary(query.asks)
    if ask.type not in DISAGREE_TYPES or len(query.asks) > 1 or not found or found[0].ask != ask:
        return []
    first = found[0].passage
    chosen = [first]
    regions = {documents[first.clause.doc_id].region}
    floor = max(0.5, 0.8 * first.relevance)
    for p in rank_passages(query, ask, hits, documents, memo):
        region = documents[p.clause.doc_id].region
        if region in regions or p.relevance < floor or not covers(p.clause):
            continue
        if not any(f.type in ask.fact_types and p.start <= f.start < p.end for f in p.facts):
            continue  # stated in the sentence itself, not only in the item's fields
        regions.add(region)
        chosen.append(p)
        if len(chosen) == 3:
            break

    def value(p: Passage) -> str:
        return next(f.normalized for f in p.facts if f.type in ask.fact_types).removeprefix("<= ")

    return chosen if len(chosen) >= 2 and len({value(p) for p in chosen}) >= 2 else []


def _disagreement(query: Query, ask: Ask, passages: list[Passage], documents: dict[str, Document],
                  number: dict[str, int]) -> str:
    """Each region's statement, labelled: with a region named, its own rule first and the rules of
    the regions containing it after it; with none named, side by side."""
    items = [render("disagree_item", scope=scope_label(documents[p.clause.doc_id]),
                    fact=f"{statement(ask, p, query.terms)}[{number[p.clause.id]}]") for p in passages]
    if query.scoped:
        return render("differs_above", own=items[0], others="；".join(items[1:]))
    return render("disagree", items="；".join(items))
