"""Not found: said for the region asked about, then what other regions state, each labelled, else
related reading above a relevance floor."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.answer.draft import Draft, spans
from assistant.answer.passages import Passage
from assistant.answer.say import quote, scope_label, statement
from assistant.answer.select import choose, searchable
from assistant.models import Citation, Document, Hit
from assistant.prompts import render
from assistant.understand.query import Query
from assistant.understand.terms import coverage

RELATED_FLOOR = 0.3  # related reading is offered only above this coverage


def abstain(query: Query, hits: Sequence[Hit], documents: dict[str, Document],
             elsewhere: Callable[[], Sequence[Hit]] | None,
             min_coverage: float, max_citations: int) -> Draft:
    """Not found for the region asked about; then what other regions state, each labelled; else
    related reading, only what clears the relevance floor."""
    labels = tuple(dict.fromkeys(a.label for a in query.asks if a.needs_fact))
    asked = "、".join(labels) or "能回答该问题"
    where = render("where", region=query.place.label) if query.scoped else ""
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
            said = statement(f.ask, f.passage, query.terms) or quote(f.passage, 60)
            items.append(render("elsewhere_item", scope=scope_label(documents[clause.doc_id]), fact=said, n=n))
            shown.append(f.passage)
            if len(items) == 2:
                break
        if items:
            text += render("elsewhere", region=query.place.label, items="；".join(items))
    if not citations:
        names = [t for t in query.terms if t.quoted]
        if names:  # the asker named it (“出生一件事”): the clauses that speak of it, and only those
            related = [h for h in hits[:max_citations] if any(t.found_in(searchable(h.clause, documents)) for t in names)]
        else:
            related = [h for h in hits[:max_citations] if coverage(searchable(h.clause, documents), list(query.terms))
                       >= max(RELATED_FLOOR, min_coverage)]
        citations = [Citation(n, h.clause, documents[h.clause.doc_id], h.score) for n, h in enumerate(related[:3], 1)]
        if citations:
            items_text = "；".join(render("related_item", title=c.document.title, path=c.clause.path, n=c.n)
                                   for c in citations)
            text += render("related", items=items_text)
    text += render("consult")
    return Draft(text, True, tuple(citations), (), labels, spans(shown), {p.clause.id: p.clause for p in shown})
