"""Extractive answers: every asked fact first, each with its citation, then the sentences quoted.

No language model. The question's `Query` says what is asked (one ask or several) and for which
region; `ranking` finds, for each ask, the passage that states a fact of that kind about the
question's terms. The first sentence states each fact found, with where it applies; a part the
documents do not state is named as such. When nothing in scope answers, the answer says so for
the region asked about, and only then offers what other regions state, each labelled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from assistant.answer.passages import Memo, Passage, context_of, in_item_line, rank_passages, segment_span
from assistant.lexicon.concepts import Concept
from assistant.lexicon.text import norm
from assistant.models import Answer, Citation, Clause, Document, Fact, Hit
from assistant.prompts import render
from assistant.understand.asks import Ask, primary
from assistant.understand.query import Query
from assistant.understand.terms import KeyTerm, coverage

MAX_QUOTE = 120
RULE_QUOTE = 170
ANSWER_FLOOR = 0.3  # a passage must state this share of the question's key terms to answer an ask
RELATED_FLOOR = 0.3  # related reading is offered only above this coverage
DISAGREE_TYPES = ("time_limit", "deadline", "amount", "percent", "count", "quantity")


@dataclass(frozen=True)
class Found:
    ask: Ask
    passage: Passage


def _window(text: str, start: int, end: int, size: int = MAX_QUOTE) -> str:
    if len(text) <= size:
        return text
    left = max(0, min(start - size // 3, len(text) - size))
    right = min(len(text), max(left + size, end))
    return ("…" if left > 0 else "") + text[left:right].strip() + ("…" if right < len(text) else "")


def fact_phrase(clause: Clause, fact: Fact) -> str:
    """The words around a fact up to the nearest comma or sentence end: "0.5个工作日办结"."""
    if fact.start < 0:
        return fact.value
    left, right = segment_span(clause.text, fact.start, fact.end)
    phrase = clause.text[left:right].strip(" “”\n")
    if len(phrase) > 60:
        phrase = _window(phrase, fact.start - left, fact.end - left, 60)
    return phrase


def scope_label(document: Document) -> str:
    """Where a clause applies: the region, and the indicator plan for a sub-plan."""
    name = document.region
    if document.topic:
        name += f"“{document.topic}”方案"
    return name


def passed_deadline(clause: Clause, today: date) -> Fact | None:
    """The clause's latest deadline, when even that one lies before `today`."""
    deadlines = [f for f in clause.facts if f.type == "deadline" and len(f.normalized) == 10]
    if not deadlines:
        return None
    latest = max(deadlines, key=lambda f: f.normalized)
    return latest if latest.normalized < today.isoformat() else None


def notes(clause: Clause, document: Document, documents: dict[str, Document], today: date) -> str:
    """What a reader must know about the source: its date, a lapsed 完成时限, a lapsed document."""
    items = [render("dated", date=document.date_text)] if document.date else []
    if not document.in_force:
        successor = documents.get(document.superseded_by)
        replacement = render("replacement", title=successor.title) if successor else ""
        items.append(render("not_in_force", status=document.status, replacement=replacement))
    lapsed = passed_deadline(clause, today)
    if lapsed is not None:
        items.append(render("deadline_passed", value=lapsed.value, today=f"{today.year}年{today.month}月{today.day}日"))
    return render("notes", items="；".join(items)) if items else ""


def statement(ask: Ask, passage: Passage, terms: Sequence[KeyTerm] = ()) -> str:
    """The asked fact as the clause words it ("0.5个工作日办结", "牵头单位：市人社局")."""
    clause = passage.clause
    facts = [f for f in passage.facts if f.type in ask.fact_types]
    if not facts:
        return ""
    # A value the question itself states is its condition ("突破1亿元的企业奖励多少"), not its answer.
    facts = [f for f in facts if not _given(f, ask.part)] or facts
    if ask.type == "department":
        inline = [f for f in facts if passage.start <= f.start < passage.end]
        if inline:  # the sentence itself names who: say it as it does
            segments = [_segment(clause.text, f.start, f.end) for f in inline[:2]]
            return "；".join(dict.fromkeys(segments))
        units = [f for f in facts if f.type in ("lead_unit", "responsible_unit")]
        if units:
            return _unit_statement(clause, units)
    phrases: list[str] = []
    for fact in facts:
        phrase = fact_phrase(clause, fact)
        if not phrase or any(phrase in p or p in phrase for p in phrases):
            continue
        # The first fact answers; another joins it only when its own words speak of the question
        # (a list "企业开办…1个工作日，获得用水…7个工作日" gives the asked one, not all of them).
        if phrases and terms and not any(t.found_in(norm(phrase)) for t in terms):
            continue
        phrases.append(phrase)
        if len(phrases) == 3:
            break
    return "，".join(phrases)


