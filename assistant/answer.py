"""Extractive answers: the fact first, then the clause quoted, then numbered citations.

No language model: the first sentence is built from a typed fact of the best clause (time limit,
deadline, department, amount) in a named template; the quote is the clause's best sentences as
the source words them. When the documents do not answer, the answer says so and offers the
closest clauses as related reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from assistant.intent import FACT_TYPES, Intent
from assistant.models import Answer, Citation, Clause, Document, Fact, Hit
from assistant.prompts import render
from assistant.retrieval.terms import KeyTerm, coverage
from assistant.text import norm, sentences

MAX_QUOTE = 150
FIELD_SENTENCE = re.compile(r"^\s*(牵头单位|责任单位|完成时限)")
_SEGMENT_BREAK = "，,；;：:。\n"


@dataclass(frozen=True)
class Evidence:
    quote: str
    facts: tuple[Fact, ...]  # facts inside the quoted sentences, wanted types first


def _window(text: str, start: int, end: int, size: int = MAX_QUOTE) -> str:
    if len(text) <= size:
        return text
    left = max(0, min(start - size // 3, len(text) - size))
    right = min(len(text), max(left + size, end))
    return ("…" if left > 0 else "") + text[left:right].strip() + ("…" if right < len(text) else "")


def select_evidence(clause: Clause, terms: list[KeyTerm], intent: Intent, context: str = "") -> Evidence:
    """The clause's sentences that best answer the question, with the facts they hold."""
    wanted = FACT_TYPES[intent]
    spans = sentences(clause.text)
    if not spans:
        return Evidence(clause.text[:MAX_QUOTE], ())

    def facts_in(span: tuple[int, int], types: tuple[str, ...]) -> list[Fact]:
        s, e = span
        return [f for f in clause.facts if f.type in types and s <= f.start < e]

    # Terms that name the document (its title, region, headings) do not tell its sentences apart.
    named = norm(context)
    weights = [(t, t.weight * (0.3 if t.found_in(named) else 1.0)) for t in terms]
    top_weight = max((w for _t, w in weights), default=1.0)
    field_facts = [f for f in clause.facts if f.type in wanted and f.start < 0]

    def relevance(span: tuple[int, int]) -> float:
        text = norm(clause.text[span[0] : span[1]])
        return sum(w for t, w in weights if t.found_in(text))

    def states_field(span: tuple[int, int]) -> bool:
        text = norm(clause.text[span[0] : span[1]])
        return any(norm(f.value) in text for f in field_facts)

    def score(span: tuple[int, int]) -> float:
        bonus = top_weight if wanted and (facts_in(span, wanted) or states_field(span)) else 0.0
        return relevance(span) + bonus

    scores = [score(sp) for sp in spans]
    best = max(range(len(spans)), key=lambda i: (scores[i], -i))
    chosen = [best]
    if len(norm(clause.text[spans[best][0] : spans[best][1]])) < 24 and best + 1 < len(spans):
        chosen.append(best + 1)  # an item title alone says little: add its first sentence
    if wanted and not any(facts_in(spans[i], wanted) for i in chosen) and not field_facts:
        with_fact = [i for i, sp in enumerate(spans) if facts_in(sp, wanted)]
        if with_fact:
            chosen.append(min(with_fact, key=lambda i: abs(i - best)))
    elif wanted:
        # Another sentence that states a fact of the asked kind about the question's terms
        # ("…“1 个工作日”办结。全流程 2 小时内办结"), or where the department is named in the text.
        others = [i for i, sp in enumerate(spans) if i not in chosen and (relevance(sp) > 0 or abs(i - best) == 1)
                  and (facts_in(sp, wanted) or (states_field(sp) and not any(states_field(spans[j]) for j in chosen)))]
        others = [i for i in others if not FIELD_SENTENCE.match(clause.text[spans[i][0] : spans[i][1]])]
        if others:
            chosen.append(max(others, key=lambda i: scores[i]))
    chosen.sort()
    parts = []
    for i in chosen:
        s, e = spans[i]
        sentence = clause.text[s:e].strip()
        hits = facts_in(spans[i], wanted) if wanted else []
        if hits:
            parts.append(_window(sentence, hits[0].start - s, hits[-1].end - s))
        else:
            found = [sentence.find(t.text[:2]) for t, _w in weights if t.text[:2] in sentence]
            pos = min(found, default=0)
            parts.append(_window(sentence, pos, pos))
    facts: list[Fact] = []
    for types in (wanted, tuple({f.type for f in clause.facts})):
        for i in chosen:
            facts += [f for f in facts_in(spans[i], types) if f not in facts]
    facts += [f for f in field_facts if f not in facts]
    return Evidence("".join(parts).replace("\n", " "), tuple(facts))


