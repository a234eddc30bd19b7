"""Collecting one document's clauses: stable, unique ids, fields and facts, within bounds.

Shared by the text parser (`structure.py`) and the table parser (`tables.py`). Two bounds hold
whatever the parser hands over: a clause longer than `max_chars` is cut at its sentence ends
(`cut_text`), and a `ClauseCap` stops a document that makes more clauses than it may — as soon as
it passes the cap, so a file of 10^5 one-line items is refused in the time 5,000 take.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import TooManyClauses
from assistant.ingest.facts import extract_facts, extract_fields
from assistant.lexicon.text import Paragraph, norm, sentences
from assistant.models import Clause, Document

_BREAKS = "，,、 "  # where a sentence longer than the limit is cut, the last one within it


def cut_text(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut after sentence ends (。！？；, line
    breaks); a sentence longer than `limit` after its last comma within the limit, else at the
    limit. The pieces are consecutive slices of `text`, stripped; empty ones are left out."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    begin = 0  # where the piece being gathered begins
    for start, end in sentences(text):
        if start - begin > 0 and end - begin > limit and text[begin:start].strip():
            pieces.append(text[begin:start])  # the piece so far, without this sentence
            begin = start
        while end - begin > limit:
            cut = max(text.rfind(mark, begin, begin + limit) for mark in _BREAKS) + 1
            cut = cut if cut > begin + limit // 2 else begin + limit
            pieces.append(text[begin:cut])
            begin = cut
    pieces.append(text[begin:])
    return [p.strip() for p in pieces if p.strip()]


@dataclass(frozen=True)
class ClauseCap:
    """The most clauses one document may make, and the words that say whose cap it is:
    "…more than the {limit} {what}{note}" / "…超过{what_zh} {limit} 条{note_zh}"."""

    limit: int
    what: str = "clauses one document may make"
    what_zh: str = "每份文件上限"
    note: str = ""
    note_zh: str = ""

    def refuse(self, document: Document, made: int, line: int) -> TooManyClauses:
        """The refusal when the `made`-th clause ends on `line`: the clauses the whole document
        would make, estimated from how far into it that is."""
        span = max(1, document.line_end - document.line_start + 1)
        read = min(span, max(1, line - document.line_start + 1))
        estimate = max(made, round(made * span / read))
        return TooManyClauses(
            f"{document.source_file}: would make about {estimate} clauses ({made} by line {line} of "
            f"{document.line_end}), more than the {self.limit} {self.what}{self.note}",
            f"该文件将产生约 {estimate} 条条款，超过{self.what_zh} {self.limit} 条{self.note_zh}。",
            clauses=estimate, limit=self.limit, line=line)


class ClauseBuilder:
    """Collects clauses for one document, giving each a stable, unique id."""

    def __init__(self, document: Document, max_chars: int | None = None, cap: ClauseCap | None = None) -> None:
        self.document = document
        self.max_chars = max_chars
        self.cap = cap
        self.clauses: list[Clause] = []
        self._ids: dict[str, int] = {}

    def add(self, path: str, headings: tuple[str, ...], text: str, paragraphs: list[Paragraph],
            fields: tuple[tuple[str, str], ...] = (), lines: tuple[int, int] | None = None,
            page: int | None = None) -> None:
        text = text.strip()
        if not norm(text):
            return
        line_start, line_end = lines if lines else (paragraphs[0].line_start, paragraphs[-1].line_end)
        if self.max_chars and len(text) > self.max_chars:
            for n, piece in enumerate(cut_text(text, self.max_chars), start=1):
                self._add(path + (f"¶{n}" if n > 1 else ""), headings, piece, paragraphs, fields,
                          (line_start, line_end), page)
            return
        self._add(path, headings, text, paragraphs, fields, (line_start, line_end), page)

    def _add(self, path: str, headings: tuple[str, ...], text: str, paragraphs: list[Paragraph],
             fields: tuple[tuple[str, str], ...], lines: tuple[int, int], page: int | None) -> None:
        if self.cap is not None and len(self.clauses) >= self.cap.limit:
            raise self.cap.refuse(self.document, len(self.clauses) + 1, lines[1])
        key = path or "前言"
        count = self._ids.get(key, 0) + 1
        self._ids[key] = count
        clause_id = f"{self.document.id}:{key}" + (f"~{count}" if count > 1 else "")
        all_fields = fields + tuple(f for f in extract_fields(text) if f[0] not in dict(fields))
        if page is None:
            page = next((p.page for p in paragraphs if p.page is not None), None)
        self.clauses.append(Clause(
            id=clause_id, doc_id=self.document.id, path=path, headings=headings, text=text, page=page,
            source_file=self.document.source_file, line_start=lines[0], line_end=lines[1],
            facts=extract_facts(text, all_fields, self.document.date), fields=all_fields,
        ))