def _given(fact: Fact, asked: str) -> bool:
    value = norm(fact.value).replace(" ", "")
    return len(value) > 1 and value in norm(asked).replace(" ", "")


_UNIT_BREAK = "（(，,；;。\n）)"


def _segment(text: str, start: int, end: int, limit: int = 60) -> str:
    left, right = segment_span(text, start, end, _UNIT_BREAK)
    found = text[left:right].strip()
    return found if len(found) <= limit else found[:limit].rstrip("、，, ") + "…"


def _unit_statement(clause: Clause, units: list[Fact]) -> str:
    """Who leads and who is responsible, as the clause words it: "市税务局牵头", "牵头单位：市人社局"."""
    lead = next((f for f in units if f.type == "lead_unit"), None)
    responsible = next((f for f in units if f.type == "responsible_unit"), None)
    pieces: list[str] = []
    if lead is not None and responsible is not None and responsible.normalized == lead.normalized:
        responsible = None
    for fact in (lead, responsible):
        if fact is None:
            continue
        position = clause.text.find(fact.value)
        if position >= 0 and "★" not in clause.text[max(0, position - 1) : position + len(fact.value)]:
            piece = _segment(clause.text, position, position + len(fact.value), 40 if lead and fact is not lead else 120)
        elif fact is lead:
            piece = render("units", lead=fact.value, responsible="")
        else:
            piece = render("units_only", units=fact.value)
        if piece not in pieces:
            pieces.append(piece)
    return "；".join(pieces)


def subject_check(query: Query, documents: dict[str, Document], min_coverage: float) -> Callable[[Clause], bool]:
    """Whether a clause speaks of the question's subject: enough of its key terms, and of a
    concept the question names, if it names one."""
    terms = list(query.terms)
    covered: dict[str, bool] = {}

    def covers(clause: Clause) -> bool:
        if clause.id not in covered:
            text = _searchable(clause, documents)
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