def fact_phrase(clause: Clause, fact: Fact) -> str:
    """The words around a fact up to the nearest comma or sentence end: "0.5个工作日办结"."""
    if fact.start < 0:
        return fact.value
    text = clause.text
    left = max((text.rfind(ch, 0, fact.start) for ch in _SEGMENT_BREAK), default=-1) + 1
    rights = [text.find(ch, fact.end) for ch in _SEGMENT_BREAK]
    right = min((r for r in rights if r >= 0), default=len(text))
    phrase = text[left:right].strip(" “”")
    if len(phrase) > 60:
        phrase = _window(phrase, fact.start - left, fact.end - left, 60)
    return phrase


def scope(document: Document) -> str:
    """Where a clause applies: the region, and the indicator plan for a sub-plan."""
    name = document.region
    if document.topic:
        name += f"“{document.topic}”方案"
    return name + "："


def first_sentence(clause: Clause, document: Document, evidence: Evidence, intent: Intent, n: int) -> str:
    where = scope(document)
    if intent == "unit":
        lead = clause.field("牵头")
        responsible = clause.field("责任") or clause.field("主管部门")
        if lead or responsible:
            extra = render("responsible", units=responsible) if responsible and lead else ""
            return render("units", scope=where, lead=lead or responsible, responsible=extra, n=n)
    if intent == "deadline":
        deadlines = [f for f in evidence.facts if f.type == "deadline"]
        if deadlines:
            return render("deadline", scope=where, value=deadlines[0].value, iso=deadlines[0].normalized, n=n)
    wanted = FACT_TYPES[intent]
    found = [f for f in evidence.facts if f.type in wanted]
    if found:
        phrases: list[str] = []
        for fact in found[:3]:
            phrase = fact_phrase(clause, fact)
            if not any(phrase in p or p in phrase for p in phrases):
                phrases.append(phrase)
        return render("fact", scope=where, fact="；".join(phrases), n=n)
    return render("lead_in", scope=where, n=n)


def passed_deadline(clause: Clause, today: date) -> Fact | None:
    """The clause's latest deadline, when even that one lies before `today`."""
    deadlines = [f for f in clause.facts if f.type == "deadline" and f.normalized]
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


def compose(question: str, hits: list[Hit], documents: dict[str, Document], intent: Intent,
            terms: list[KeyTerm], min_coverage: float, region_named: bool, max_citations: int = 5,
            today: date | None = None) -> Answer:
    if not hits:
        return Answer(question, render("abstain", related=""), True, (), ())
    citations = tuple(
        Citation(n, h.clause, documents[h.clause.doc_id], h.score) for n, h in enumerate(hits[:max_citations], 1)
    )
    best = hits[0].clause
    if coverage(_searchable(best, documents), terms) < min_coverage:
        items = "；".join(
            render("related_item", title=c.document.title, path=c.clause.path, n=c.n) for c in citations[:3]
        )
        text = render("abstain", related=render("related", items=items))
        return Answer(question, text, True, citations, ())

    evidence = select_evidence(best, terms, intent, _context(best, documents))
    lead = first_sentence(best, documents[best.doc_id], evidence, intent, 1)
    disagreement = _disagreement(citations, terms, intent, region_named)
    if disagreement:
        lead = disagreement
    text = lead + render("quote", quote=evidence.quote)
    text += notes(best, documents[best.doc_id], documents, today or date.today())
    facts = tuple((f, best.id) for f in evidence.facts)
    return Answer(question, text, False, citations, facts)


def _context(clause: Clause, documents: dict[str, Document]) -> str:
    doc = documents[clause.doc_id]
    return " ".join([doc.title, doc.topic, doc.region, *clause.headings])


def _searchable(clause: Clause, documents: dict[str, Document]) -> str:
    return _context(clause, documents) + " " + clause.text


def _disagreement(citations: tuple[Citation, ...], terms: list[KeyTerm], intent: Intent,
                  region_named: bool) -> str:
    """When close hits from different regions state different facts of the asked kind, list each."""
    if region_named or intent not in ("time_limit", "deadline", "amount"):
        return ""
    top = citations[0]
    items: list[tuple[str, str, int, str]] = []
    seen_regions: set[str] = set()
    for c in citations[:3]:
        if c.score < 0.8 * top.score or c.document.region in seen_regions:
            continue
        if coverage(c.clause.text, terms) < 0.5:
            continue
        evidence = select_evidence(c.clause, terms, intent)
        facts = [f for f in evidence.facts if f.type in FACT_TYPES[intent]]
        if not facts:
            continue
        seen_regions.add(c.document.region)
        items.append((scope(c.document), facts[0].normalized, c.n, fact_phrase(c.clause, facts[0])))
    values = {v for _, v, _, _ in items}
    if len(items) < 2 or len(values) < 2:
        return ""
    body = "；".join(render("disagree_item", scope=s, fact=phrase, n=n) for s, _v, n, phrase in items)
    return render("disagree", items=body)

