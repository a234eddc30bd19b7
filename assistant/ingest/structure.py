"""One document's lines → clauses.

A clause is one numbered item (一、 / （一） / 1. / （1） / 第X条) with the paragraphs that follow
it up to the next numbered item: the 牵头单位 / 责任单位 / 完成时限 lines after an item belong to
it. Unnumbered text before the first item forms preamble clauses. Tab-separated table rows are
handed to `tables.py`. Long blocks are cut at paragraph boundaries so a clause stays quotable,
and a paragraph longer than `max_clause_chars` (a setting) at its sentence ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.ingest.clauses import ClauseBuilder, ClauseCap, cut_text
from assistant.ingest.tables import TableParser
from assistant.lexicon.patterns import field_name_group
from assistant.lexicon.text import (
    Paragraph,
    SourceLine,
    heading_label,
    heading_rank,
    repair_lines,
    strip_label,
)
from assistant.models import Clause, Document
from assistant.settings import get_settings

MAX_CLAUSE_CHARS = 420
_SENTENCE_END = re.compile(r"[。！？；]")
_FIELD_START = re.compile(r"^\s*" + field_name_group())  # a 牵头单位 / 完成时限 line stays with its item


@dataclass
class _Block:
    paragraphs: list[Paragraph] = field(default_factory=list)
    stack: tuple[tuple[int, str, str], ...] = ()  # (rank, label, title) of open headings
    numbered: bool = False


def heading_title(text: str) -> str:
    """A heading's own words: up to its first sentence end, at most 40 characters."""
    return _SENTENCE_END.split(strip_label(text), maxsplit=1)[0].strip()[:40]


def cut_paragraph(paragraph: Paragraph, limit: int) -> list[Paragraph]:
    """A paragraph longer than `limit` characters → pieces of at most `limit`, cut after sentence
    ends (。！？；); a sentence longer than `limit` is cut after its last comma within the limit,
    else at the limit (`cut_text`). Every piece keeps the paragraph's lines and page."""
    if len(paragraph.text) <= limit:
        return [paragraph]
    return [Paragraph(piece, paragraph.line_start, paragraph.line_end, paragraph.page)
            for piece in cut_text(paragraph.text, limit)]


def _chunks(paragraphs: list[Paragraph], max_clause_chars: int) -> list[list[Paragraph]]:
    """Cut a long block at paragraph boundaries into pieces of at most MAX_CLAUSE_CHARS, and a
    paragraph over `max_clause_chars` at its sentence ends."""
    out: list[list[Paragraph]] = [[]]
    size = 0
    target = min(MAX_CLAUSE_CHARS, max_clause_chars)
    for p in (piece for whole in paragraphs for piece in cut_paragraph(whole, max_clause_chars)):
        is_field = bool(_FIELD_START.match(p.text))
        if out[-1] and size + len(p.text) > target and not is_field:
            out.append([])
            size = 0
        out[-1].append(p)
        size += len(p.text)
    return out


def _is_title_only(block: _Block) -> bool:
    text = block.paragraphs[0].text
    return len(block.paragraphs) == 1 and len(text) <= 40 and not _SENTENCE_END.search(text)


def parse_document(document: Document, lines: list[SourceLine], layout: str,
                   max_clause_chars: int | None = None, cap: ClauseCap | None = None) -> list[Clause]:
    """`document`'s clauses, none longer than `max_clause_chars` (default: the setting); with a
    `cap`, TooManyClauses as soon as the document makes more clauses than it allows."""
    limit = max_clause_chars or get_settings().max_clause_chars
    builder = ClauseBuilder(document, limit, cap)
    stack: list[tuple[int, str, str]] = []
    block = _Block()
    pending: list[SourceLine] = []
    table = TableParser(builder)

    def emit(b: _Block) -> None:
        if not b.paragraphs or (b.numbered and _is_title_only(b)):
            return
        labels = "".join(label for _r, label, _t in b.stack)
        own = b.stack[-1][2] if b.numbered and b.stack else ""
        parents = tuple(t for _r, _l, t in (b.stack[:-1] if b.numbered else b.stack) if t)
        for n, chunk in enumerate(_chunks(b.paragraphs, limit), start=1):
            path = labels + (f"¶{n}" if n > 1 else "")
            heads = parents + ((own,) if own and n > 1 else ())
            builder.add(path, heads, "\n".join(p.text for p in chunk), chunk)

    def flush_text() -> None:
        nonlocal block
        for para in repair_lines(pending, pdf=layout == "pdf"):
            rank = heading_rank(para.text)
            if rank:
                emit(block)
                while stack and stack[-1][0] >= rank:
                    stack.pop()
                stack.append((rank, heading_label(para.text), heading_title(para.text)))
                block = _Block([para], tuple(stack), numbered=True)
            else:
                if not block.paragraphs:
                    block = _Block([], tuple(stack), numbered=False)
                block.paragraphs.append(para)
        pending.clear()

    for line in lines:
        if "\t" in line.text:  # tab-separated rows are tables in every layout (PDF and Word tables come so)
            flush_text()
            if not table.open and not block.numbered and block.paragraphs and all(
                len(p.text) <= 50 for p in block.paragraphs
            ):
                table.caption = "".join(p.text for p in block.paragraphs)
            else:
                emit(block)
            block = _Block()
            table.feed(line, tuple(t for _r, _l, t in stack if t))
            continue
        if table.open and not line.text.strip():
            continue
        if table.open:
            table.close()
        pending.append(line)
    flush_text()
    emit(block)
    table.close()
    return builder.clauses