def _dense_window(sentence: str, terms: Sequence[KeyTerm], size: int) -> tuple[int, int]:
    """Where in a long sentence the question's terms are densest: the stretch to quote."""
    if len(sentence) <= size:
        return 0, len(sentence)
    normalized = sentence.lower()
    starts = [0] + [i + 1 for i, ch in enumerate(sentence) if ch in "，,；;：:" and i + 1 < len(sentence) - size // 3]

    def weight(start: int) -> float:
        window = norm(normalized[start : start + size])
        return sum(t.weight for t in terms if t.found_in(window))

    best = max(starts, key=lambda s: (weight(s), -s))
    return best, min(len(sentence), best + size)


def _quote(passage: Passage, size: int, used: Sequence[Fact] = (), terms: Sequence[KeyTerm] = ()) -> str:
    """The passage as the source words it, around its facts, with the item lines (完成时限 …)
    whose facts the answer states."""
    text = passage.clause.text
    start, end = passage.start, passage.end
    inline = [f for f in passage.facts if start <= f.start < end]
    sentence = text[start:end].strip()
    offset = text.index(sentence, start) if sentence else start
    if inline:
        quote = _window(sentence, inline[0].start - offset, inline[-1].end - offset, size)
    else:
        left, right = _dense_window(sentence, terms, size)
        quote = _window(sentence, left, right, size)
    lines: list[str] = []
    for fact in used:
        span = in_item_line(passage.clause, fact.start) if fact.start >= 0 and not start <= fact.start < end else None
        line = text[span[0] : span[1]].strip() if span else ""
        if len(line) > 40:
            line = line[:40].rstrip("、，, ") + "…"
        if line and line not in lines:
            lines.append(line)
    return " ".join([quote, *lines]).replace("\n", " ")


def compose(query: Query, hits: list[Hit], documents: dict[str, Document], *, min_coverage: float,
            max_citations: int = 5, today: date | None = None,
            elsewhere: Callable[[], Sequence[Hit]] | None = None) -> Answer:
    """The answer to `query` from `hits` (in scope); `elsewhere` finds hits of other regions, asked
    only when the scope's documents do not answer, and offered labelled."""
    today = today or date.today()
    memo: Memo = {}
    found, missing = choose(query, hits, documents, min_coverage, memo)
    fact_asks = [a for a in query.asks if a.needs_fact]
    answered_facts = [f for f in found if f.ask.needs_fact]
    if not found or (fact_asks and not answered_facts):
        return _abstain(query, hits, documents, elsewhere, min_coverage, max_citations)

    disagreeing = _disagreeing(query, hits, documents, found, subject_check(query, documents, min_coverage), memo)
    # Citations: the clauses the answer uses, in the order asked, then the other hits.
    cited: list[Clause] = []
    for p in [f.passage for f in found] + disagreeing:
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
        quotes.append(render("quote", quote=_quote(p, size, stated, query.terms), n=number[p.clause.id]))
    first = found[0].passage.clause
    text = lead + "".join(quotes) + notes(first, documents[first.doc_id], documents, today)
    facts = tuple((fact, f.passage.clause.id) for f in found for fact in f.passage.facts)
    used = [f.passage for f in found] + disagreeing
    return Answer(query.text, text, False, citations, tuple(dict.fromkeys(facts)), missing=unstated,
                  used=_spans(used))


def _spans(passages: Sequence[Passage]) -> tuple[tuple[str, int, int], ...]:
    """The sentences an answer rests on, once each, as (clause_id, start, end)."""
    return tuple(dict.fromkeys((p.clause.id, p.start, p.end) for p in passages))


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


def _abstain(query: Query, hits: Sequence[Hit], documents: dict[str, Document],
             elsewhere: Callable[[], Sequence[Hit]] | None,
             min_coverage: float, max_citations: int) -> Answer:
    """Not found for the region asked about; then what other regions state, each labelled; else
    related reading, only what clears the relevance floor."""
    labels = tuple(dict.fromkeys(a.label for a in query.asks if a.needs_fact))
    asked = "、".join(labels) or "能回答该问题"
    where = render("where", region=query.region_label) if query.scoped else ""
    text = render("abstain", where=where, asked=asked)
    citations: list[Citation] = []
    shown: list[Passage] = []
    others = elsewhere() if query.scoped and elsewhere is not None else ()
    if others:
        found, _missing = choose(query, others, documents, min_coverage)
        items: list[str] = []
        for f in found:
            if not f.ask.needs_fact and any(a.needs_fact for a in query.asks):
                continue
            clause = f.passage.clause
            if any(c.clause.id == clause.id for c in citations):
                continue
            n = len(citations) + 1
            citations.append(Citation(n, clause, documents[clause.doc_id], f.passage.hit.score))
            said = statement(f.ask, f.passage, query.terms) or _quote(f.passage, 60)
            items.append(render("elsewhere_item", scope=scope_label(documents[clause.doc_id]), fact=said, n=n))
            shown.append(f.passage)
            if len(items) == 2:
                break
        if items:
            text += render("elsewhere", region=query.region_label, items="；".join(items))
    if not citations:
        related = [h for h in hits[:max_citations]
                   if coverage(_searchable(h.clause, documents), list(query.terms)) >= max(RELATED_FLOOR, min_coverage)]
        citations = [Citation(n, h.clause, documents[h.clause.doc_id], h.score) for n, h in enumerate(related[:3], 1)]
        if citations:
            items_text = "；".join(render("related_item", title=c.document.title, path=c.clause.path, n=c.n)
                                   for c in citations)
            text += render("related", items=items_text)
    text += render("consult")
    return Answer(query.text, text, True, tuple(citations), (), missing=labels, used=_spans(shown))


def _searchable(clause: Clause, documents: dict[str, Document]) -> str:
    return context_of(clause, documents[clause.doc_id]) + " " + norm(clause.text)
