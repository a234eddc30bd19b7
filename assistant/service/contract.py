"""The JSON shapes every edge shares: `assistant ask --json`, the HTTP API and the UI."""

from __future__ import annotations

from typing import Any

from assistant.errors import AssistantError
from assistant.models import Answer, Citation, Clause, ClauseInContext, Department, Document, Fact, Hit


def fact_json(fact: Fact, clause_id: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": fact.type, "value": fact.value, "normalized": fact.normalized,
                           "start": fact.start, "end": fact.end}
    if clause_id is not None:
        out["clause_id"] = clause_id
    return out


def document_json(doc: Document, clauses: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": doc.id, "title": doc.title, "doc_number": doc.doc_number, "issuer": doc.issuer,
        "region": doc.region, "date": doc.date_iso, "kind": doc.kind, "parent_id": doc.parent_id or None,
        "topic": doc.topic or None, "source_file": doc.source_file, "status": doc.status,
        "superseded_by": doc.superseded_by or None, "in_force": doc.in_force,
    }
    if clauses is not None:
        out["clauses"] = clauses
    return out


def citation_json(c: Citation) -> dict[str, Any]:
    return {
        "n": c.n, "clause_id": c.clause.id, "document_id": c.document.id, "document": c.document.title,
        "doc_number": c.document.doc_number, "issuer": c.document.issuer, "region": c.document.region,
        "date": c.document.date_iso, "status": c.document.status, "superseded_by": c.document.superseded_by or None,
        "topic": c.document.topic or None, "path": c.clause.path,
        "headings": list(c.clause.headings), "page": c.clause.page, "source_file": c.clause.source_file,
        "line_start": c.clause.line_start, "line_end": c.clause.line_end, "text": c.clause.text,
        "facts": [fact_json(f) for f in c.clause.facts], "score": round(c.score, 6),
    }


def answer_json(answer: Answer, id_: Any = None) -> dict[str, Any]:
    """The JSON contract of `assistant ask --json` and `POST /api/ask`."""
    return {
        "id": id_,
        "question": answer.question,
        "interpreted_as": answer.interpreted_as or None,
        "follow_up": answer.follow_up or None,
        "answer": answer.text,
        "abstained": answer.abstained,
        "state": answer.state,
        "missing": list(answer.missing),
        "departments": [department_json(d) for d in answer.departments],
        "used": [{"clause_id": cid, "start": start, "end": end} for cid, start, end in answer.used],
        "filtered": answer.filtered,
        "citations": [citation_json(c) for c in answer.citations],
        "facts": [fact_json(f, clause_id) for f, clause_id in answer.facts],
        "latency_ms": round(answer.latency_ms, 2),
        # what a follow-up needs of this turn: send both back on the assistant message of `history`
        "subject": answer.subject,
        "clause_id": answer.top_clause or None,
    }


def reference_line(c: Citation) -> str:
    """A citation as a person reads it: 《title》 文号 date path 第N页（region）."""
    doc = c.document
    where = " ".join(p for p in (doc.doc_number, doc.date_text, c.clause.path,
                                 f"第{c.clause.page}页" if c.clause.page else "") if p)
    mark = "" if doc.in_force else f"【{doc.status}】"
    return f"[{c.n}] {mark}《{doc.title}》 {where}（{doc.region}）"


def department_json(d: Department) -> dict[str, Any]:
    return {"role": d.role, "name": d.name, "full_name": d.full_name or None, "clause_id": d.clause_id}


def department_line(answer: Answer) -> str:
    """"牵头：市监分局（市场监督管理局泾河新城分局）；责任：…", or "" when the cited clauses name none."""
    by_role: dict[str, list[str]] = {}
    for d in answer.departments:
        by_role.setdefault(d.role, []).append(d.plain)
    return "；".join(f"{role}：{'、'.join(names)}" for role, names in by_role.items())


def answer_text(answer: Answer) -> str:
    """The answer as plain text for reading out or pasting: the answer, the departments the cited
    clauses name, and the sources the answer refers to (not every candidate)."""
    departments = department_line(answer)
    lines = [answer.text]
    if departments:
        lines.append(f"部门：{departments}")
    sources = answer.used_citations or answer.citations
    if sources:
        lines += ["", "出处：", *(reference_line(c) for c in sources)]
    return "\n".join(lines)


def hit_json(hit: Hit, doc: Document) -> dict[str, Any]:
    return {
        "rank": hit.rank, "score": round(hit.score, 6),
        "scores": {name: round(value, 6) for name, value in hit.sources.items()},
        "clause_id": hit.clause.id, "document_id": doc.id, "document": doc.title, "doc_number": doc.doc_number,
        "region": doc.region, "date": doc.date_iso, "status": doc.status, "path": hit.clause.path, "page": hit.clause.page,
        "text": hit.clause.text,
    }


def _clause_brief(clause: Clause | None) -> dict[str, Any] | None:
    if clause is None:
        return None
    return {"id": clause.id, "path": clause.path, "text": clause.text}


def clause_json(view: ClauseInContext) -> dict[str, Any]:
    clause = view.clause
    return {
        "id": clause.id, "path": clause.path, "text": clause.text, "page": clause.page,
        "headings": list(clause.headings), "fields": dict(clause.fields),
        "facts": [fact_json(f) for f in clause.facts],
        "source_file": clause.source_file, "line_start": clause.line_start, "line_end": clause.line_end,
        "document": document_json(view.document),
        "previous_id": view.previous.id if view.previous else None,
        "next_id": view.next.id if view.next else None,
        "previous": _clause_brief(view.previous), "next": _clause_brief(view.next),
    }


def error_json(exc: AssistantError) -> dict[str, Any]:
    """One error shape for every endpoint; `message` and `type` make it readable by OpenAI clients."""
    return {"error": {"code": exc.code, "type": exc.code, "message": f"{exc.message} / {exc.message_zh}",
                      "message_en": exc.message, "message_zh": exc.message_zh, "details": exc.details or None}}
