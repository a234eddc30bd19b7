"""Collecting one document's clauses: stable, unique ids, fields and facts.

Shared by the text parser (`structure.py`) and the table parser (`tables.py`).
"""

from __future__ import annotations

from assistant.ingest.facts import extract_facts, extract_fields
from assistant.lexicon.text import Paragraph, norm
from assistant.models import Clause, Document


class ClauseBuilder:
    """Collects clauses for one document, giving each a stable, unique id."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.clauses: list[Clause] = []
        self._ids: dict[str, int] = {}

    def add(self, path: str, headings: tuple[str, ...], text: str, paragraphs: list[Paragraph],
            fields: tuple[tuple[str, str], ...] = (), lines: tuple[int, int] | None = None,
            page: int | None = None) -> None:
        text = text.strip()
        if not norm(text):
            return
        key = path or "前言"
        count = self._ids.get(key, 0) + 1
        self._ids[key] = count
        clause_id = f"{self.document.id}:{key}" + (f"~{count}" if count > 1 else "")
        all_fields = fields + tuple(f for f in extract_fields(text) if f[0] not in dict(fields))
        line_start, line_end = lines if lines else (paragraphs[0].line_start, paragraphs[-1].line_end)
        if page is None:
            page = next((p.page for p in paragraphs if p.page is not None), None)
        self.clauses.append(Clause(
            id=clause_id, doc_id=self.document.id, path=path, headings=headings, text=text, page=page,
            source_file=self.document.source_file, line_start=line_start, line_end=line_end,
            facts=extract_facts(text, all_fields, self.document.date), fields=all_fields,
        ))
