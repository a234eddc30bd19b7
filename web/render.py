"""HTML and Markdown for the page: the answer, its key fact, and one card per citation.

Pure functions over domain objects; every piece of source text is escaped before it is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from assistant.models import Answer, Citation, ClauseInContext, Fact

CSS = """
.key-fact {border-left: 6px solid #2563eb; background: #eff6ff; padding: 12px 16px; border-radius: 8px;
           font-size: 1.15em; line-height: 1.6; color: #111827;}
.key-fact.abstained {border-left-color: #d97706; background: #fffbeb;}
.key-fact .label {font-size: 0.8em; color: #4b5563; display: block; margin-bottom: 4px;}
.key-fact .understood {font-size: 0.8em; color: #6b7280; display: block; margin-top: 6px;}
.citation-card {border: 1px solid #d1d5db; border-radius: 8px; margin: 8px 0; padding: 8px 12px; background: #fff;
                color: #111827;}
.citation-card summary {cursor: pointer; font-weight: 600;}
.citation-card .meta {color: #4b5563; font-size: 0.9em; margin: 6px 0;}
.citation-card .clause-text {white-space: pre-wrap; line-height: 1.6;}
.citation-card mark {background: #fde68a; padding: 0 2px;}
.citation-card .context {border-top: 1px dashed #d1d5db; margin-top: 8px; padding-top: 6px;}
.citation-card .neighbour {color: #6b7280; white-space: pre-wrap; font-size: 0.9em;}
.citation-card .current {background: #f9fafb; border-left: 3px solid #2563eb; padding-left: 8px;
                         white-space: pre-wrap;}
.empty-cards {color: #6b7280;}
.badge {display: inline-block; font-size: 0.8em; padding: 0 6px; border-radius: 4px; margin-left: 6px;
        background: #fee2e2; color: #991b1b; font-weight: 600;}
"""


def highlight(text: str, facts: list[Fact]) -> str:
    """`text` escaped, with each fact's span wrapped in <mark>; overlapping spans are merged."""
    spans = sorted((f.start, f.end) for f in facts if 0 <= f.start < f.end <= len(text))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    out, pos = [], 0
    for start, end in merged:
        out += [escape(text[pos:start]), "<mark>", escape(text[start:end]), "</mark>"]
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def first_sentence(text: str) -> str:
    head, sep, _rest = text.partition("。")
    return head + sep


def answer_markdown(answer: Answer) -> str:
    """The chat message: the key fact in bold, then the quote, then the numbered sources."""
    head = first_sentence(answer.text)
    rest = answer.text[len(head):]
    lines = []
    if answer.abstained:
        lines.append("⚠️ <strong>未在现有文件中找到明确规定</strong>")
    if answer.interpreted_as:
        lines.append(f"*（按上文理解为：{_md(answer.interpreted_as)}）*")
    # <strong>, not **: CommonMark does not close ** after "。" when a letter follows.
    lines.append(f"<strong>{escape(_md(head))}</strong>{_md(rest)}")
    if answer.citations:
        lines.append("  \n".join(f"\\[{c.n}\\] {_status(c)}《{_md(c.document.title)}》{_md(_where(c))}"
                                for c in answer.citations))
    return "\n\n".join(lines)


def key_fact_html(answer: Answer) -> str:
    kind = "abstained" if answer.abstained else "answered"
    label = "未找到明确规定（以下为相关条款）" if answer.abstained else "答案要点"
    understood = (f'<span class="understood">按上文理解为：{escape(answer.interpreted_as)}</span>'
                  if answer.interpreted_as else "")
    return (f'<div class="key-fact {kind}" data-testid="key-fact"><span class="label">{label}</span>'
            f"{escape(first_sentence(answer.text))}{understood}</div>")


def citation_cards_html(answer: Answer, in_context: Callable[[str], ClauseInContext]) -> str:
    if not answer.citations:
        return '<p class="empty-cards">没有可引用的条款。</p>'
    facts_by_clause: dict[str, list[Fact]] = {}
    for fact, clause_id in answer.facts:
        facts_by_clause.setdefault(clause_id, []).append(fact)
    title = "相关条款" if answer.abstained else "引用条款"
    cards = [f"<h4>{title}（{len(answer.citations)}）</h4>"]
    for c in answer.citations:
        cards.append(_card(c, facts_by_clause.get(c.clause.id, []), in_context(c.clause.id), open_=c.n == 1))
    return "\n".join(cards)


def _status(c: Citation) -> str:
    return "" if c.document.in_force else f"【{c.document.status}】"


def _where(c: Citation) -> str:
    doc = c.document
    parts = [doc.doc_number, doc.date_text, c.clause.path, f"第{c.clause.page}页" if c.clause.page else "", doc.region]
    return " " + " · ".join(p for p in parts if p)


def _card(c: Citation, facts: list[Fact], view: ClauseInContext, open_: bool) -> str:
    doc, clause = c.document, c.clause
    meta = [("状态", "" if doc.in_force else doc.status + (f"（由 {doc.superseded_by} 替代）" if doc.superseded_by else "")),
            ("文号", doc.doc_number), ("日期", doc.date_text), ("条款", clause.path),
            ("页码", f"第{clause.page}页" if clause.page else ""), ("地区", doc.region), ("发文机关", doc.issuer)]
    meta_html = " · ".join(f"{k}：{escape(v)}" for k, v in meta if v)
    headings = " › ".join(escape(h) for h in clause.headings)
    badge = "" if doc.in_force else f'<span class="badge">{escape(doc.status)}</span>'
    previous = (f'<div class="neighbour">上一条 {escape(view.previous.path)}：{escape(_clip(view.previous.text))}</div>'
                if view.previous else "")
    following = (f'<div class="neighbour">下一条 {escape(view.next.path)}：{escape(_clip(view.next.text))}</div>'
                 if view.next else "")
    return (
        f'<details class="citation-card" data-clause-id="{escape(clause.id)}"{" open" if open_ else ""}>'
        f"<summary>[{c.n}] 《{escape(doc.title)}》 {escape(clause.path)}{badge}</summary>"
        f'<div class="meta">{meta_html}</div>'
        f'<div class="clause-text">{highlight(clause.text, facts)}</div>'
        f'<details class="context"><summary>查看原文</summary>'
        f'<div class="meta">{escape(doc.title)}{" › " + headings if headings else ""}</div>'
        f"{previous}<div class=\"current\">{escape(clause.text)}</div>{following}"
        f'<div class="meta">来源：{escape(clause.source_file)} 第 {clause.line_start}–{clause.line_end} 行</div>'
        f"</details></details>"
    )


def _clip(text: str, size: int = 120) -> str:
    return text if len(text) <= size else text[:size] + "…"


def _md(text: str) -> str:
    """Escape the characters Markdown would read as markup."""
    for ch in "\\*_`[]<>#|":
        text = text.replace(ch, "\\" + ch)
    return text
